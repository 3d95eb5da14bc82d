/**
 * The secret-leak test: every command, with and without --debug, run as the built binary in
 * subprocesses against the fake Cognito (an app client with a secret, a user with TOTP MFA) and a
 * private gnome-keyring. Everything printed and every file under the test home is searched for
 * every secret: the password (and a wrong one), the client secret, the TOTP secret, and every
 * refresh, ID and access token and AWS credential the fake issued. The AWS credentials may appear
 * only where that is the point: credential-process's and export's stdout, and the 0600 cache
 * files under $XDG_CACHE_HOME/cognito-creds.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_CLIENT_ID, FakeCognito } from '../fake-cognito/server.js';
import { makeTestHome, runCli, type RunResult, type TestHome } from '../support/env.js';
import { startKeyring, type Keyring } from '../support/keyring.js';
import { describeWith } from '../support/tools.js';
import { listFiles, setupArgv } from '../support/argv.js';

const tag = randomBytes(6).toString('hex');
const PASSWORD = `Leak-"pw"-$HOME-\\-ü-${tag}`;
const WRONG_PASSWORD = `Wrong-'pw'-${tag}`;
const CLIENT_SECRET = `leakclientsecret${tag}0123456789abcdefghij`;
const TOTP_SECRET = 'KRSXG5CTMVRXEZLUNFXGOIDUN5ZHA2LOM4YTEMZU';

interface Call {
  argv: string[];
  debug: boolean;
  /** credential-process or export: printing the AWS credentials on stdout is their job. */
  printsCredentials: boolean;
  result: RunResult;
}

/** The forms a secret could take in a text: as is, JSON-escaped, and (for files read as latin1) its UTF-8 bytes. */
function forms(secret: string): string[] {
  const out = new Set([secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret, 'utf8').toString('latin1')]);
  // A long value could leak in part (a keychain chunk, a truncated log line): its two ends too.
  if (secret.length > 120) {
    out.add(secret.slice(0, 48));
    out.add(secret.slice(-48));
  }
  return [...out];
}

function found(text: string, secrets: Array<[string, string]>): string[] {
  const hits: string[] = [];
  for (const [label, secret] of secrets) for (const form of forms(secret)) if (text.includes(form)) hits.push(label);
  return [...new Set(hits)];
}

const JWT = /eyJ[A-Za-z0-9_-]+\.eyJ/;

