/**
 * The fault matrix, continued (issue 13), against the built binary: answers taken on trust and
 * cache entries no sign-in writes. The fake Cognito runs in this test process so that its answers
 * can be rewritten (FakeFailure 'rewrite'); the secrets are in the encrypted file store, so no
 * keyring is needed. Each failing row asserts the exit code, an EMPTY stdout, the exact stderr, a
 * bound on the time and that nothing was cached; botocore then reads the next credentials (it
 * could not parse the `+058887-…Z` that an Expiration in milliseconds used to print). The quick
 * in-process rows are in test/unit/cli/matrix-answers.test.ts.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { FakeCognito, type FakeFailure } from '../fake-cognito/server.js';
import { setupArgv } from '../support/argv.js';
import { viaBotocore } from '../support/consumers.js';
import { makeTestHome, runCli, type RunResult, type TestHome } from '../support/env.js';
import { describeWith } from '../support/tools.js';

const PASSWORD = 'E2e-Answers-Pw-1!';
const PASSPHRASE = 'answers matrix passphrase';
const CLIENT = 'fakeclient0000000000000001';
const MAX_MS = 10_000;

function expectFailure(r: RunResult, code: number, stderr: string): void {
  expect({ code: r.code, stdout: r.stdout, timedOut: r.timedOut }).toEqual({ code, stdout: '', timedOut: false });
  expect(r.stderr).toBe(stderr);
  expect(r.ms).toBeLessThan(MAX_MS);
}

const unreadable = (operation: string, problem: string) =>
  `cognito-creds: profile "dev": Cognito's answer to ${operation} could not be read (${problem})\n` +
  '  A proxy or a wrong AWS_ENDPOINT_URL may stand between you and Cognito.\n';

describeWith(['boto3'], 'Cognito answers and cache entries taken on trust, in subprocesses (fake Cognito, file store)', () => {
  let fake: FakeCognito;
  let home: TestHome;
  let env: Record<string, string>;
  const cacheDir = () => path.join(home.cacheDir, 'cognito-creds');
  const entries = async () => (await fs.readdir(cacheDir()).catch(() => [] as string[])).filter((f) => f.endsWith('.json'));
  const cp = () => runCli(['credential-process', '--profile', 'dev'], { env });
  const credentials = (change: (c: Record<string, unknown>) => void): FakeFailure => ({
    kind: 'rewrite',
    rewrite: (answer) => {
      change(answer.Credentials);
      return answer;
    },
  });

  beforeAll(async () => {
    fake = new FakeCognito({ users: [{ username: 'alice', password: PASSWORD }] });
    await fake.start();
    home = await makeTestHome();
    env = { ...home.env, AWS_ENDPOINT_URL: fake.url, XDG_DATA_HOME: path.join(home.home, '.local', 'share'), COGNITO_CREDS_FILE_PASSPHRASE: PASSPHRASE };
    const ids = { userPoolId: fake.userPoolId, clientId: CLIENT, identityPoolId: fake.identityPoolId, username: 'alice' };
    const setup = await runCli(setupArgv('dev', ids, ['--secret-store', 'file', '--auth-flow', 'USER_PASSWORD_AUTH']), { env, input: `${PASSWORD}\n` });
    expect([setup.code, setup.stderr]).toEqual([0, '']);
  });
  afterAll(async () => {
    await fake?.stop();
    await home?.cleanup();
  });
  beforeEach(async () => {
    fake.clearFailures();
    await fs.rm(cacheDir(), { recursive: true, force: true });
  });

  it('hostile answers: exit 6, nothing printed or cached; botocore then reads good credentials', async () => {
    const rows: Array<[string, FakeFailure, () => string]> = [
      [
        'GetCredentialsForIdentity',
        credentials((c) => void (c.Expiration = (c.Expiration as number) * 1000)),
        () => `Credentials.Expiration ${new Date(fake.issued.at(-1)!.expiration * 1_000_000).toISOString()} is more than 12 hours ahead`,
      ],
      [
        'GetCredentialsForIdentity',
        credentials((c) => void (c.Expiration = (c.Expiration as number) + 100 * 365 * 86_400)),
        () => `Credentials.Expiration ${new Date((fake.issued.at(-1)!.expiration + 100 * 365 * 86_400) * 1000).toISOString()} is more than 12 hours ahead`,
      ],
      ['GetCredentialsForIdentity', credentials((c) => void (c.AccessKeyId = 12345)), () => 'Credentials.AccessKeyId is a number, not a string'],
      ['GetCredentialsForIdentity', credentials((c) => void delete c.SessionToken), () => 'Credentials.SessionToken is missing'],
      ['GetCredentialsForIdentity', credentials((c) => void (c.Expiration = 'tomorrow')), () => 'HTTP 200, TypeError'],
      // The stored refresh token signs in: its InitiateAuth answer is the one rewritten.
      [
        'InitiateAuth',
        { kind: 'rewrite', rewrite: (a) => ({ ...a, AuthenticationResult: { ...a.AuthenticationResult, IdToken: 42 } }) },
        () => 'AuthenticationResult.IdToken is a number, not a string',
      ],
      ['InitiateAuth', { kind: 'rewrite', rewrite: () => ({}) }, () => 'it holds neither tokens nor a challenge'],
    ];
    for (const [operation, failure, problem] of rows) {
      fake.failNext(operation, failure);
      const r = await cp();
      expectFailure(r, 6, unreadable(operation, problem()));
      expect(await entries()).toEqual([]);
    }
    const creds = await viaBotocore('dev', env);
    const issued = fake.issued.at(-1)!;
    expect(creds.accessKeyId).toBe(issued.accessKeyId);
    expect(Date.parse(creds.expiration ?? '')).toBe(issued.expiration * 1000);
  });

  it('planted cache entries with absurd times are misses: signed in anew, overwritten; status and botocore read them', async () => {
    expect((await cp()).code).toBe(0);
    const [name] = await entries();
    const file = path.join(cacheDir(), name!);
    const good = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    const now = Date.now();
    for (const planted of [
      { expiresAt: 8.64e15 + 1 }, // once: "unexpected error: Invalid time value" for every command
      { expiresAt: now * 1000, issuedAt: now }, // year 58887, served as fresh for millennia
      { expiresAt: now + 13 * 3600_000, issuedAt: now },
      { accessKeyId: 12345 },
    ]) {
      await fs.writeFile(file, JSON.stringify({ ...good, ...planted, accessKeyId: planted.accessKeyId ?? 'ASIAPLANTED' }), { mode: 0o600 });
      const status = await runCli(['status', '--profile', 'dev'], { env });
      expect([status.code, status.stderr]).toEqual([0, '']);
      expect(status.stdout).toContain('\n  credentials: none cached\n');
      const before = fake.count('GetCredentialsForIdentity');
      const creds = await viaBotocore('dev', env);
      expect(creds.accessKeyId).toBe(fake.issued.at(-1)!.accessKeyId);
      expect(fake.count('GetCredentialsForIdentity')).toBe(before + 1);
      expect(JSON.parse(await fs.readFile(file, 'utf8')).accessKeyId).toBe(fake.issued.at(-1)!.accessKeyId);
    }
  });
});
