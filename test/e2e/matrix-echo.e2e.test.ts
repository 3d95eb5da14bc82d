/**
 * Echoed and exported text, against the built binary (the in-process rows are in
 * test/unit/cli/matrix-echo.test.ts): exit code, empty stdout, exact stderr, a time bound, the
 * requests the fake Cognito saw. The encrypted file store: no keychain needed.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCognito } from '../fake-cognito/server.js';
import { makeTestHome, runCli, type RunResult, type TestHome } from '../support/env.js';

const PASSWORD = 'Echo-E2e-Pw1!';
const PASSPHRASE = 'echo passphrase';

function expectFailure(r: RunResult, code: number, stderr: string, maxMs = 5_000): void {
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code, stdout: '', stderr });
  expect(r.ms).toBeLessThan(maxMs);
}

describe('echoed and exported text (the built binary, the fake Cognito)', () => {
  let fake: FakeCognito;
  let home: TestHome;
  let env: Record<string, string>;
  const setup = (username: string) => [
    'setup', '--profile', 'dev', '--user-pool-id', fake.userPoolId, '--client-id', fake.clientId, '--identity-pool-id', fake.identityPoolId,
    '--username', username, '--secret-store', 'file', '--auth-flow', 'USER_PASSWORD_AUTH', '--password-stdin',
  ];

  beforeAll(async () => {
    fake = new FakeCognito({ users: [{ username: 'alice', password: PASSWORD }, { username: '#hash', password: PASSWORD }] });
    await fake.start();
    home = await makeTestHome();
    env = { ...home.env, AWS_ENDPOINT_URL: fake.url, XDG_DATA_HOME: path.join(home.home, '.local', 'share'), COGNITO_CREDS_FILE_PASSPHRASE: PASSPHRASE };
  });
  afterAll(async () => {
    await fake?.stop();
    await home?.cleanup();
  });

  it('a username starting with # is refused before any request; nothing is written', async () => {
    const r = await runCli(setup('#hash'), { env, input: `${PASSWORD}\n` });
    expectFailure(
      r,
      2,
      'cognito-creds: --username "#hash" starts with # or ;, which the config file would read as the start of a comment\n' +
        '  Pass another name Cognito accepts for this user (an email or other alias the pool allows); nothing was sent or saved.\n',
    );
    expect(fake.requests).toHaveLength(0);
    expect(await fs.readFile(home.configFile, 'utf8')).toBe('');
  });

  it('then a real profile: setup works', async () => {
    const r = await runCli(setup('alice'), { env, input: `${PASSWORD}\n` });
    expect([r.code, r.stderr]).toEqual([0, '']);
  });

  it.each([
    ['http://user:s3cret@127.0.0.1:1', 'http://***@127.0.0.1:1'],
    ['http://user:s3cret@[not a host', 'http://***@[not a host'],
  ])('AWS_ENDPOINT_URL=%s: the password is never on stderr', async (url, shown) => {
    await fs.rm(path.join(home.cacheDir, 'cognito-creds'), { recursive: true, force: true }); // a cache hit reads no endpoint
    const before = fake.requests.length;
    const r = await runCli(['credential-process', '--profile', 'dev', '--debug'], { env: { ...env, AWS_ENDPOINT_URL: url } });
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 3, stdout: '' });
    expect(r.stderr).toContain(`cognito-creds: profile "dev": the endpoint URL in AWS_ENDPOINT_URL ("${shown}") is not an http(s) URL without credentials, query or fragment\n`);
    expect(r.stderr).not.toContain('s3cret');
    expect(fake.requests.length).toBe(before);
  });

  it('a --profile with an escape sequence is shown escaped', async () => {
    const r = await runCli(['credential-process', '--profile', 'ev\x1b]0;owned\x07il'], { env });
    expectFailure(
      r,
      3,
      `cognito-creds: profile "ev\\x1b]0;owned\\x07il" is not in ${home.configFile}\n` +
        '  Run `cognito-creds setup --profile ev\\x1b]0;owned\\x07il`, or check the name (--profile, AWS_PROFILE).\n',
    );
  });

  it('export --format dotenv, sourced by `set -a; .`, sets the exact region and runs nothing', async () => {
    const region = 'r $(touch pwned) `touch pwned2`';
    // AWS_REGION applies to a profile without a region of its own: drop the one setup wrote.
    await fs.writeFile(home.configFile, (await fs.readFile(home.configFile, 'utf8')).replace(/^region = .*\n/m, ''));
    const r = await runCli(['export', '--profile', 'dev', '--format', 'dotenv'], { env: { ...env, AWS_REGION: region } });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const file = path.join(home.home, 'creds.env');
    await fs.writeFile(file, r.stdout);
    const sh = spawnSync('/bin/sh', ['-c', 'set -a; . ./creds.env; printf "%s\\0" "$AWS_REGION"'], { cwd: home.home, encoding: 'utf8' });
    expect([sh.status, sh.stdout]).toEqual([0, `${region}\0`]);
    expect((await fs.readdir(home.home)).filter((f) => f.startsWith('pwned'))).toEqual([]);
  });
});
