/**
 * Fault-matrix rows for the keychain's states (issue 13), with the built binary in subprocesses,
 * the real gnome-keyring in a private D-Bus session and the fake Cognito:
 * - its default collection locked: every command says "locked" (never "no password is stored"),
 *   remove and logout exit 5 and delete nothing;
 * - its daemon frozen (SIGSTOP, so the Secret Service never answers): each command's error comes
 *   at COGNITO_CREDS_KEYCHAIN_TIMEOUT and the process is gone within 3 s of it (it used to live
 *   ~50 s more, waiting for keytar's thread);
 * - setup and remove of one profile in two processes at once: the end state is one of the two.
 * Each failing row asserts the exit code, an empty stdout, the exact stderr and a time bound.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { profilesFromIni } from '../../src/config/ini-parse.js';
import { searchItems } from '../../src/secrets/secret-service.js';
import { FakeCognito } from '../fake-cognito/server.js';
import { makeTestHome, runCli, type RunResult, type TestHome } from '../support/env.js';
import { keytarInChild, startKeyring, type Keyring } from '../support/keyring.js';
import { freezeKeyring, lockDefaultCollection, thawKeyring } from '../support/keyring-states.js';
import { describeWith } from '../support/tools.js';
import { setupArgv } from '../support/argv.js';

const PASSWORD = 'E2e-Keychain-Pw-1!';
const CLIENT = 'fakeclient0000000000000001';
const UNLOCK =
  '  Unlock your keyring (log in to the desktop session, or unlock "Login" in Passwords and Keys), then try again; ' +
  'on a headless box see "The keychain is locked" in docs/troubleshooting.md.\n';
const NO_ANSWER =
  'cognito-creds: cannot read the keychain: no usable D-Bus Secret Service (no answer from the keychain in 2 s)\n' +
  '  Unlock your desktop keyring. With none (a headless box, WSL): run `dbus-run-session -- bash`, then `gnome-keyring-daemon --unlock --components=secrets`, or keep the secrets in an encrypted file: `cognito-creds setup --secret-store file` (docs/troubleshooting.md).\n';

function expectFailure(r: RunResult, code: number, stderr: string, maxMs: number): void {
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut }).toEqual({ code, stdout: '', stderr, timedOut: false });
  expect(r.ms).toBeLessThan(maxMs);
}

/** A fake Cognito, a test home and a private keyring, for one describe block. */
function useWorld() {
  const w = {} as { fake: FakeCognito; home: TestHome; keyring: Keyring; env: Record<string, string> };
  beforeAll(async () => {
    w.fake = new FakeCognito({ users: [{ username: 'alice', password: PASSWORD }] });
    await w.fake.start();
    w.home = await makeTestHome();
    w.keyring = await startKeyring(w.home.home);
    w.env = { ...w.home.env, ...w.keyring.env, AWS_ENDPOINT_URL: w.fake.url };
  });
  afterAll(async () => {
    await w.keyring?.stop();
    await w.fake?.stop();
    await w.home?.cleanup();
  });
  const setupArgs = (profile: string, extra: string[] = []) =>
    setupArgv(profile, { userPoolId: w.fake.userPoolId, clientId: CLIENT, identityPoolId: w.fake.identityPoolId, username: 'alice' }, ['--auth-flow', 'USER_PASSWORD_AUTH', ...extra]);
  const setup = (profile: string, env = w.env) => runCli([...setupArgs(profile), '--no-verify'], { env, input: `${PASSWORD}\n` });
  return { w, setup };
}

describeWith(['keyring'], 'the keychain locked (gnome-keyring answers, its collection is locked)', () => {
  const { w } = useWorld();

  it('keytar itself answers a locked item as a missing one: get null, delete false; set fails', async () => {
    expect(await keytarInChild(w.env, 'set', 'cognito-creds', 'probe:password', 'x')).toEqual({ ok: true, value: true });
    const collection = await lockDefaultCollection(w.keyring);
    expect(await keytarInChild(w.env, 'get', 'cognito-creds', 'probe:password')).toEqual({ ok: true, value: null });
    expect(await keytarInChild(w.env, 'delete', 'cognito-creds', 'probe:password')).toEqual({ ok: true, value: false });
    expect(await keytarInChild(w.env, 'set', 'cognito-creds', 'probe:other', 'y')).toEqual({ ok: false, error: 'Cannot create an item in a locked collection' });
    // The Secret Service tells them apart, without unlocking anything.
    expect(await searchItems({ service: 'cognito-creds', account: 'probe:password' }, w.env)).toEqual({ unlocked: [], locked: [expect.stringContaining(`${collection}/`)] });
    expect(await searchItems({ service: 'cognito-creds', account: 'nobody:password' }, w.env)).toEqual({ unlocked: [], locked: [] });
  });
});

