/**
 * Fault-matrix rows for paths that are not regular files, and for lock leftovers, against the
 * BUILT binary (`npm run build` first) in subprocesses, with the fake Cognito in this process and
 * the encrypted file store (no keyring needed). In a subprocess because a FIFO opened the wrong way
 * would block forever: here the child is killed at its time-out and the row fails instead.
 * Each row asserts the exit code, stdout (the credentials, or nothing), the exact stderr, a bound
 * on the time, and that what was planted is left as it was.
 */
import { promises as fs, lstatSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeCognito } from '../fake-cognito/server.js';
import { CLI_BIN, makeTestHome, runCli, runCommand, type RunResult, type TestHome } from '../support/env.js';
import { setupArgv } from '../support/argv.js';
import { SpecialFiles } from '../support/special-files.js';

const PASSWORD = 'Files-Matrix-Pw-1!';
const PASSPHRASE = 'files matrix passphrase';
const CLIENT = 'fakeclient0000000000000001';
/** A sign-in by a cold process, with the file store's scrypt, on a busy 2-CPU machine. */
const FEW_S = 8_000;
/** A child blocked on a FIFO is killed at its time-out (20 s): no rescuer needed before that. */
const NO_RESCUE = 60_000;

describe('the fault matrix: files that are not regular files, and lock leftovers (built binary, fake Cognito, file store)', () => {
  let fake: FakeCognito;
  let home: TestHome;
  let env: Record<string, string>;
  let special: SpecialFiles;
  const cacheDir = () => path.join(home.cacheDir, 'cognito-creds');
  const cp = (extraEnv: Record<string, string> = {}) => runCli(['credential-process', '--profile', 'dev'], { env: { ...env, ...extraEnv }, timeoutMs: 20_000 });
  const setupArgs = (profile: string) =>
    setupArgv(profile, { userPoolId: fake.userPoolId, clientId: CLIENT, identityPoolId: fake.identityPoolId, username: 'alice' }, ['--auth-flow', 'USER_PASSWORD_AUTH', '--secret-store', 'file']);
  /** The credential_process JSON of the last credentials the fake issued. */
  const issuedJson = () => {
    const issued = fake.issued.at(-1)!;
    return (
      `{"Version":1,"AccessKeyId":"${issued.accessKeyId}","SecretAccessKey":"${issued.secretKey}","SessionToken":"${issued.sessionToken}",` +
      `"Expiration":"${new Date(issued.expiration * 1000).toISOString().replace('.000Z', 'Z')}"}\n`
    );
  };
  const kind = (file: string) => {
    const s = lstatSync(file);
    return s.isFIFO() ? 'fifo' : s.isSocket() ? 'socket' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  };
  /** The cache key of profile dev, from the entry a first call wrote; the entry is then removed. */
  let key = '';

  beforeAll(async () => {
    fake = new FakeCognito({ users: [{ username: 'alice', password: PASSWORD }] });
    await fake.start();
    home = await makeTestHome();
    env = { ...home.env, AWS_ENDPOINT_URL: fake.url, COGNITO_CREDS_FILE_PASSPHRASE: PASSPHRASE };
    const setup = await runCli([...setupArgs('dev'), '--no-verify'], { env, input: `${PASSWORD}\n` });
    expect([setup.code, setup.stderr]).toEqual([0, '']);
    const first = await cp();
    expect([first.code, first.stderr]).toEqual([0, '']);
    const entries = (await fs.readdir(cacheDir())).filter((f) => f.endsWith('.json'));
    expect(entries).toHaveLength(1);
    key = entries[0]!.replace(/\.json$/, '');
  });
  afterAll(async () => {
    await fake?.stop();
    await home?.cleanup();
  });
  beforeEach(async () => {
    special = new SpecialFiles();
    for (const name of await fs.readdir(cacheDir())) {
      if (!name.startsWith('v8-provider-')) await fs.rm(path.join(cacheDir(), name), { recursive: true, force: true });
    }
    fake.requests.length = 0;
  });
  afterEach(async () => {
    await special.close();
  });

  const entryFile = () => path.join(cacheDir(), `${key}.json`);
  const lockFile = () => path.join(cacheDir(), `${key}.lock`);

  function expectSignedIn(r: RunResult, stderr: string): void {
    expect({ code: r.code, timedOut: r.timedOut, stderr: r.stderr, stdout: r.stdout }).toEqual({ code: 0, timedOut: false, stderr, stdout: issuedJson() });
    expect(fake.count('GetCredentialsForIdentity')).toBe(1);
    expect(r.ms).toBeLessThan(FEW_S);
  }

  it.each<[string, (file: string) => Promise<unknown>, string, string]>([
    ['a FIFO', async (f) => special.fifo(f, NO_RESCUE), 'fifo', 'a FIFO'],
    ['a unix socket', (f) => special.socket(f), 'socket', 'a socket'],
    ['a directory', (f) => fs.mkdir(f), 'dir', 'a directory'],
  ])('%s at the cache entry: credentials printed after a sign-in, exactly one warning, exit 0; status does not hang either', async (_name, make, expectedKind, what) => {
    await make(entryFile());
    const r = await cp();
    expectSignedIn(r, `cognito-creds: warning: the cache entry ${entryFile()} is ${what}, not a regular file; the credentials are not cached\n`);
    expect(kind(entryFile())).toBe(expectedKind);

    const status = await runCli(['status', '--profile', 'dev'], { env, timeoutMs: 20_000 });
    expect([status.code, status.stderr, status.timedOut]).toEqual([0, '', false]);
    expect(status.stdout).toContain(`\n  credentials: cache unusable (the cache entry ${entryFile()} is ${what}, not a regular file)\n`);
    expect(status.ms).toBeLessThan(FEW_S);
    expect(kind(entryFile())).toBe(expectedKind);
  });

  it('a FIFO at the cache lock: credentials printed after a sign-in, exactly one warning, exit 0, nothing cached, the FIFO left', async () => {
    special.fifo(lockFile(), NO_RESCUE);
    const r = await cp();
    expectSignedIn(r, `cognito-creds: warning: the lock file ${lockFile()} is a FIFO, not a regular file; the credentials are not cached\n`);
    expect(kind(lockFile())).toBe('fifo');
    expect(await fs.stat(entryFile()).catch(() => 'absent')).toBe('absent');
  });

  it('the lock file cannot be written (a file size limit of 0: EFBIG, as ENOSPC would): no lock left, and the next call does not wait', async () => {
    // SIGXFSZ ignored, so that the write fails with EFBIG instead of killing the process.
    const limited = await runCommand('sh', ['-c', `trap '' XFSZ; ulimit -f 0; exec "$0" "$@"`, process.execPath, CLI_BIN, 'credential-process', '--profile', 'dev'], {
      env,
      timeoutMs: 20_000,
    });
    expectSignedIn(limited, `cognito-creds: warning: cannot take the lock file ${lockFile()}: EFBIG; the credentials are not cached\n`);
    expect((await fs.readdir(cacheDir())).filter((f) => !f.startsWith('v8-provider-'))).toEqual([]);

    fake.requests.length = 0;
    const next = await cp();
    expectSignedIn(next, '');
    expect((await fs.readdir(cacheDir())).filter((f) => !f.startsWith('v8-provider-'))).toEqual([`${key}.json`]);
  });

  it('an empty lock file left by an earlier failed write: not waited on (before: 45 s), broken, the credentials cached', async () => {
    await fs.writeFile(lockFile(), '', { mode: 0o600 });
    const past = new Date(Date.now() - 60_000);
    await fs.utimes(lockFile(), past, past);
    const r = await cp();
    expectSignedIn(r, '');
    expect((await fs.readdir(cacheDir())).filter((f) => !f.startsWith('v8-provider-'))).toEqual([`${key}.json`]);
  });

  it('a FIFO at the V8 code cache of the sign-in module: the sign-in neither blocks nor warns; the FIFO left', async () => {
    const [codeCache] = (await fs.readdir(cacheDir())).filter((f) => f.startsWith('v8-provider-'));
    expect(codeCache).toBeDefined();
    const file = path.join(cacheDir(), codeCache!);
    await fs.rm(file);
    special.fifo(file, NO_RESCUE);
    const r = await cp();
    expectSignedIn(r, '');
    expect(kind(file)).toBe('fifo');
    await fs.rm(file); // the next cold call writes a new one
  });

  it('a FIFO at the config lock during setup: exit 3, exact message, nothing printed, the config and the FIFO left as they were', async () => {
    const before = await fs.readFile(home.configFile, 'utf8');
    const lock = `${home.configFile}.cognito-creds.lock`;
    special.fifo(lock, NO_RESCUE);
    const r = await runCli(setupArgs('second'), { env, input: `${PASSWORD}\n`, timeoutMs: 20_000 });
    expect({ code: r.code, stdout: r.stdout, timedOut: r.timedOut }).toEqual({ code: 3, stdout: '', timedOut: false });
    expect(r.stderr).toBe(
      `cognito-creds: cannot write the AWS config file ${home.configFile}: its lock file ${lock}: it is a FIFO; it was left as it was\n` +
        `  Check the permissions of the directory; remove ${lock} if it is not a lock file of a running cognito-creds.\n`,
    );
    expect(r.ms).toBeLessThan(FEW_S);
    expect(await fs.readFile(home.configFile, 'utf8')).toBe(before);
    expect(kind(lock)).toBe('fifo');
    expect((await fs.readdir(path.dirname(home.configFile))).sort()).toEqual(['config', 'config.cognito-creds.lock', 'credentials']);
    await fs.rm(lock);
  });
});
