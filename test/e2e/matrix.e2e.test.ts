/**
 * The rows of the fault matrix that need a real process: the built binary in subprocesses with an
 * exact environment, a private gnome-keyring, and the fake Cognito (run in this test process, so
 * that its failures can be scripted). Each failing row asserts the exit code, an EMPTY stdout, the
 * exact stderr (a pattern only where a part varies) and a bound on the time. The quick rows are in
 * test/unit/matrix.test.ts; this file holds the suite's one slow row (the default 25 s timeout).
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { FakeCognito } from '../fake-cognito/server.js';
import { CLI_BIN, makeTestHome, runCli, type RunResult, type TestHome } from '../support/env.js';
import { keytarInChild, startKeyring, type Keyring } from '../support/keyring.js';
import { describeWith } from '../support/tools.js';
import { setupArgv } from '../support/argv.js';

const PASSWORD = 'E2e-Matrix-Pw-1!';
const CLIENT = 'fakeclient0000000000000001';

function expectFailure(r: RunResult, code: number, stderr: string | RegExp, maxMs: number): void {
  expect({ code: r.code, stdout: r.stdout, timedOut: r.timedOut }).toEqual({ code, stdout: '', timedOut: false });
  if (typeof stderr === 'string') expect(r.stderr).toBe(stderr);
  else expect(r.stderr).toMatch(stderr);
  expect(r.ms).toBeLessThan(maxMs);
}

describeWith(['keyring'], 'the fault matrix in subprocesses (fake Cognito, gnome-keyring)', () => {
  let fake: FakeCognito;
  let home: TestHome;
  let keyring: Keyring;
  let env: Record<string, string>;

  const setupArgs = (profile: string, extra: string[] = []) =>
    setupArgv(profile, { userPoolId: fake.userPoolId, clientId: CLIENT, identityPoolId: fake.identityPoolId, username: 'alice' }, extra);
  const profileSection = (name: string) =>
    `[profile ${name}]\ncognito_user_pool_id = ${fake.userPoolId}\ncognito_client_id = ${CLIENT}\n` +
    `cognito_identity_pool_id = ${fake.identityPoolId}\ncognito_username = alice\n`;
  const keychainGet = async (account: string) => (await keytarInChild(env, 'get', 'cognito-creds', account)).value;
  const awsDirEntries = async () => (await fs.readdir(path.dirname(home.configFile))).sort();

  beforeAll(async () => {
    fake = new FakeCognito({ users: [{ username: 'alice', password: PASSWORD }] });
    await fake.start();
    home = await makeTestHome();
    keyring = await startKeyring(home.home);
    env = { ...home.env, ...keyring.env, AWS_ENDPOINT_URL: fake.url };
  });
  afterAll(async () => {
    await keyring?.stop();
    await fake?.stop();
    await home?.cleanup();
  });
  beforeEach(async () => {
    fake.clearFailures();
    fake.requests.length = 0;
    await fs.writeFile(home.configFile, '');
    await fs.rm(path.join(home.cacheDir, 'cognito-creds'), { recursive: true, force: true });
  });

  it('unknown flags exit 2 from a real process, stdout empty', async () => {
    for (const [argv, flag] of [
      [['credential-process', '--bogus'], 'bogus'],
      [['setup', '--nope', 'x'], 'nope'],
    ] as const) {
      const r = await runCli([...argv], { env, input: `${PASSWORD}\n` });
      expectFailure(r, 2, `cognito-creds: Unknown argument: ${flag}\n  Run \`cognito-creds --help\` for the commands and their options.\n`, 10_000);
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('the keychain entry is missing: exit 5, nothing sent', async () => {
    await fs.writeFile(home.configFile, profileSection('nopw'));
    const r = await runCli(['credential-process', '--profile', 'nopw'], { env });
    expectFailure(
      r,
      5,
      'cognito-creds: profile "nopw": no password for "alice" is stored in the keychain\n  Run `cognito-creds setup --profile nopw` to store it.\n',
      10_000,
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('the keychain is unreachable (no D-Bus session bus, no XDG_RUNTIME_DIR): setup saves nothing, credential-process and logout fail clearly', async () => {
    const noBus = { ...env };
    delete noBus.DBUS_SESSION_BUS_ADDRESS;
    delete noBus.XDG_RUNTIME_DIR;
    const hint =
      '  Unlock your desktop keyring. With none (a headless box, WSL): run `dbus-run-session -- bash`, then `gnome-keyring-daemon --unlock --components=secrets`, or keep the secrets in an encrypted file: `cognito-creds setup --secret-store file` (docs/troubleshooting.md).\n';
    const pattern = (what: string) => new RegExp(`^cognito-creds: cannot ${what} the keychain: no usable D-Bus Secret Service \\(.+\\)\\n${escapeRegExp(hint)}$`);

    const before = `# mine\n${profileSection('dev')}`;
    await fs.writeFile(home.configFile, before);
    const setup = await runCli(setupArgs('fresh'), { env: noBus, input: `${PASSWORD}\n`, timeoutMs: 40_000 });
    expectFailure(setup, 5, pattern('read'), 35_000);
    expect(await fs.readFile(home.configFile, 'utf8')).toBe(before);
    expect(await awsDirEntries()).toEqual(['config', 'credentials']);

    fake.requests.length = 0; // setup signed in before it reached the keychain
    const cp = await runCli(['credential-process', '--profile', 'dev'], { env: noBus, timeoutMs: 40_000 });
    expectFailure(cp, 5, pattern('read'), 35_000);
    expect(fake.requests).toHaveLength(0);

    const logout = await runCli(['logout', '--profile', 'dev'], { env: noBus, timeoutMs: 40_000 });
    expectFailure(logout, 5, pattern('read'), 35_000);
  });

  it('a server that accepts and never answers, with the DEFAULT timeout: the whole call ends within 30 s', async () => {
    await fs.writeFile(home.configFile, profileSection('dev'));
    expect((await runCli([...setupArgs('dev'), '--no-verify'], { env, input: PASSWORD })).code).toBe(0);
    fake.requests.length = 0;
    fake.failNext('*', { kind: 'hang' }, 10);
    const r = await runCli(['credential-process', '--profile', 'dev'], { env, timeoutMs: 45_000 });
    console.log(`the one slow row: a hanging Cognito with the default timeout took ${r.ms} ms`);
    expectFailure(
      r,
      6,
      `cognito-creds: profile "dev": no answer from Cognito at ${fake.url} within 25 s (InitiateAuth)\n` +
        '  Check your network or proxy; set COGNITO_CREDS_TIMEOUT (seconds) to wait longer.\n',
      30_000,
    );
    expect(r.ms).toBeGreaterThanOrEqual(24_000);
    expect(fake.count('InitiateAuth')).toBeGreaterThanOrEqual(1);
  });

  it('the cache directory cannot be used: credentials still printed, one warning line', async () => {
    await fs.writeFile(home.configFile, profileSection('dev') + 'cognito_auth_flow = USER_PASSWORD_AUTH\n');
    expect((await runCli([...setupArgs('dev'), '--no-verify'], { env, input: PASSWORD })).code).toBe(0);
    const blocker = path.join(home.home, 'cache-is-a-file');
    await fs.writeFile(blocker, '');
    const r = await runCli(['credential-process', '--profile', 'dev'], { env: { ...env, XDG_CACHE_HOME: blocker } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).AccessKeyId).toBe(fake.issued.at(-1)!.accessKeyId);
    expect(r.stderr).toBe(
      `cognito-creds: warning: cannot use the cache directory ${blocker}/cognito-creds: a part of the path is not a directory; the credentials are not cached\n`,
    );
  });

  it('setup cannot write the config after signing in: exact error, config unchanged, keyring entries put back', async () => {
    const before = `# mine\r\n[default]\r\nregion = eu-west-1\r\n`;
    await fs.writeFile(home.configFile, before);
    await keytarInChild(env, 'set', 'cognito-creds', 'locked:password', 'old-password');
    await keytarInChild(env, 'delete', 'cognito-creds', 'locked:totp-secret');
    // Root ignores permissions: the lock file's path taken by a directory is what stops the write.
    const lock = `${home.configFile}.cognito-creds.lock`;
    await fs.mkdir(lock);
    try {
      const r = await runCli(setupArgs('locked'), { env: { ...env, COGNITO_TOTP_SECRET: 'JBSWY3DPEHPK3PXP' }, input: `${PASSWORD}\n` });
      expectFailure(
        r,
        3,
        `cognito-creds: cannot write the AWS config file ${home.configFile}: its lock file ${home.configFile}.cognito-creds.lock: it is a directory; it was left as it was\n  Check the permissions of the directory; remove ${home.configFile}.cognito-creds.lock if it is not a lock file of a running cognito-creds.\n`,
        15_000,
      );
      expect(fake.count('GetCredentialsForIdentity')).toBe(1);
    } finally {
      await fs.rmdir(lock);
    }
    expect(await fs.readFile(home.configFile, 'utf8')).toBe(before);
    expect(await awsDirEntries()).toEqual(['config', 'credentials']);
    expect(await keychainGet('locked:password')).toBe('old-password');
    expect(await keychainGet('locked:totp-secret')).toBeNull();
    expect(await keychainGet('locked:refresh-token')).toBeNull();
  });

  it('two setups at once in separate processes, for different profiles: both sections land, no lock file left', async () => {
    const before = '# two at once\n[default]\nregion = eu-west-1\n';
    await fs.writeFile(home.configFile, before);
    const names = ['par-one', 'par-two'];
    const results = await Promise.all(names.map((name) => runCli(setupArgs(name, ['--auth-flow', 'USER_PASSWORD_AUTH']), { env, input: `${PASSWORD}\n` })));
    for (const r of results) expect([r.code, r.stderr]).toEqual([0, '']);
    const text = await fs.readFile(home.configFile, 'utf8');
    expect(text.startsWith(before)).toBe(true);
    expect(text.match(/^\[profile [^\]]+\]$/gm)?.sort()).toEqual(['[profile par-one]', '[profile par-two]']);
    for (const name of names) {
      expect(text).toContain(`\n[profile ${name}]\ncredential_process = ${process.execPath} ${CLI_BIN} credential-process --profile ${name}\n`);
      expect(await keychainGet(`${name}:password`)).toBe(PASSWORD);
    }
    expect(await awsDirEntries()).toEqual(['config', 'credentials']);
    for (const name of names) {
      const r = await runCli(['credential-process', '--profile', name], { env });
      expect([r.code, r.stderr]).toEqual([0, '']);
    }
  });

  it('kill -9 during setup (its sign-in hangs): the config is unchanged, no temp or lock file, and the next setup works', async () => {
    const before = `# keep\n${profileSection('other')}`;
    await fs.writeFile(home.configFile, before);
    const mode = (await fs.stat(home.configFile)).mode;
    fake.failNext('InitiateAuth', { kind: 'hang' }, 1);
    const child = spawn(process.execPath, [CLI_BIN, ...setupArgs('killed')], { env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.end(`${PASSWORD}\n`);
    for (let i = 0; i < 400 && fake.count('InitiateAuth') === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(fake.count('InitiateAuth')).toBe(1);
    const exited = new Promise((r) => child.on('exit', (_code, signal) => r(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    expect(await fs.readFile(home.configFile, 'utf8')).toBe(before);
    expect((await fs.stat(home.configFile)).mode).toBe(mode);
    expect(await awsDirEntries()).toEqual(['config', 'credentials']);
    expect(await keychainGet('killed:password')).toBeNull();

    const again = await runCli(setupArgs('killed'), { env, input: `${PASSWORD}\n` });
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(again.ms).toBeLessThan(15_000);
    const after = await fs.readFile(home.configFile, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.match(/^\[profile killed\]$/gm)).toHaveLength(1);
    expect(await awsDirEntries()).toEqual(['config', 'credentials']);
  });

  // A UTF-8 character split across two reads of the pipe must not become U+FFFD: stdin is decoded
  // as a whole, not chunk by chunk.
  it('a non-ASCII password piped in two writes that split a character is stored intact', async () => {
    const password = 'Pässwörd-密码-1';
    const bytes = Buffer.from(`${password}\n`, 'utf8');
    const cut = bytes.indexOf(Buffer.from('密', 'utf8')) + 1; // inside the 3 bytes of 密
    const child = spawn(process.execPath, [CLI_BIN, ...setupArgs('split'), '--no-verify'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stdin.write(bytes.subarray(0, cut));
    await new Promise((r) => setTimeout(r, 300));
    child.stdin.end(bytes.subarray(cut));
    expect([await exited, stderr]).toEqual([0, '']);
    expect(await keychainGet('split:password')).toBe(password);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
