/**
 * Fault-matrix rows for the keychain's states (issue 13), in-process against the fake Cognito,
 * through the real KeytarSecretStore over a keytar that answers as libsecret does against a
 * locked gnome-keyring (test/support/locked-keychain.ts). A locked keyring is never "no password
 * is stored": every command says it is locked and how to unlock it; remove and logout that cannot
 * delete exit 5 and change nothing. The same rows against the real keyring, and the process's
 * exit after a keychain time-out, are in test/e2e/matrix-keychain.e2e.test.ts.
 */
import { promises as fs } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { FileSecretStore } from '../../../src/secrets/file-store.js';
import { keychainError, KeytarSecretStore } from '../../../src/secrets/keytar-store.js';
import { lockableKeychain, type LockableKeychain } from '../../support/locked-keychain.js';
import { MemorySecretStore } from '../../support/memory-store.js';
import { useInProcessCli, type Run } from '../../support/in-process.js';
import { setupArgv } from '../../support/argv.js';

const PASSWORD = 'Keychain-Pw-1!';
const cli = useInProcessCli({ users: [{ username: 'alice', password: PASSWORD }] });

const UNLOCK =
  '  Unlock your keyring (log in to the desktop session, or unlock "Login" in Passwords and Keys), then try again; ' +
  'on a headless box see "The keychain is locked" in docs/troubleshooting.md.\n';

function expectFailure(r: Run, code: number, stderr: string, maxMs = 3_000): void {
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code, stdout: '', stderr });
  expect(r.ms).toBeLessThan(maxMs);
}

let kc: LockableKeychain;
const run = (argv: string[], stdin?: string) => cli.run(argv, { secrets: async () => kc.store, ...(stdin === undefined ? {} : { stdin }) });
const profile = () => cli.writeProfile('cognito_auth_flow = USER_PASSWORD_AUTH\n');

beforeEach(() => {
  kc = lockableKeychain();
});

