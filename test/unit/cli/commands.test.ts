/**
 * The commands run in-process through main(), against the project's fake Cognito (real SDK
 * clients, real HTTP) and an in-memory secret store: exact stdout, stderr, exit codes, files.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { SELF_COMMAND, useInProcessCli, type RunOptions } from '../../support/in-process.js';
import { setupArgv } from '../../support/argv.js';
import { freePort } from '../../support/env.js';

const PASSWORD = `pa ss"w$rd\\ü'`;

const cli = useInProcessCli({ users: [{ username: 'alice', password: PASSWORD }] });
const run = (argv: string[], opts: RunOptions = {}) => cli.run(argv, opts);
const writeProfile = (extra = '') => cli.writeProfile(`cognito_auth_flow = USER_PASSWORD_AUTH\n${extra}`);

const setupArgs = (profile = 'dev', extra: string[] = []) =>
  setupArgv(profile, { userPoolId: cli.fake.userPoolId, clientId: 'fakeclient0000000000000001', identityPoolId: cli.fake.identityPoolId, username: 'alice' }, [
    '--auth-flow',
    'USER_PASSWORD_AUTH',
    ...extra,
  ]);


describe('setup', () => {
  it("writes the identity pool's region only when the profile has none, and says which applies", async () => {
    await fs.mkdir(path.dirname(cli.configFile), { recursive: true });
    await fs.writeFile(cli.configFile, '[profile dev]\nregion = eu-west-3\n');
    const r = await run(setupArgs(), { stdin: `${PASSWORD}\n` });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')[1]).toBe("Region for AWS commands: eu-west-3 (the profile's own).");
    const text = await fs.readFile(cli.configFile, 'utf8');
    expect(text.startsWith('[profile dev]\nregion = eu-west-3\n')).toBe(true);
    expect(text.match(/^region =/gm)).toHaveLength(1);
  });

  it('verifies, stores the password and writes exactly one section', async () => {
    const r = await run(setupArgs(), { stdin: `${PASSWORD}\n` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `profile "dev" saved in ${cli.configFile}; the password is in the keychain and the sign-in was verified.\n` +
        "Region for AWS commands: us-east-1 (the identity pool's; change it with `region =` in the profile).\n" +
        'Try it: aws sts get-caller-identity --profile dev\n',
    );
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe(
      '[profile dev]\n' +
        `credential_process = ${SELF_COMMAND} credential-process --profile dev\n` +
        `cognito_user_pool_id = ${cli.fake.userPoolId}\n` +
        'cognito_client_id = fakeclient0000000000000001\n' +
        `cognito_identity_pool_id = ${cli.fake.identityPoolId}\n` +
        'cognito_username = alice\n' +
        'cognito_auth_flow = USER_PASSWORD_AUTH\n' +
        'region = us-east-1\n',
    );
    expect((await fs.stat(cli.configFile)).mode & 0o777).toBe(0o600);
    expect(cli.store.entries.get('dev:password')).toBe(PASSWORD);
    expect([...cli.store.entries.keys()].sort()).toEqual(['dev:password', 'dev:refresh-token', 'dev:refresh-token#1', 'dev:refresh-token#2']);
    expect(cli.fake.count('InitiateAuth')).toBe(1);
    expect(cli.fake.count('GetCredentialsForIdentity')).toBe(1);
    // The verifying sign-in's credentials are cached: the first credential-process sends nothing.
    const first = await run(['credential-process', '--profile', 'dev']);
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(JSON.parse(first.stdout).AccessKeyId).toBe(cli.fake.issued.at(-1)!.accessKeyId);
    expect(cli.fake.count('InitiateAuth')).toBe(1);
  });

  it('saves nothing when the sign-in fails', async () => {
    const r = await run(setupArgs(), { stdin: 'wrong\n' });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'cognito-creds: profile "dev": Cognito refused the sign-in of "alice": Incorrect username or password. (NotAuthorizedException)\n' +
        '  Run `cognito-creds setup --profile dev` to store the current password.\n',
    );
    await expect(fs.stat(cli.configFile)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(cli.store.entries.size).toBe(0);
  });

  it('keeps every byte outside its section of a hand-written config', async () => {
    const before =
      '# my config\r\n[default]\r\nregion = eu-west-1\r\n\r\n[profile dev]\r\nregion = us-east-1 ; mine\r\ncognito_username = bob\r\n' +
      '\r\n[sso-session corp]\r\nsso_start_url = https://example.invalid/start\r\n\r\n[profile other]\r\ns3 =\r\n  max_concurrent_requests = 20\r\noutput = json';
    await fs.mkdir(path.dirname(cli.configFile), { recursive: true });
    await fs.writeFile(cli.configFile, before, { mode: 0o640 });
    const r = await run(setupArgs(), { stdin: PASSWORD });
    expect(r.stderr).toBe('');
    const after = await fs.readFile(cli.configFile, 'utf8');
    const head = '# my config\r\n[default]\r\nregion = eu-west-1\r\n\r\n';
    const tail = '\r\n[sso-session corp]\r\nsso_start_url = https://example.invalid/start\r\n\r\n[profile other]\r\ns3 =\r\n  max_concurrent_requests = 20\r\noutput = json';
    expect(after.startsWith(head)).toBe(true);
    expect(after.endsWith(tail)).toBe(true);
    const section = after.slice(head.length, after.length - tail.length);
    expect(section).toBe(
      '[profile dev]\r\nregion = us-east-1 ; mine\r\ncognito_username = alice\r\n' +
        `credential_process = "/opt/cognito creds/node" /opt/cognito-creds/bin/cognito-creds.cjs credential-process --profile dev\r\n` +
        `cognito_user_pool_id = ${cli.fake.userPoolId}\r\ncognito_client_id = fakeclient0000000000000001\r\n` +
        `cognito_identity_pool_id = ${cli.fake.identityPoolId}\r\ncognito_auth_flow = USER_PASSWORD_AUTH\r\n`,
    );
    expect((await fs.stat(cli.configFile)).mode & 0o777).toBe(0o640);
  });

  it('names a bad flag value before any request', async () => {
    const args = setupArgs();
    args[args.indexOf('--user-pool-id') + 1] = 'us-east-1-nope';
    const r = await run(args, { stdin: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'cognito-creds: --user-pool-id "us-east-1-nope" is not a user pool id (REGION_ID, for example us-east-1_AbCdEf123)\n  Pass a valid --user-pool-id.\n',
    );
    expect(cli.fake.requests).toHaveLength(0);
  });

  it('refuses an empty password on stdin', async () => {
    const r = await run(setupArgs(), { stdin: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--password-stdin was given but standard input held no password');
  });

  it('two setups at once keep both sections', async () => {
    const [a, b] = await Promise.all([run(setupArgs('one', ['--no-verify']), { stdin: PASSWORD }), run(setupArgs('two', ['--no-verify']), { stdin: PASSWORD })]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const text = await fs.readFile(cli.configFile, 'utf8');
    expect(text.match(/^\[profile (one|two)\]$/gm)?.sort()).toEqual(['[profile one]', '[profile two]']);
  });
});

describe('credential-process', () => {
  beforeEach(async () => {
    await writeProfile();
    await cli.store.set('dev:password', PASSWORD);
  });

  it('prints exactly the credentials Cognito issued, nothing on stderr', async () => {
    const r = await run(['credential-process', '--profile', 'dev']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const issued = cli.fake.issued.at(-1)!;
    expect(r.stdout).toBe(
      `{"Version":1,"AccessKeyId":"${issued.accessKeyId}","SecretAccessKey":"${issued.secretKey}","SessionToken":"${issued.sessionToken}",` +
        `"Expiration":"${new Date(issued.expiration * 1000).toISOString().replace('.000Z', 'Z')}"}\n`,
    );
    expect(cli.fake.requests.map((q) => q.operation)).toEqual(['InitiateAuth', 'GetId', 'GetCredentialsForIdentity']);
    const logins = cli.fake.requests[1]!.body.Logins as Record<string, string>;
    expect(Object.keys(logins)).toEqual([`cognito-idp.us-east-1.amazonaws.com/${cli.fake.userPoolId}`]);
  });

  it('takes the profile from AWS_PROFILE', async () => {
    const r = await run(['credential-process'], { env: { AWS_PROFILE: 'dev' } });
    expect([r.code, r.stderr]).toEqual([0, '']);
  });

  it('logs steps with --debug on stderr, never a secret', async () => {
    const r = await run(['credential-process', '--profile', 'dev', '--debug']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\[debug \+\d+ms\] InitiateAuth: \d+ ms/);
    const issued = cli.fake.issued.at(-1)!;
    for (const secret of [PASSWORD, issued.secretKey, issued.sessionToken, cli.fake.issuedTokens.at(-1)!.idToken]) {
      expect(r.stderr).not.toContain(secret);
    }
  });

  const cases: Array<[string, () => Promise<void>, string[], number, string]> = [
    ['missing config file', async () => fs.rm(cli.configFile), ['--profile', 'dev'], 3,
      `cognito-creds: profile "dev": the AWS config file CONFIG does not exist\n  Run \`cognito-creds setup --profile dev\`, or point AWS_CONFIG_FILE at your config file.\n`],
    ['unknown profile', async () => undefined, ['--profile', 'nope'], 3,
      'cognito-creds: profile "nope" is not in CONFIG\n  Run `cognito-creds setup --profile nope`, or check the name (--profile, AWS_PROFILE).\n'],
    ['missing password', async () => void cli.store.entries.clear(), ['--profile', 'dev'], 5,
      'cognito-creds: profile "dev": no password for "alice" is stored in the keychain\n  Run `cognito-creds setup --profile dev` to store it.\n'],
    ['wrong password', async () => cli.store.set('dev:password', 'nope'), ['--profile', 'dev'], 4,
      'cognito-creds: profile "dev": Cognito refused the sign-in of "alice": Incorrect username or password. (NotAuthorizedException)\n  Run `cognito-creds setup --profile dev` to store the current password.\n'],
  ];
  it.each(cases)('%s', async (_name, arrange, args, code, message) => {
    await arrange();
    const r = await run(['credential-process', ...args]);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(code);
    expect(r.stderr).toBe(message.replace('CONFIG', cli.configFile));
  });

  it.each([
    ['UserNotFoundException', 'User does not exist.', 4, 'cognito-creds: profile "dev": user "alice" does not exist in user pool POOL (UserNotFoundException)\n  Check cognito_username in the profile, or run `cognito-creds setup --profile dev`.\n'],
    ['PasswordResetRequiredException', 'Password reset required for the user', 4, 'cognito-creds: profile "dev": user "alice" must reset their password (PasswordResetRequiredException)\n  Reset it through your application\'s "forgot password" flow, then run `cognito-creds setup --profile dev`.\n'],
    ['UserNotConfirmedException', 'User is not confirmed.', 4, 'cognito-creds: profile "dev": user "alice" has not confirmed their sign-up (UserNotConfirmedException)\n  Confirm the account with the code Cognito sent, or ask the administrator to confirm it.\n'],
    ['InvalidParameterException', 'USER_PASSWORD_AUTH flow not enabled for this client', 4, 'cognito-creds: profile "dev": app client fakeclient0000000000000001: USER_PASSWORD_AUTH flow not enabled for this client (InvalidParameterException)\n  Allow ALLOW_USER_PASSWORD_AUTH in the app client\'s authentication flows, or set cognito_auth_flow = USER_SRP_AUTH if it allows that (`cognito-creds setup --profile dev --auth-flow USER_SRP_AUTH`).\n'],
    ['ResourceNotFoundException', 'User pool client x does not exist.', 3, 'cognito-creds: profile "dev": user pool POOL or app client fakeclient0000000000000001 was not found: User pool client x does not exist. (ResourceNotFoundException)\n  Check the ids and the region in the profile (cognito_user_pool_id, cognito_client_id, cognito_identity_pool_id, cognito_region).\n'],
  ])('maps %s', async (code, message, exit, expected) => {
    cli.fake.failNext('InitiateAuth', { code, message });
    const r = await run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stdout]).toEqual([exit, '']);
    expect(r.stderr).toBe(expected.replace('POOL', cli.fake.userPoolId));
  });

  it('retries throttling, then says so', async () => {
    cli.fake.failNext('InitiateAuth', { code: 'TooManyRequestsException', message: 'Rate exceeded' }, 3);
    const r = await run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stdout]).toEqual([6, '']);
    expect(r.stderr).toBe(
      'cognito-creds: profile "dev": Cognito is throttling requests (TooManyRequestsException, 3 attempts)\n  Wait a minute and try again; many parallel sign-ins share one quota.\n',
    );
    expect(cli.fake.count('InitiateAuth')).toBe(3);
  });

  it('gets through one throttled answer', async () => {
    cli.fake.failNext('InitiateAuth', { code: 'TooManyRequestsException', message: 'Rate exceeded' }, 1);
    const r = await run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(cli.fake.count('InitiateAuth')).toBe(2);
  });

  it('names the identity pool when it refuses the token', async () => {
    cli.fake.failNext('GetId', { code: 'NotAuthorizedException', message: 'Invalid login token.' });
    const r = await run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toBe(
      `cognito-creds: profile "dev": identity pool ${cli.fake.identityPoolId} refused the sign-in token: Invalid login token. (NotAuthorizedException)\n` +
        `  Check that the identity pool lists user pool ${cli.fake.userPoolId} and app client fakeclient0000000000000001 as an authentication provider.\n`,
    );
  });

  it('reports a 5xx after retries', async () => {
    cli.fake.failNext('GetCredentialsForIdentity', { code: 'InternalErrorException', message: 'boom', status: 500 }, 3);
    const r = await run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stdout]).toEqual([6, '']);
    expect(r.stderr).toBe(
      'cognito-creds: profile "dev": Cognito failed with HTTP 500 on GetCredentialsForIdentity (InternalErrorException)\n  This is on Cognito\'s side; try again in a moment.\n',
    );
  });

  it('reports an unreadable answer', async () => {
    cli.fake.failNext('InitiateAuth', { kind: 'malformed' }, 3);
    const r = await run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stdout]).toEqual([6, '']);
    expect(r.stderr.split('\n')[0]).toMatch(/^cognito-creds: profile "dev": Cognito's answer to InitiateAuth could not be read \(/);
  });

  it('ends a connection refused quickly', async () => {
    const port = await freePort();
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`;
    const dead = await run(['credential-process', '--profile', 'dev']);
    expect([dead.code, dead.stdout]).toEqual([6, '']);
    expect(dead.stderr).toBe(
      `cognito-creds: profile "dev": cannot reach Cognito at http://127.0.0.1:${port}: connection refused (InitiateAuth)\n  Check your network or proxy, and AWS_ENDPOINT_URL if you set it.\n`,
    );
    expect(dead.ms).toBeLessThan(10_000);
  });

  it('ends a server that never answers within COGNITO_CREDS_TIMEOUT', async () => {
    cli.fake.failNext('*', { kind: 'hang' }, 10);
    const r = await run(['credential-process', '--profile', 'dev'], { env: { COGNITO_CREDS_TIMEOUT: '1.5' } });
    expect([r.code, r.stdout]).toEqual([6, '']);
    expect(r.stderr).toBe(
      `cognito-creds: profile "dev": no answer from Cognito at ${cli.fake.url} within 2 s (InitiateAuth)\n  Check your network or proxy; set COGNITO_CREDS_TIMEOUT (seconds) to wait longer.\n`,
    );
    expect(r.ms).toBeLessThan(5000);
  });

  it('sends no request for a malformed id', async () => {
    await writeProfile('cognito_region = nowhere\n');
    const r = await run(['credential-process', '--profile', 'dev']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `cognito-creds: profile "dev" in ${cli.configFile}: cognito_region = "nowhere" is not an AWS region (for example us-east-1)\n  Fix it in the config file, or run \`cognito-creds setup --profile dev\`.\n`,
    );
    expect(cli.fake.requests).toHaveLength(0);
  });
});

describe('messages name the store the profile uses', () => {
  it('a file-store profile: "the secrets file", never "the keychain"', async () => {
    await cli.writeProfile('cognito_secret_store = file\ncognito_auth_flow = USER_PASSWORD_AUTH\n');
    const missing = await run(['credential-process', '--profile', 'dev']);
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([
      5,
      '',
      'cognito-creds: profile "dev": no password for "alice" is stored in the secrets file\n  Run `cognito-creds setup --profile dev` to store it.\n',
    ]);
    await cli.store.set('dev:password', PASSWORD);
    expect((await run(['credential-process', '--profile', 'dev'])).code).toBe(0);
    const logout = await run(['logout', '--profile', 'dev']);
    expect(logout.stdout).toBe('profile "dev": cached credentials deleted; refresh token deleted from the secrets file; the password stays.\n');
    const remove = await run(['remove', '--profile', 'dev']);
    expect(remove.stdout).toBe(`profile "dev": section removed from ${cli.configFile}; password deleted from the secrets file.\n`);
  });
});

describe('remove', () => {
  it('deletes the secrets and the section, and nothing else', async () => {
    await fs.mkdir(path.dirname(cli.configFile), { recursive: true });
    await fs.writeFile(cli.configFile, '[default]\nregion = eu-west-1\n\n[profile dev]\ncognito_username = alice\n\n[profile keep]\nregion = x\n');
    await cli.store.set('dev:password', 'p');
    await cli.store.set('keep:password', 'k');
    const r = await run(['remove', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(`profile "dev": section removed from ${cli.configFile}; password deleted from the keychain.\n`);
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe('[default]\nregion = eu-west-1\n\n[profile keep]\nregion = x\n');
    expect([...cli.store.entries.keys()]).toEqual(['keep:password']);
  });

  it('refuses to delete a profile that is not a cognito-creds profile', async () => {
    await fs.mkdir(path.dirname(cli.configFile), { recursive: true });
    const text = '[profile prod]\naws_access_key_id = AKIAEXAMPLE\n';
    await fs.writeFile(cli.configFile, text);
    const r = await run(['remove', '--profile', 'prod']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `cognito-creds: profile "prod" in ${cli.configFile} is not a cognito-creds profile (no cognito_* settings); it was left alone\n  Check the profile name; edit the file by hand to remove other profiles.\n`,
    );
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe(text);
  });
});


describe('cache, single flight and refresh tokens', () => {
  let clock: number;
  const runAt = (argv: string[], env: Record<string, string> = {}) => run(argv, { env, now: () => clock });

  beforeEach(async () => {
    clock = Date.now();
    await writeProfile();
    await cli.store.set('dev:password', PASSWORD);
  });

  const cacheDir = () => path.join(cli.tmp, '.cache', 'cognito-creds');
  const ops = () => cli.fake.requests.map((q) => (q.operation === 'InitiateAuth' ? `InitiateAuth:${q.body.AuthFlow}` : q.operation));

  it('a warm call sends no request and prints the same document; files are 0700/0600', async () => {
    const cold = await runAt(['credential-process', '--profile', 'dev']);
    expect([cold.code, cold.stderr]).toEqual([0, '']);
    expect(ops()).toEqual(['InitiateAuth:USER_PASSWORD_AUTH', 'GetId', 'GetCredentialsForIdentity']);
    const warm = await runAt(['credential-process', '--profile', 'dev']);
    expect([warm.code, warm.stderr, warm.stdout]).toEqual([0, '', cold.stdout]);
    expect(cli.fake.requests).toHaveLength(3);
    expect((await fs.stat(cacheDir())).mode & 0o777).toBe(0o700);
    const files = await fs.readdir(cacheDir());
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{32}\.json$/);
    expect((await fs.stat(path.join(cacheDir(), files[0]!))).mode & 0o777).toBe(0o600);
    expect(await fs.readFile(path.join(cacheDir(), files[0]!), 'utf8')).not.toContain(PASSWORD);
  });

  it('keeps the refresh token and IdentityId; a stale cache uses them, not the password, and skips GetId', async () => {
    await runAt(['credential-process', '--profile', 'dev']);
    const session = JSON.parse(await getLarge('dev:refresh-token')) as Record<string, unknown>;
    expect(session).toEqual({
      userPoolId: cli.fake.userPoolId,
      clientId: 'fakeclient0000000000000001',
      username: 'alice',
      cognitoUsername: 'alice',
      refreshToken: cli.fake.issuedTokens.at(-1)!.refreshToken,
      identityPoolId: cli.fake.identityPoolId,
      identityId: cli.fake.issued.at(-1)!.identityId,
    });
    expect((session.refreshToken as string).length).toBeGreaterThan(1500);
    expect(cli.store.entries.get('dev:refresh-token')).toMatch(/^chunks:\d$/);

    await fs.rm(cacheDir(), { recursive: true });
    cli.fake.requests.length = 0;
    cli.store.entries.delete('dev:password'); // the password is not even needed
    const r = await runAt(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(ops()).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'GetCredentialsForIdentity']);
    expect(JSON.parse(r.stdout).AccessKeyId).toBe(cli.fake.issued.at(-1)!.accessKeyId);
  });

  it('renews when the cached credentials enter the renewal window, through the refresh token', async () => {
    await runAt(['credential-process', '--profile', 'dev']);
    clock += 44 * 60_000; // one-hour credentials: served until 15 minutes remain
    await runAt(['credential-process', '--profile', 'dev']);
    expect(cli.fake.requests).toHaveLength(3);
    clock += 2 * 60_000;
    const r = await runAt(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(ops().slice(3)).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'GetCredentialsForIdentity']);
  });

  it('falls back to the password when Cognito rejects the refresh token, and keeps the new one', async () => {
    await runAt(['credential-process', '--profile', 'dev']);
    cli.fake.revokeRefreshTokens();
    await fs.rm(cacheDir(), { recursive: true });
    cli.fake.requests.length = 0;
    const r = await runAt(['credential-process', '--profile', 'dev', '--debug']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('refresh token rejected (NotAuthorizedException); signing in with the password');
    expect(ops()).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'InitiateAuth:USER_PASSWORD_AUTH', 'GetCredentialsForIdentity']);
    const session = JSON.parse(await getLarge('dev:refresh-token')) as Record<string, unknown>;
    expect(session.refreshToken).toBe(cli.fake.issuedTokens.at(-1)!.refreshToken);
  });

  it('honours COGNITO_CREDS_MIN_TTL and cognito_min_ttl, and rejects a bad value', async () => {
    await runAt(['credential-process', '--profile', 'dev']);
    clock += 50 * 60_000; // 10 minutes left
    await runAt(['credential-process', '--profile', 'dev'], { COGNITO_CREDS_MIN_TTL: '300' });
    expect(cli.fake.requests).toHaveLength(3);
    await writeProfile('cognito_min_ttl = 900\n');
    await runAt(['credential-process', '--profile', 'dev']);
    expect(cli.fake.requests).toHaveLength(5);
    const bad = await runAt(['credential-process', '--profile', 'dev'], { COGNITO_CREDS_MIN_TTL: '15m' });
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([2, '', 'cognito-creds: COGNITO_CREDS_MIN_TTL = "15m" is not a number of seconds from 0 to 43200\n  Fix or unset it.\n']);
  });

  it('24 concurrent cold calls sign in once and print identical credentials', async () => {
    const results = await Promise.all(Array.from({ length: 24 }, () => runAt(['credential-process', '--profile', 'dev'])));
    expect(results.map((r) => r.code)).toEqual(Array(24).fill(0));
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(cli.fake.count('InitiateAuth')).toBe(1);
    expect(cli.fake.count('GetCredentialsForIdentity')).toBe(1);
  });

  it('shrugs off a corrupted cache file and rewrites it', async () => {
    await runAt(['credential-process', '--profile', 'dev']);
    const [file] = await fs.readdir(cacheDir());
    await fs.writeFile(path.join(cacheDir(), file!), '{"version":1,"accessKeyId":"trunc');
    const r = await runAt(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(await fs.readFile(path.join(cacheDir(), file!), 'utf8')).accessKeyId).toBe(cli.fake.issued.at(-1)!.accessKeyId);
  });

  it('still prints credentials when the cache directory cannot be made, with a warning on stderr', async () => {
    const blocker = path.join(cli.tmp, 'not-a-dir');
    await fs.writeFile(blocker, '');
    const r = await runAt(['credential-process', '--profile', 'dev'], { XDG_CACHE_HOME: blocker });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).AccessKeyId).toBe(cli.fake.issued.at(-1)!.accessKeyId);
    expect(r.stderr).toBe(
      `cognito-creds: warning: cannot use the cache directory ${blocker}/cognito-creds: a part of the path is not a directory; the credentials are not cached\n`,
    );
  });

  it('refuses a cache directory that is a symlink, but still prints credentials', async () => {
    await fs.mkdir(path.join(cli.tmp, '.cache'), { recursive: true });
    await fs.mkdir(path.join(cli.tmp, 'elsewhere'), { mode: 0o700 });
    await fs.symlink(path.join(cli.tmp, 'elsewhere'), cacheDir());
    const r = await runAt(['credential-process', '--profile', 'dev']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`cognito-creds: warning: the cache directory ${cacheDir()} is a symbolic link; refusing to use it; the credentials are not cached\n`);
    expect(await fs.readdir(path.join(cli.tmp, 'elsewhere'))).toEqual([]);
  });

  it('logout forgets the cache and the refresh token, keeps the password', async () => {
    await runAt(['credential-process', '--profile', 'dev']);
    const r = await runAt(['logout', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe('profile "dev": cached credentials deleted; refresh token deleted from the keychain; the password stays.\n');
    expect([...cli.store.entries.keys()]).toEqual(['dev:password']);
    expect(await fs.readdir(cacheDir())).toEqual([]);
    cli.fake.requests.length = 0;
    await runAt(['credential-process', '--profile', 'dev']);
    expect(ops()).toEqual(['InitiateAuth:USER_PASSWORD_AUTH', 'GetId', 'GetCredentialsForIdentity']);
  });

  it('status shows profiles, stored secrets and expiry, never a secret', async () => {
    await fs.appendFile(cli.configFile, '\n[profile plain]\nregion = eu-west-1\n');
    const before = await runAt(['status']);
    expect(before.stdout).toBe(
      `Config file ${cli.configFile}, cache ${cacheDir()}\n\n` +
        `dev: alice in ${cli.fake.userPoolId}, identity pool ${cli.fake.identityPoolId}\n` +
        '  keychain:    password stored, client secret not stored, TOTP secret not stored, refresh token not stored\n' +
        '  credentials: none cached\n',
    );
    const cp = await runAt(['credential-process', '--profile', 'dev']);
    const exp = JSON.parse(cp.stdout).Expiration as string;
    const after = await runAt(['status', '--profile', 'dev']);
    expect(after.code).toBe(0);
    const renew = new Date(Date.parse(exp) - 15 * 60_000).toISOString().replace('.000Z', 'Z');
    expect(after.stdout.split('\n').slice(3)).toEqual([
      '  keychain:    password stored, client secret not stored, TOTP secret not stored, refresh token stored',
      `  credentials: cached, expire ${exp} (in 60 min); served until ${renew}`,
      '',
    ]);
    for (const secret of [PASSWORD, cli.fake.issued.at(-1)!.secretKey, cli.fake.issued.at(-1)!.sessionToken]) expect(after.stdout).not.toContain(secret);
  });
});

async function getLarge(account: string): Promise<string> {
  const { getLargeSecret } = await import('../../../src/secrets/large-secret.js');
  return (await getLargeSecret(cli.store, account)) ?? '';
}