describeWith(['keyring'], 'every command against a locked keyring', () => {
  const { w, setup } = useWorld();

  it('credential-process, status, doctor, logout, remove and setup each say "locked"; nothing is deleted', async () => {
    expect((await setup('dev')).code).toBe(0);
    const cp = () => runCli(['credential-process', '--profile', 'dev'], { env: w.env });
    expect((await cp()).code).toBe(0); // stores a refresh token
    await fs.rm(path.join(w.home.cacheDir, 'cognito-creds'), { recursive: true, force: true });
    const config = await fs.readFile(w.home.configFile, 'utf8');
    await lockDefaultCollection(w.keyring);
    w.fake.requests.length = 0;

    expectFailure(await cp(), 5, `cognito-creds: profile "dev": the keychain is locked, so the password for "alice" cannot be read\n${UNLOCK}`, 10_000);
    expect(w.fake.requests).toHaveLength(0);

    const status = await runCli(['status'], { env: w.env });
    expect([status.code, status.stderr]).toEqual([0, '']);
    expect(status.stdout.split('\n').slice(3, 5)).toEqual([
      '  keychain:    password stored but locked, client secret not stored, TOTP secret not stored, refresh token stored but locked',
      '               the keychain is locked: unlock it to use them (docs/troubleshooting.md, "The keychain is locked")',
    ]);

    const doctor = await runCli(['doctor', '--profile', 'dev'], { env: w.env });
    expect([doctor.code, doctor.stderr]).toEqual([1, '']);
    expect(doctor.stdout).toContain(`FAIL  keychain reachable (D-Bus Secret Service) but locked: the password of profile "dev" is stored and cannot be read\n      ${UNLOCK.trimStart()}`);

    const logout = await runCli(['logout', '--profile', 'dev'], { env: w.env });
    expectFailure(logout, 5, `cognito-creds: profile "dev": the keychain is locked, so its refresh token cannot be deleted; no credentials were cached\n${UNLOCK}`, 10_000);

    const remove = await runCli(['remove', '--profile', 'dev'], { env: w.env });
    expectFailure(remove, 5, `cognito-creds: profile "dev": the keychain is locked, so its password and refresh token cannot be deleted; nothing was removed\n${UNLOCK}`, 10_000);
    expect(await fs.readFile(w.home.configFile, 'utf8')).toBe(config);
    for (const account of ['dev:password', 'dev:refresh-token']) {
      expect((await searchItems({ service: 'cognito-creds', account }, w.env)).locked).toHaveLength(1);
    }

    expectFailure(await setup('other'), 5, `cognito-creds: cannot write the keychain: it is locked (Cannot create an item in a locked collection)\n${UNLOCK}`, 10_000);
    expect(await fs.readFile(w.home.configFile, 'utf8')).toBe(config);
    expect((await fs.readdir(path.dirname(w.home.configFile))).sort()).toEqual(['config', 'credentials']);
  });
});

describeWith(['keyring'], 'a keychain that never answers (gnome-keyring frozen): the process ends with its error', () => {
  const { w, setup } = useWorld();
  const env = () => ({ ...w.env, COGNITO_CREDS_KEYCHAIN_TIMEOUT: '2' });
  /** The error at the 2 s bound, and the process gone within 3 s of it. */
  const BOUND_MS = 5_000;
  let config = '';

  beforeAll(async () => {
    expect((await setup('dev')).code).toBe(0);
    config = await fs.readFile(w.home.configFile, 'utf8');
  });
  afterEach(() => thawKeyring(w.keyring));

  it('credential-process: exit 5 at the bound, empty stdout', async () => {
    freezeKeyring(w.keyring);
    const r = await runCli(['credential-process', '--profile', 'dev'], { env: env(), timeoutMs: 70_000 });
    console.log(`a frozen keychain: credential-process ended after ${r.ms} ms`);
    expectFailure(r, 5, NO_ANSWER, BOUND_MS);
    expect(r.ms).toBeGreaterThanOrEqual(2_000);
    expect(w.fake.requests).toHaveLength(0);
  });

  it('status: exit 0, the keychain "unreachable", within the bound', async () => {
    freezeKeyring(w.keyring);
    const r = await runCli(['status'], { env: env(), timeoutMs: 70_000 });
    expect([r.code, r.stderr, r.timedOut]).toEqual([0, '', false]);
    expect(r.stdout.split('\n')[3]).toBe('  keychain:    unreachable (cannot read the keychain: no usable D-Bus Secret Service (no answer from the keychain in 2 s))');
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it('logout, remove and setup: exit 5 within the bound, the config unchanged', async () => {
    freezeKeyring(w.keyring);
    expectFailure(await runCli(['logout', '--profile', 'dev'], { env: env(), timeoutMs: 70_000 }), 5, NO_ANSWER, BOUND_MS);
    const remove = await runCli(['remove', '--profile', 'dev'], { env: env(), timeoutMs: 70_000 });
    expectFailure(remove, 5, NO_ANSWER.replace('2 s)\n', '2 s); nothing was removed\n'), BOUND_MS);
    expectFailure(await setup('other', env()), 5, NO_ANSWER, BOUND_MS);
    expect(await fs.readFile(w.home.configFile, 'utf8')).toBe(config);
    thawKeyring(w.keyring);
    expect(await keytarInChild(w.env, 'get', 'cognito-creds', 'dev:password')).toEqual({ ok: true, value: PASSWORD });
  });
});

describeWith(['keyring'], 'setup and remove of one profile in two processes at once', () => {
  const { w, setup } = useWorld();

  it('end with the section and the password, or with neither (8 rounds)', async () => {
    const remove = () => runCli(['remove', '--profile', 'race'], { env: w.env });
    for (let round = 0; round < 8; round++) {
      if (round % 2 === 0) expect((await setup('race')).code).toBe(0);
      const [s, r] = await Promise.all([setup('race'), remove()]);
      expect([s.code, s.stderr]).toEqual([0, '']);
      expect([0, 3]).toContain(r.code);
      const section = profilesFromIni(await fs.readFile(w.home.configFile, 'utf8')).has('race');
      const password = (await keytarInChild(w.env, 'get', 'cognito-creds', 'race:password')).value === PASSWORD;
      expect({ round, section, password }).toEqual({ round, section: password, password });
    }
    expect((await fs.readdir(path.dirname(w.home.configFile))).sort()).toEqual(['config', 'credentials']);
  });
});