describeWith(['keyring'], 'no secret leaks from any command (fake Cognito with a client secret and TOTP, gnome-keyring)', () => {
  let fake: FakeCognito;
  let home: TestHome;
  let keyring: Keyring;
  let env: Record<string, string>;
  const calls: Call[] = [];

  /** The user again with the same sub and secret, so that a second sign-in within one 30 s TOTP step is accepted. */
  const freshTotpStep = () => {
    const sub = fake.getUser('alice')!.sub;
    fake.removeUser('alice');
    fake.addUser({ username: 'alice', password: PASSWORD, totpSecret: TOTP_SECRET, sub });
  };

  // Secrets reach the program only through stdin (the password) and the environment (the client
  // and TOTP secrets); no argv below carries one, and the last test checks that it is so.
  const run = async (argv: string[], expectCode: number, opts: { input?: string; env?: Record<string, string> } = {}): Promise<RunResult> => {
    freshTotpStep();
    const result = await runCli(argv, { env: { ...env, ...opts.env }, ...(opts.input !== undefined ? { input: opts.input } : {}), timeoutMs: 60_000 });
    const command = argv[0] ?? '';
    calls.push({ argv, debug: argv.includes('--debug'), printsCredentials: command === 'credential-process' || command === 'export', result });
    expect({ argv, code: result.code, timedOut: result.timedOut }, result.stderr).toEqual({ argv, code: expectCode, timedOut: false });
    return result;
  };
  const both = async (argv: string[], expectCode: number, opts: { input?: string; env?: Record<string, string> } = {}, before?: () => Promise<unknown>) => {
    for (const debug of [false, true]) {
      await before?.();
      await run(debug ? [argv[0]!, '--debug', ...argv.slice(1)] : argv, expectCode, opts);
    }
  };

  const setupArgs = (profile: string, extra: string[] = []) =>
    setupArgv(profile, { userPoolId: fake.userPoolId, clientId: DEFAULT_CLIENT_ID, identityPoolId: fake.identityPoolId, username: 'alice' }, extra);
  const secretEnv = { COGNITO_CLIENT_SECRET: CLIENT_SECRET, COGNITO_TOTP_SECRET: TOTP_SECRET };
  const cacheDir = () => path.join(home.cacheDir, 'cognito-creds');
  const dropCache = () => fs.rm(cacheDir(), { recursive: true, force: true });
  const logout = () => runCli(['logout', '--profile', 'leak'], { env });

  beforeAll(async () => {
    fake = new FakeCognito({
      clients: [{ clientId: DEFAULT_CLIENT_ID, clientSecret: CLIENT_SECRET }],
      users: [{ username: 'alice', password: PASSWORD, totpSecret: TOTP_SECRET }],
    });
    await fake.start();
    home = await makeTestHome();
    keyring = await startKeyring(home.home);
    env = { ...home.env, ...keyring.env, AWS_ENDPOINT_URL: fake.url, SHELL: '/bin/bash' };
  });
  afterAll(async () => {
    await keyring?.stop();
    await fake?.stop();
    await home?.cleanup();
  });

  it('runs every command, with and without --debug', async () => {
    // setup, scripted: the password on stdin, the client and TOTP secrets in the environment.
    await both(setupArgs('leak'), 0, { input: `${PASSWORD}\n`, env: secretEnv });
    // credential-process: warm (setup cached the credentials), cold (refresh token), after logout (password + TOTP).
    await both(['credential-process', '--profile', 'leak'], 0);
    await both(['credential-process', '--profile', 'leak'], 0, {}, dropCache);
    await both(['credential-process', '--profile', 'leak'], 0, {}, logout);
    await both(['status'], 0);
    await both(['status', '--profile', 'leak'], 0);
    await both(['doctor', '--profile', 'leak'], 0);
    for (const format of ['sh', 'fish', 'powershell', 'dotenv', 'json']) await both(['export', '--profile', 'leak', '--format', format], 0);
    await both(['export', '--profile', 'leak'], 0, {}, dropCache);
    await both(['exec', '--profile', 'leak', '--', process.execPath, '-e', '0'], 0);
    await both(['completion'], 0);
    await both(['--help'], 0);
    await both(['setup', '--help'], 0);
    // Failing calls.
    await both(setupArgs('bad'), 4, { input: `${WRONG_PASSWORD}\n`, env: secretEnv });
    await run([...setupArgs('bad'), '--no-verify'], 0, { input: `${WRONG_PASSWORD}\n`, env: secretEnv });
    // 'bad' is the same identity as 'leak', so it shares its cache entry: drop it to make it sign in.
    await both(['credential-process', '--profile', 'bad'], 4, {}, dropCache);
    await both(['export', '--profile', 'bad', '--format', 'json'], 4, {}, dropCache);
    await both(['credential-process', '--profile', 'nope'], 3);
    await both(['exec', '--profile', 'nope', '--', process.execPath, '-e', '0'], 3);
    await both(['logout', '--profile', 'leak'], 0);
    await both(['remove', '--profile', 'bad'], 0, {}, () => run([...setupArgs('bad'), '--no-verify'], 0, { input: `${WRONG_PASSWORD}\n`, env: secretEnv }));
    await run(['remove', '--profile', 'leak'], 0);
    await run(['remove', '--profile', 'leak', '--debug'], 3);

    expect(calls.length).toBeGreaterThan(50);
    // The fake really issued what is searched for below.
    expect(fake.issuedTokens.filter((t) => t.refreshToken).length).toBeGreaterThanOrEqual(4);
    expect(fake.issued.length).toBeGreaterThanOrEqual(6);
    expect(fake.answeredChallenges.some((c) => c.challengeName === 'SOFTWARE_TOKEN_MFA' && c.outcome === 'tokens')).toBe(true);
  });

  const neverSecrets = (): Array<[string, string]> => [
    ['the password', PASSWORD],
    ['the wrong password', WRONG_PASSWORD],
    ['the client secret', CLIENT_SECRET],
    ['the TOTP secret', TOTP_SECRET],
    ...fake.issuedTokens.flatMap((t, i): Array<[string, string]> => [
      [`ID token #${i}`, t.idToken],
      [`access token #${i}`, t.accessToken],
      ...(t.refreshToken ? [[`refresh token #${i}`, t.refreshToken] as [string, string]] : []),
    ]),
  ];
  const credentials = (): Array<[string, string]> =>
    fake.issued.flatMap((c, i): Array<[string, string]> => [
      [`AccessKeyId #${i}`, c.accessKeyId],
      [`SecretKey #${i}`, c.secretKey],
      [`SessionToken #${i}`, c.sessionToken],
    ]);

  it('prints no secret; the AWS credentials only on the stdout of credential-process and export', () => {
    expect(calls.length).toBeGreaterThan(50);
    const leaks: string[] = [];
    for (const call of calls) {
      const where = `${call.argv.join(' ')}`;
      for (const label of found(call.result.stdout, neverSecrets())) leaks.push(`${label} on the stdout of ${where}`);
      for (const label of found(call.result.stderr, [...neverSecrets(), ...credentials()])) leaks.push(`${label} on the stderr of ${where}`);
      if (!call.printsCredentials) for (const label of found(call.result.stdout, credentials())) leaks.push(`${label} on the stdout of ${where}`);
    }
    expect(leaks).toEqual([]);
    // The search does find what is there: credential-process printed the credentials it was given.
    const printed = calls.filter((c) => c.printsCredentials && c.result.code === 0);
    expect(printed.length).toBeGreaterThan(10);
    for (const c of printed) expect(found(c.result.stdout, credentials()).length).toBeGreaterThan(0);
  });

  it('never shows a JWT, not even with --debug', () => {
    const debugRuns = calls.filter((c) => c.debug);
    expect(debugRuns.length).toBeGreaterThanOrEqual(25);
    for (const c of debugRuns) expect(c.result.stderr, c.argv.join(' ')).not.toMatch(JWT);
    for (const c of calls) expect(`${c.result.stdout}${c.result.stderr}`, c.argv.join(' ')).not.toMatch(JWT);
    // --debug did log the sign-in steps (and the ID token only as its sub and expiry).
    expect(debugRuns.map((c) => c.result.stderr).join('')).toMatch(/\[debug \+\d+ms\] id token jwt\(sub=[0-9a-f-]+, exp=\d{4}-/);
  });

  it('leaves no secret in any file under the home; the credentials only in 0600 cache files', async () => {
    // The cache files were removed by remove/logout: sign in once more so that one is there to check.
    expect((await runCli([...setupArgs('leak')], { env: { ...env, ...secretEnv }, input: `${PASSWORD}\n` })).code).toBe(0);
    const files = await listFiles(home.home);
    const cacheFiles = files.filter((f) => path.dirname(f) === cacheDir() && f.endsWith('.json'));
    expect(cacheFiles.length).toBeGreaterThan(0);
    expect(files.some((f) => f.startsWith(keyring.keyringDir))).toBe(true);
    const leaks: string[] = [];
    for (const file of files) {
      const text = await fs.readFile(file, 'latin1');
      for (const label of found(text, neverSecrets())) leaks.push(`${label} in ${file}`);
      if (!cacheFiles.includes(file)) for (const label of found(text, credentials())) leaks.push(`${label} in ${file}`);
      if (JWT.test(text)) leaks.push(`a JWT in ${file}`);
    }
    expect(leaks).toEqual([]);
    for (const file of cacheFiles) {
      expect((await fs.stat(file)).mode & 0o777, file).toBe(0o600);
      expect(found(await fs.readFile(file, 'latin1'), credentials()).length).toBeGreaterThan(0);
    }
    expect((await fs.stat(cacheDir())).mode & 0o777).toBe(0o700);
  });

  it('no command line carried a secret (secrets went through stdin and the environment only)', () => {
    expect(calls.length).toBeGreaterThan(50);
    const all = [...neverSecrets(), ...credentials()];
    for (const c of calls) expect(found(c.argv.join('\u0000'), all), c.argv.join(' ')).toEqual([]);
  });
});