describe('a locked keyring (the Secret Service answers, the collection is locked)', () => {
  it('credential-process: "the keychain is locked", exit 5, nothing sent to Cognito', async () => {
    await profile();
    kc.entries.set('dev:password', PASSWORD);
    kc.locked = true;
    const r = await run(['credential-process', '--profile', 'dev']);
    expectFailure(r, 5, `cognito-creds: profile "dev": the keychain is locked, so the password for "alice" cannot be read\n${UNLOCK}`);
    expect(cli.fake.requests).toHaveLength(0);
    expect(kc.calls).not.toContain('setPassword');
  });

  it('unlocked and no password: still "no password is stored" (the Secret Service finds no item)', async () => {
    await profile();
    const r = await run(['credential-process', '--profile', 'dev']);
    expectFailure(r, 5, 'cognito-creds: profile "dev": no password for "alice" is stored in the keychain\n  Run `cognito-creds setup --profile dev` to store it.\n');
    expect(kc.calls).toContain('SearchItems');
  });

  it('status: "stored but locked", with what to do', async () => {
    await profile();
    kc.entries.set('dev:password', PASSWORD);
    kc.locked = true;
    const r = await run(['status']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      [
        `Config file ${cli.configFile}, cache ${cli.cacheDir}`,
        '',
        `dev: alice in ${cli.fake.userPoolId}, identity pool ${cli.fake.identityPoolId}`,
        '  keychain:    password stored but locked, client secret not stored, TOTP secret not stored, refresh token not stored',
        '               the keychain is locked: unlock it to use them (docs/troubleshooting.md, "The keychain is locked")',
        '  credentials: none cached',
        '',
      ].join('\n'),
    );
  });

  it('doctor: the keychain check fails as locked (not "reachable", not "no password stored")', async () => {
    await profile();
    kc.entries.set('dev:password', PASSWORD);
    kc.locked = true;
    const r = await run(['doctor', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(r.stdout).toContain(
      'FAIL  keychain reachable (D-Bus Secret Service) but locked: the password of profile "dev" is stored and cannot be read\n' + `      ${UNLOCK.trimStart()}`,
    );
    expect(r.stdout).not.toContain('password stored\n');
    expect(r.stdout).not.toContain('no password stored');
  });

  it('logout: the refresh token it cannot delete is an error, exit 5', async () => {
    await profile();
    kc.entries.set('dev:password', PASSWORD);
    expect((await run(['credential-process', '--profile', 'dev'])).code).toBe(0);
    expect(kc.entries.has('dev:refresh-token')).toBe(true);
    kc.locked = true;
    const r = await run(['logout', '--profile', 'dev']);
    expectFailure(r, 5, `cognito-creds: profile "dev": the keychain is locked, so its refresh token cannot be deleted; the cached credentials were deleted\n${UNLOCK}`);
    expect(kc.entries.has('dev:refresh-token')).toBe(true);
    expect(await fs.readdir(cli.cacheDir)).toEqual([]);
  });

  it('remove: exit 5, the section and every secret stay, nothing is deleted', async () => {
    await profile();
    kc.entries.set('dev:password', PASSWORD);
    kc.entries.set('dev:totp-secret', 'JBSWY3DPEHPK3PXP');
    const before = await fs.readFile(cli.configFile, 'utf8');
    kc.locked = true;
    const r = await run(['remove', '--profile', 'dev']);
    expectFailure(r, 5, `cognito-creds: profile "dev": the keychain is locked, so its password and TOTP secret cannot be deleted; nothing was removed\n${UNLOCK}`);
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe(before);
    expect(Object.fromEntries(kc.entries)).toEqual({ 'dev:password': PASSWORD, 'dev:totp-secret': 'JBSWY3DPEHPK3PXP' });
    expect(kc.calls).not.toContain('deletePassword');
  });

  it('setup: cannot store the password, exit 5, the config unchanged', async () => {
    await fs.mkdir(cli.tmp + '/.aws', { recursive: true });
    await fs.writeFile(cli.configFile, '# mine\n');
    kc.locked = true;
    const ids = { userPoolId: cli.fake.userPoolId, clientId: 'fakeclient0000000000000001', identityPoolId: cli.fake.identityPoolId, username: 'alice' };
    const r = await run(setupArgv('dev', ids, ['--no-verify']), `${PASSWORD}\n`);
    expectFailure(r, 5, `cognito-creds: cannot write the keychain: it is locked (Cannot create an item in a locked collection)\n${UNLOCK}`);
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe('# mine\n');
    expect(kc.entries.size).toBe(0);
  });
});

describe('setup again on a locked keyring', () => {
  it('finds the stored password locked before any question is worth asking or request sent: exit 5, nothing changed', async () => {
    await profile();
    kc.entries.set('dev:password', PASSWORD);
    const before = await fs.readFile(cli.configFile, 'utf8');
    kc.locked = true;
    const ids = { userPoolId: cli.fake.userPoolId, clientId: 'fakeclient0000000000000001', identityPoolId: cli.fake.identityPoolId, username: 'alice' };
    const r = await run(setupArgv('dev', ids, ['--auth-flow', 'USER_PASSWORD_AUTH']), `${PASSWORD}\n`);
    expectFailure(r, 5, `cognito-creds: profile "dev": the keychain is locked, so setup cannot keep the profile's secrets; nothing was sent or saved\n${UNLOCK}`);
    expect(cli.fake.requests).toHaveLength(0);
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe(before);
    expect(Object.fromEntries(kc.entries)).toEqual({ 'dev:password': PASSWORD });
  });
});

describe('remove is all or nothing', () => {
  it('a secret that cannot be deleted (the store fails midway): the ones deleted are put back, the section stays, exit 5', async () => {
    await profile();
    const before = await fs.readFile(cli.configFile, 'utf8');
    const store = new (class extends MemorySecretStore {
      override async delete(account: string): Promise<boolean> {
        if (account === 'dev:totp-secret') throw keychainError('delete', new Error('The name org.freedesktop.secrets was not provided by any .service files'), 'linux');
        return super.delete(account);
      }
    })();
    await store.set('dev:password', PASSWORD);
    await store.set('dev:client-secret', 'cs');
    const r = await cli.run(['remove', '--profile', 'dev'], { secrets: async () => store });
    expectFailure(
      r,
      5,
      'cognito-creds: cannot delete the keychain: no usable D-Bus Secret Service (The name org.freedesktop.secrets was not provided by any .service files); nothing was removed\n' +
        '  Unlock your desktop keyring. With none (a headless box, WSL): run `dbus-run-session -- bash`, then `gnome-keyring-daemon --unlock --components=secrets`, or keep the secrets in an encrypted file: `cognito-creds setup --secret-store file` (docs/troubleshooting.md).\n',
    );
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe(before);
    expect(Object.fromEntries(store.entries)).toEqual({ 'dev:password': PASSWORD, 'dev:client-secret': 'cs' });
  });
});

describe("the secrets file's locked state: a wrong passphrase", () => {
  it('remove and logout: exit 5, nothing removed, the file and the section unchanged', async () => {
    await cli.writeProfile('cognito_secret_store = file\n');
    const file = path.join(cli.tmp, 'data', 'cognito-creds', 'secrets.json');
    const right = new FileSecretStore({ file, passphrase: async () => 'right', kdfCost: 16 });
    await right.set('dev:password', PASSWORD);
    await right.set('dev:refresh-token', '{"not":"read"}');
    const bytes = await fs.readFile(file);
    const config = await fs.readFile(cli.configFile, 'utf8');
    const wrong = new FileSecretStore({ file, passphrase: async () => 'wrong', kdfCost: 16 });
    for (const argv of [['remove', '--profile', 'dev'], ['logout', '--profile', 'dev']]) {
      const r = await cli.run(argv, { secrets: async () => wrong });
      const suffix = argv[0] === 'remove' ? '; nothing was removed' : '';
      expectFailure(
        r,
        5,
        `cognito-creds: the passphrase for the secrets file ${file} is wrong${suffix}\n  Set COGNITO_CREDS_FILE_PASSPHRASE to the passphrase you chose at setup (or type it at the prompt).\n`,
      );
    }
    expect(await fs.readFile(file)).toEqual(bytes);
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe(config);
    expect(await right.get('dev:password')).toBe(PASSWORD);
  });
});

describe('a keychain that never answers', () => {
  it('credential-process: one keytar call, the time-out error at the bound, later reads fail at once', async () => {
    await profile();
    const calls: string[] = [];
    let answer: ((v: string | null) => void) | undefined;
    const hanging = new KeytarSecretStore({
      platform: 'linux',
      timeoutMs: 300,
      load: async () => ({
        getPassword: (_s: string, account: string) => {
          calls.push(account);
          // The first call never answers until the test says so; later ones answer at once.
          return answer ? Promise.resolve(null) : new Promise<string | null>((resolve) => (answer = resolve));
        },
        setPassword: async () => undefined,
        deletePassword: async () => false,
      }),
      search: async () => ({ unlocked: [], locked: [] }),
    });
    const r = await cli.run(['credential-process', '--profile', 'dev'], { secrets: async () => hanging });
    expectFailure(
      r,
      5,
      'cognito-creds: cannot read the keychain: no usable D-Bus Secret Service (no answer from the keychain in 0.3 s)\n' +
        '  Unlock your desktop keyring. With none (a headless box, WSL): run `dbus-run-session -- bash`, then `gnome-keyring-daemon --unlock --components=secrets`, or keep the secrets in an encrypted file: `cognito-creds setup --secret-store file` (docs/troubleshooting.md).\n',
      1_500,
    );
    expect(r.ms).toBeGreaterThanOrEqual(290);
    // The prefetched reads after the first did not each start a call that would hold a thread.
    expect(calls).toEqual(['dev:refresh-token']);
    expect(hanging.abandoned).toBe(true);
    answer?.(null);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(hanging.abandoned).toBe(false);
    expect(await hanging.get('dev:password')).toBeNull();
    expect(calls).toEqual(['dev:refresh-token', 'dev:password']);
  });
});
