/**
 * Fault-matrix rows for text that reaches people and other programs (issue 13): a password in an
 * endpoint or proxy URL is never echoed; control characters from the command line or the config
 * file never reach the terminal raw; a username the config file cannot hold is refused before any
 * request; export output that a shell or dotenv reader would run or misread is escaped or refused.
 * In-process against the fake Cognito, in the style of matrix.test.ts: exit code, empty stdout,
 * exact stderr, a time bound, and the requests sent.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setupArgv } from '../../support/argv.js';
import { useInProcessCli, type Run } from '../../support/in-process.js';

const PASSWORD = 'Echo-Pw-1!';
const CLIENT = 'fakeclient0000000000000001';
const cli = useInProcessCli({ users: [{ username: 'alice', password: PASSWORD }], clients: [{ clientId: CLIENT }] });
const FAST_MS = 3_000;

function expectFailure(r: Run, code: number, stderr: string, maxMs = FAST_MS): void {
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code, stdout: '', stderr });
  expect(r.ms).toBeLessThan(maxMs);
}

async function writeConfig(text: string): Promise<void> {
  await fs.mkdir(path.dirname(cli.configFile), { recursive: true });
  await fs.writeFile(cli.configFile, text);
}

const profileText = (name = 'dev', extra = '') =>
  `[profile ${name}]\ncognito_user_pool_id = ${cli.fake.userPoolId}\ncognito_client_id = ${CLIENT}\n` +
  `cognito_identity_pool_id = ${cli.fake.identityPoolId}\ncognito_username = alice\ncognito_auth_flow = USER_PASSWORD_AUTH\n${extra}`;

const cp = (profile = 'dev', env: Record<string, string> = {}) => cli.run(['credential-process', '--profile', profile], { env });
const setupArgs = (username: string) =>
  setupArgv('dev', { userPoolId: cli.fake.userPoolId, clientId: CLIENT, identityPoolId: cli.fake.identityPoolId, username }, ['--auth-flow', 'USER_PASSWORD_AUTH']);

// -------------------------------------------------------------------------------------------------

describe('a password in a URL is never echoed: exit 3, nothing sent', () => {
  const endpointFix = (source: string) => `  Fix ${source}, for example https://cognito-idp.us-east-1.amazonaws.com, or remove it.\n`;
  const endpointCause = (source: string, shown: string) =>
    `cognito-creds: profile "dev": the endpoint URL in ${source} ("${shown}") is not an http(s) URL without credentials, query or fragment\n`;

  it.each([
    ['AWS_ENDPOINT_URL', 'http://user:s3cret@127.0.0.1:1', 'http://***@127.0.0.1:1'],
    ['AWS_ENDPOINT_URL', 'http://user:s3cret@[not a host', 'http://***@[not a host'],
    ['AWS_ENDPOINT_URL', 'user:s3cret@127.0.0.1:1', '***@127.0.0.1:1'],
    ['AWS_ENDPOINT_URL', 'http://us@er:s3/cr@t@127.0.0.1:1/', 'http://***@127.0.0.1:1/'],
    ['AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER', 'https://u:s3cret@cognito-idp.us-east-1.amazonaws.com', 'https://***@cognito-idp.us-east-1.amazonaws.com'],
  ])('%s=%s', async (name, value, shown) => {
    await writeConfig(profileText());
    await cli.store.set('dev:password', PASSWORD);
    const r = await cp('dev', { [name]: value });
    expectFailure(r, 3, endpointCause(name, shown) + endpointFix(name));
    expect(r.stderr).not.toContain('s3');
    expect(cli.fake.requests).toHaveLength(0);
  });

  it('endpoint_url in the profile', async () => {
    await writeConfig(profileText('dev', 'endpoint_url = http://user:s3cret@127.0.0.1:1\n'));
    await cli.store.set('dev:password', PASSWORD);
    const r = await cp('dev', { AWS_ENDPOINT_URL: '' });
    expectFailure(r, 3, endpointCause('endpoint_url', 'http://***@127.0.0.1:1') + endpointFix('endpoint_url'));
    expect(cli.fake.requests).toHaveLength(0);
  });

  it.each([
    ['socks5://user:s3cret@127.0.0.1:1080', 'socks5://***@127.0.0.1:1080'],
    ['user:s3cret@not a host', '***@not a host'],
  ])('HTTP_PROXY=%s', async (value, shown) => {
    await writeConfig(profileText());
    await cli.store.set('dev:password', PASSWORD);
    const r = await cp('dev', { HTTP_PROXY: value, NO_PROXY: '' });
    expectFailure(
      r,
      3,
      `cognito-creds: profile "dev": HTTP_PROXY ("${shown}") is not an http:// proxy URL\n` +
        '  Set HTTP_PROXY to http://HOST:PORT (https:// proxies are not supported), or list the Cognito host in NO_PROXY.\n',
    );
    expect(cli.fake.requests).toHaveLength(0);
  });

  it('doctor shows the endpoint setting without its password', async () => {
    await writeConfig(profileText());
    await cli.store.set('dev:password', PASSWORD);
    const r = await cli.run(['doctor', '--profile', 'dev'], { env: { AWS_ENDPOINT_URL: 'http://user:s3cret@127.0.0.1:1' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL  the endpoint URL in AWS_ENDPOINT_URL ("http://***@127.0.0.1:1") is not an http(s) URL without credentials, query or fragment\n`);
    expect(`${r.stdout}${r.stderr}`).not.toContain('s3cret');
    expect(cli.fake.requests).toHaveLength(0);
  });
});

// -------------------------------------------------------------------------------------------------

describe('control characters never reach the terminal raw', () => {
  it.each([
    ['an escape sequence', 'dev\x1b[2J', 'dev\\x1b[2J'],
    ['a carriage return', 'dev\rok', 'dev\\x0dok'],
    ['a C1 CSI and DEL', 'dev\u009b31m\x7f', 'dev\\u009b31m\\x7f'],
  ])('a --profile with %s (credential-process)', async (_what, profile, shown) => {
    await writeConfig(profileText());
    const r = await cp(profile);
    expectFailure(
      r,
      3,
      `cognito-creds: profile "${shown}" is not in ${cli.configFile}\n` + `  Run \`cognito-creds setup --profile ${shown}\`, or check the name (--profile, AWS_PROFILE).\n`,
    );
    expect(cli.fake.requests).toHaveLength(0);
  });

  it('a value in the config file with a C1 control is shown escaped', async () => {
    await writeConfig(profileText('dev', 'cognito_region = us-east-1\u009b2J\n'));
    const r = await cp();
    expectFailure(
      r,
      3,
      `cognito-creds: profile "dev" in ${cli.configFile}: cognito_region = "us-east-1\\u009b2J" is not an AWS region (for example us-east-1)\n` +
        '  Fix it in the config file, or run `cognito-creds setup --profile dev`.\n',
    );
  });

  it('status prints a profile name from the config file escaped', async () => {
    await writeConfig(profileText('ev\x1b]0;owned\x07il'));
    const r = await cli.run(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\nev\\x1b]0;owned\\x07il: alice in ');
    // eslint-disable-next-line no-control-regex -- what must not be there
    expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  });
});

// -------------------------------------------------------------------------------------------------

describe('a username the config file cannot hold is refused at input: exit 2, nothing sent or saved', () => {
  it.each(['#hash', ';semi'])('--username %s', async (username) => {
    cli.fake.addUser({ username, password: PASSWORD });
    await writeConfig('# mine\n');
    const r = await cli.run(setupArgs(username), { stdin: `${PASSWORD}\n` });
    expectFailure(
      r,
      2,
      `cognito-creds: --username "${username}" starts with # or ;, which the config file would read as the start of a comment\n` +
        '  Pass another name Cognito accepts for this user (an email or other alias the pool allows); nothing was sent or saved.\n',
    );
    expect(cli.fake.requests).toHaveLength(0);
    expect(cli.store.entries.size).toBe(0);
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe('# mine\n');
  });

  it('a # or ; inside the username is fine', async () => {
    cli.fake.addUser({ username: 'a#b;c', password: PASSWORD });
    const r = await cli.run(setupArgs('a#b;c'), { stdin: `${PASSWORD}\n` });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(await fs.readFile(cli.configFile, 'utf8')).toContain('\ncognito_username = a#b;c\n');
  });
});

// -------------------------------------------------------------------------------------------------

describe('export output that other programs run', () => {
  const sign = async () => {
    await writeConfig(profileText());
    await cli.store.set('dev:password', PASSWORD);
  };

  it('dotenv: a region holding $(…) and backticks is single-quoted, and `set -a; .` runs none of it', async () => {
    await sign();
    const region = 'x$(touch pwned)`touch pwned2`';
    const r = await cli.run(['export', '--profile', 'dev', '--format', 'dotenv'], { env: { AWS_REGION: region } });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`\nAWS_REGION='${region}'\nAWS_DEFAULT_REGION='${region}'\n`);
    const file = path.join(cli.tmp, 'creds.env');
    await fs.writeFile(file, r.stdout);
    const sh = spawnSync('/bin/sh', ['-c', 'set -a; . ./creds.env; printf "%s\\0" "$AWS_REGION" "$AWS_DEFAULT_REGION"'], { cwd: cli.tmp, encoding: 'utf8' });
    expect([sh.status, sh.stdout]).toEqual([0, `${region}\0${region}\0`]);
    expect((await fs.readdir(cli.tmp)).filter((f) => f.startsWith('pwned'))).toEqual([]);
  });

  it('dotenv: a value no form reads alike in every dotenv reader is refused, naming the variable and not the value', async () => {
    await sign();
    const r = await cli.run(['export', '--profile', 'dev', '--format', 'dotenv'], { env: { AWS_REGION: 'us-east-1\\x' } });
    expectFailure(
      r,
      2,
      'cognito-creds: cannot write AWS_REGION in dotenv form: its value holds a backslash, which sh and the dotenv libraries read differently\n' +
        '  Use --format sh or --format json for these credentials.\n',
    );
  });

  it('powershell: every quote character PowerShell ends a string at is doubled', async () => {
    await sign();
    const r = await cli.run(['export', '--profile', 'dev', '--format', 'powershell'], { env: { AWS_REGION: "a'b\u2018c\u2019d\u201ae\u201bf" } });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain("\n$Env:AWS_REGION = 'a''b\u2018\u2018c\u2019\u2019d\u201a\u201ae\u201b\u201bf'\n");
  });
});
