/**
 * The fault and bad-input matrix, in-process against the fake Cognito (real SDK clients, real
 * HTTP) with an in-memory secret store. Every failing row asserts the exit code, an EMPTY stdout,
 * the exact stderr (cause naming the profile or key, then the fix) and a bound on the time taken;
 * rows that must not reach Cognito assert that no request was sent. Rows that need a real
 * keyring, a subprocess or the default 25 s timeout are in test/e2e/matrix.e2e.test.ts.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../../src/cache/entry.js';
import { resolveCognitoProfile } from '../../../src/config/profile.js';
import type { SecretStore } from '../../../src/secrets/store.js';
import { SELF_COMMAND, useInProcessCli, type Run, type RunOptions } from '../../support/in-process.js';
import { setupArgv } from '../../support/argv.js';
import { freePort } from '../../support/env.js';

const PASSWORD = 'Matrix-Pw-1!';
const CLIENT = 'fakeclient0000000000000001';
/** An app client that allows SRP (and refresh) only, and one that allows USER_PASSWORD_AUTH only. */
const SRP_ONLY = 'srponlyclient0000000000001';
const PASSWORD_ONLY = 'pwonlyclient00000000000001';

const cli = useInProcessCli({
  users: [
    { username: 'alice', password: PASSWORD },
    { username: 'unconfirmed', password: PASSWORD, status: 'UNCONFIRMED' },
    { username: 'resetme', password: PASSWORD, status: 'RESET_REQUIRED' },
  ],
  clients: [
    { clientId: CLIENT },
    { clientId: SRP_ONLY, authFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
    { clientId: PASSWORD_ONLY, authFlows: ['USER_PASSWORD_AUTH'] },
  ],
});

const FAST_MS = 3_000;
const fix = (profile = 'dev') => `  Fix it in the config file, or run \`cognito-creds setup --profile ${profile}\`.\n`;

/** A failing call: exit code, empty stdout, the exact stderr (or a pattern for it), bounded time. */
function expectFailure(r: Run, code: number, stderr: string | RegExp, maxMs = FAST_MS): void {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
  if (typeof stderr === 'string') expect(r.stderr).toBe(stderr);
  else expect(r.stderr).toMatch(stderr);
  expect(r.ms).toBeLessThan(maxMs);
}

/** A secret store that fails the test if it is touched at all. */
const untouchable = async (): Promise<SecretStore> => {
  throw new Error('the keychain was opened');
};

function profileText(over: Record<string, string | undefined> = {}, name = 'dev'): string {
  const settings: Record<string, string | undefined> = {
    cognito_user_pool_id: cli.fake.userPoolId,
    cognito_client_id: CLIENT,
    cognito_identity_pool_id: cli.fake.identityPoolId,
    cognito_username: 'alice',
    cognito_auth_flow: 'USER_PASSWORD_AUTH',
    ...over,
  };
  const lines = Object.entries(settings)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} = ${v}`);
  return `[profile ${name}]\n${lines.join('\n')}\n`;
}

async function writeConfig(text: string, file = cli.configFile): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
}

const cp = (profile = 'dev', opts: RunOptions = {}) => cli.run(['credential-process', '--profile', profile], opts);

function setupArgs(profile: string, over: { username?: string; clientId?: string; flow?: string } = {}, extra: string[] = []): string[] {
  const ids = { userPoolId: cli.fake.userPoolId, clientId: over.clientId ?? CLIENT, identityPoolId: cli.fake.identityPoolId, username: over.username ?? 'alice' };
  return setupArgv(profile, ids, [...(over.flow ? ['--auth-flow', over.flow] : []), ...extra]);
}

function issuedJson(c = cli): string {
  const issued = c.fake.issued.at(-1)!;
  return (
    `{"Version":1,"AccessKeyId":"${issued.accessKeyId}","SecretAccessKey":"${issued.secretKey}","SessionToken":"${issued.sessionToken}",` +
    `"Expiration":"${new Date(issued.expiration * 1000).toISOString().replace('.000Z', 'Z')}"}\n`
  );
}


async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

// -------------------------------------------------------------------------------------------------

describe('the config file and the profile: exit 3, nothing sent, the keychain not even opened', () => {
  it('missing config file', async () => {
    const r = await cp('dev', { secrets: untouchable });
    expectFailure(
      r,
      3,
      `cognito-creds: profile "dev": the AWS config file ${cli.configFile} does not exist\n` +
        '  Run `cognito-creds setup --profile dev`, or point AWS_CONFIG_FILE at your config file.\n',
    );
    expect(cli.fake.requests).toHaveLength(0);
  });

  it('unknown profile (a config with other profiles)', async () => {
    await writeConfig(`[default]\nregion = eu-west-1\n\n${profileText()}`);
    const r = await cp('nope', { secrets: untouchable });
    expectFailure(
      r,
      3,
      `cognito-creds: profile "nope" is not in ${cli.configFile}\n  Run \`cognito-creds setup --profile nope\`, or check the name (--profile, AWS_PROFILE).\n`,
    );
    expect(cli.fake.requests).toHaveLength(0);
  });

  it('a profile with no cognito_* keys is not ours', async () => {
    await writeConfig('[profile plain]\nregion = eu-west-1\naws_access_key_id = AKIAEXAMPLE\n');
    const r = await cp('plain', { secrets: untouchable });
    expectFailure(
      r,
      3,
      `cognito-creds: profile "plain" in ${cli.configFile} has no cognito_* settings; it is not a cognito-creds profile\n` +
        '  Run `cognito-creds setup --profile plain` to set it up.\n',
    );
    expect(cli.fake.requests).toHaveLength(0);
  });

  it.each(['cognito_user_pool_id', 'cognito_client_id', 'cognito_identity_pool_id', 'cognito_username'])('missing key %s', async (key) => {
    await writeConfig(profileText({ [key]: undefined }));
    const r = await cp('dev', { secrets: untouchable });
    expectFailure(r, 3, `cognito-creds: profile "dev" in ${cli.configFile} is missing ${key}\n${fix()}`);
    expect(cli.fake.requests).toHaveLength(0);
  });

  it('a required key with an empty value counts as missing', async () => {
    await writeConfig(profileText({ cognito_username: '' }).replace('cognito_username = \n', 'cognito_username =\n'));
    const r = await cp('dev', { secrets: untouchable });
    expectFailure(r, 3, `cognito-creds: profile "dev" in ${cli.configFile} is missing cognito_username\n${fix()}`);
    expect(cli.fake.requests).toHaveLength(0);
  });

  it.each([
    ['cognito_user_pool_id', 'us-east-1-Fake1234', 'is not a user pool id (REGION_ID, for example us-east-1_AbCdEf123)'],
    ['cognito_client_id', 'fake-client-1', 'is not an app client id (letters, digits, _ and +; 26 characters in a real pool)'],
    ['cognito_identity_pool_id', 'us-east-1_00000000', 'is not an identity pool id (REGION:UUID, for example us-east-1:0e7b3a52-...)'],
    ['cognito_username', 'ali ce', 'is not a Cognito username (1 to 128 characters, no spaces or control characters)'],
    ['cognito_region', 'US-EAST-1', 'is not an AWS region (for example us-east-1)'],
    ['cognito_role_arn', 'arn:aws:iam::123:role/dev', 'is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)'],
    ['cognito_role_arn', 'arn:aws:iam::123456789012:user/dev', 'is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)'],
    ['cognito_min_ttl', '15m', 'is not a number of seconds from 0 to 43200'],
    ['cognito_min_ttl', '43201', 'is not a number of seconds from 0 to 43200'],
    ['cognito_secret_store', 'vault', 'is not a secret store (keychain or file)'],
    ['cognito_auth_flow', 'CUSTOM_AUTH', 'is not a supported flow (USER_PASSWORD_AUTH or USER_SRP_AUTH)'],
    ['cognito_auth_flow', 'user_srp_auth', 'is not a supported flow (USER_PASSWORD_AUTH or USER_SRP_AUTH)'],
  ])('malformed %s = %s', async (key, value, problem) => {
    await writeConfig(profileText({ [key]: value }));
    const r = await cp('dev', { secrets: untouchable });
    expectFailure(r, 3, `cognito-creds: profile "dev" in ${cli.configFile}: ${key} = ${JSON.stringify(value)} ${problem}\n${fix()}`);
    expect(cli.fake.requests).toHaveLength(0);
  });

  it('the same malformed key stops export, exec and logout as well, before any request', async () => {
    await writeConfig(profileText({ cognito_identity_pool_id: 'nope' }));
    const message = `cognito-creds: profile "dev" in ${cli.configFile}: cognito_identity_pool_id = "nope" is not an identity pool id (REGION:UUID, for example us-east-1:0e7b3a52-...)\n${fix()}`;
    for (const argv of [
      ['export', '--profile', 'dev'],
      ['exec', '--profile', 'dev', '--', process.execPath, '-e', '0'],
      ['logout', '--profile', 'dev'],
    ]) {
      expectFailure(await cli.run(argv, { secrets: untouchable }), 3, message);
    }
    expect(cli.fake.requests).toHaveLength(0);
  });

  it.each([
    [['credential-process', '--bogus'], 'bogus'],
    [['credential-process', '--profile', 'dev', '--bogus'], 'bogus'],
    [['setup', '--nope', 'x'], 'nope'],
    [['status', '--verbose'], 'verbose'],
  ])('unknown flag: %j exits 2', async (argv, flag) => {
    await writeConfig(profileText());
    const r = await cli.run(argv, { secrets: untouchable, stdin: `${PASSWORD}\n` });
    expectFailure(r, 2, `cognito-creds: Unknown argument: ${flag}\n  Run \`cognito-creds --help\` for the commands and their options.\n`);
    expect(cli.fake.requests).toHaveLength(0);
  });

  it('a bad setup flag value exits 2 before any request, naming the flag', async () => {
    const args = setupArgs('dev');
    args[args.indexOf('--identity-pool-id') + 1] = 'us-east-1:NOT-HEX';
    const r = await cli.run(args, { stdin: `${PASSWORD}\n`, secrets: untouchable });
    expectFailure(
      r,
      2,
      'cognito-creds: --identity-pool-id "us-east-1:NOT-HEX" is not an identity pool id (REGION:UUID, for example us-east-1:0e7b3a52-...)\n  Pass a valid --identity-pool-id.\n',
    );
    expect(cli.fake.requests).toHaveLength(0);
    expect(await exists(cli.configFile)).toBe(false);
  });

  it('a bad COGNITO_CREDS_TIMEOUT exits 2 before any request', async () => {
    await writeConfig(profileText());
    await cli.store.set('dev:password', PASSWORD);
    const r = await cp('dev', { env: { COGNITO_CREDS_TIMEOUT: '25s' } });
    expectFailure(
      r,
      2,
      'cognito-creds: COGNITO_CREDS_TIMEOUT = "25s" is not a number of seconds between 0 and 600\n  Set it to, for example, 30, or unset it.\n',
    );
    expect(cli.fake.requests).toHaveLength(0);
  });
});

// -------------------------------------------------------------------------------------------------

describe('endpoint and proxy settings that cannot be used: exit 3, named with the profile, nothing sent', () => {
  it.each([
    [
      { endpoint_url: 'localhost:4566' },
      { AWS_ENDPOINT_URL: '' }, // else the harness's AWS_ENDPOINT_URL wins, as it should
      'the endpoint URL in endpoint_url ("localhost:4566") is not an http(s) URL without credentials, query or fragment',
      'Fix endpoint_url, for example https://cognito-idp.us-east-1.amazonaws.com, or remove it.',
    ],
    [
      { use_fips_endpoint: 'yes' },
      { AWS_ENDPOINT_URL: '' },
      'use_fips_endpoint = "yes" is neither true nor false',
      'Set use_fips_endpoint to true or false, or remove it.',
    ],
    [
      {},
      { HTTP_PROXY: 'https://bob:Proxy-Secret-1@127.0.0.1:9' },
      'HTTP_PROXY ("https://***@127.0.0.1:9") is not an http:// proxy URL',
      'Set HTTP_PROXY to http://HOST:PORT (https:// proxies are not supported), or list the Cognito host in NO_PROXY.',
    ],
  ])('%j %j', async (settings, env, message, hint) => {
    await writeConfig(profileText(settings));
    await cli.store.set('dev:password', PASSWORD);
    const r = await cp('dev', { env });
    expectFailure(r, 3, `cognito-creds: profile "dev": ${message}\n  ${hint}\n`);
    expect(r.stderr).not.toContain('Proxy-Secret-1');
    expect(cli.fake.requests).toHaveLength(0);
  });
});

describe('Cognito refuses the sign-in (exit 4)', () => {
  const refused = async (over: Record<string, string | undefined>, password = PASSWORD) => {
    await writeConfig(profileText(over));
    await cli.store.set('dev:password', password);
    return cp();
  };

  it('wrong password, both flows', async () => {
    for (const flow of ['USER_PASSWORD_AUTH', 'USER_SRP_AUTH']) {
      const r = await refused({ cognito_auth_flow: flow }, 'not-the-password');
      expectFailure(
        r,
        4,
        'cognito-creds: profile "dev": Cognito refused the sign-in of "alice": Incorrect username or password. (NotAuthorizedException)\n' +
          '  Run `cognito-creds setup --profile dev` to store the current password.\n',
      );
    }
    expect(await exists(cli.cacheDir) ? await fs.readdir(cli.cacheDir) : []).toEqual([]);
  });

  it.each(['USER_PASSWORD_AUTH', 'USER_SRP_AUTH'])('unknown user (%s)', async (flow) => {
    const r = await refused({ cognito_username: 'nobody', cognito_auth_flow: flow });
    expectFailure(
      r,
      4,
      `cognito-creds: profile "dev": user "nobody" does not exist in user pool ${cli.fake.userPoolId} (UserNotFoundException)\n` +
        '  Check cognito_username in the profile, or run `cognito-creds setup --profile dev`.\n',
    );
    expect(cli.fake.requests.map((q) => q.operation)).toEqual(['InitiateAuth']);
  });

  it.each(['USER_PASSWORD_AUTH', 'USER_SRP_AUTH'])('unconfirmed user (%s)', async (flow) => {
    const r = await refused({ cognito_username: 'unconfirmed', cognito_auth_flow: flow });
    expectFailure(
      r,
      4,
      'cognito-creds: profile "dev": user "unconfirmed" has not confirmed their sign-up (UserNotConfirmedException)\n' +
        '  Confirm the account with the code Cognito sent, or ask the administrator to confirm it.\n',
    );
  });

  it.each(['USER_PASSWORD_AUTH', 'USER_SRP_AUTH'])('password reset required (%s)', async (flow) => {
    const r = await refused({ cognito_username: 'resetme', cognito_auth_flow: flow });
    expectFailure(
      r,
      4,
      'cognito-creds: profile "dev": user "resetme" must reset their password (PasswordResetRequiredException)\n' +
        '  Reset it through your application\'s "forgot password" flow, then run `cognito-creds setup --profile dev`.\n',
    );
  });

  it.each([
    [SRP_ONLY, 'USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH flow not enabled for this client', 'USER_SRP_AUTH'],
    [PASSWORD_ONLY, 'USER_SRP_AUTH', 'USER_SRP_AUTH is not enabled for the client.', 'USER_PASSWORD_AUTH'],
  ])('flow not enabled for the client (%s asked for %s): the setting to allow, or the other flow', async (client, flow, said, other) => {
    const r = await refused({ cognito_client_id: client, cognito_auth_flow: flow });
    expectFailure(
      r,
      4,
      `cognito-creds: profile "dev": app client ${client}: ${said} (InvalidParameterException)\n` +
        `  Allow ALLOW_${flow} in the app client's authentication flows, or set cognito_auth_flow = ${other} if it allows that (\`cognito-creds setup --profile dev --auth-flow ${other}\`).\n`,
    );
    expect(cli.fake.count('InitiateAuth')).toBe(1);
  });

  it('setup meets the same refusals and saves nothing', async () => {
    await writeConfig('# mine\n');
    const r = await cli.run(setupArgs('dev', { clientId: SRP_ONLY, flow: 'USER_PASSWORD_AUTH' }), { stdin: `${PASSWORD}\n` });
    expectFailure(
      r,
      4,
      `cognito-creds: profile "dev": app client ${SRP_ONLY}: USER_PASSWORD_AUTH flow not enabled for this client (InvalidParameterException)\n` +
        "  Allow ALLOW_USER_PASSWORD_AUTH in the app client's authentication flows, or set cognito_auth_flow = USER_SRP_AUTH if it allows that (`cognito-creds setup --profile dev --auth-flow USER_SRP_AUTH`).\n",
    );
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe('# mine\n');
    expect(cli.store.entries.size).toBe(0);
  });
});

// -------------------------------------------------------------------------------------------------

describe('the network and Cognito fail (exit 6)', () => {
  const arrange = async () => {
    await writeConfig(profileText());
    await cli.store.set('dev:password', PASSWORD);
  };

  it('throttling is retried: 3 requests, then a clear error', async () => {
    await arrange();
    cli.fake.failNext('InitiateAuth', { code: 'TooManyRequestsException', message: 'Rate exceeded' }, 3);
    const r = await cp();
    expectFailure(
      r,
      6,
      'cognito-creds: profile "dev": Cognito is throttling requests (TooManyRequestsException, 3 attempts)\n' +
        '  Wait a minute and try again; many parallel sign-ins share one quota.\n',
      10_000,
    );
    expect(cli.fake.count('InitiateAuth')).toBe(3);
    expect(cli.fake.count('GetId')).toBe(0);
  });

  it('throttling of GetCredentialsForIdentity too', async () => {
    await arrange();
    cli.fake.failNext('GetCredentialsForIdentity', { code: 'TooManyRequestsException', message: 'Rate exceeded' }, 3);
    const r = await cp();
    expectFailure(
      r,
      6,
      'cognito-creds: profile "dev": Cognito is throttling requests (TooManyRequestsException, 3 attempts)\n' +
        '  Wait a minute and try again; many parallel sign-ins share one quota.\n',
      10_000,
    );
    expect(cli.fake.count('GetCredentialsForIdentity')).toBe(3);
  });

  it.each([
    ['InitiateAuth', 500, 'InternalErrorException'],
    ['GetId', 503, 'ServiceUnavailableException'],
  ])('a 5xx on %s is retried 3 times, then named', async (op, status, code) => {
    await arrange();
    cli.fake.failNext(op, { code, message: 'boom', status }, 3);
    const r = await cp();
    expectFailure(
      r,
      6,
      `cognito-creds: profile "dev": Cognito failed with HTTP ${status} on ${op} (${code})\n  This is on Cognito's side; try again in a moment.\n`,
      10_000,
    );
    expect(cli.fake.count(op)).toBe(3);
  });

  it.each(['InitiateAuth', 'GetId', 'GetCredentialsForIdentity'])('a malformed JSON answer to %s', async (op) => {
    await arrange();
    cli.fake.failNext(op, { kind: 'malformed' }, 1);
    const r = await cp();
    expectFailure(
      r,
      6,
      `cognito-creds: profile "dev": Cognito's answer to ${op} could not be read (HTTP 200, SyntaxError)\n` +
        '  A proxy or a wrong AWS_ENDPOINT_URL may stand between you and Cognito.\n',
    );
    expect(cli.fake.count(op)).toBe(1);
  });

  it('connection refused', async () => {
    await arrange();
    const port = await freePort();
    // The sign-in reads the endpoint from process.env (the harness restores it after each test).
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`;
    const r = await cp();
    expectFailure(
      r,
      6,
      `cognito-creds: profile "dev": cannot reach Cognito at http://127.0.0.1:${port}: connection refused (InitiateAuth)\n` +
        '  Check your network or proxy, and AWS_ENDPOINT_URL if you set it.\n',
      10_000,
    );
  });

  it('a server that never answers GetId, with COGNITO_CREDS_TIMEOUT=1 (the default 25 s is in the e2e matrix)', async () => {
    await arrange();
    cli.fake.failNext('GetId', { kind: 'hang' }, 5);
    const r = await cp('dev', { env: { COGNITO_CREDS_TIMEOUT: '1' } });
    expectFailure(
      r,
      6,
      `cognito-creds: profile "dev": no answer from Cognito at ${cli.fake.url} within 1 s (GetId)\n` +
        '  Check your network or proxy; set COGNITO_CREDS_TIMEOUT (seconds) to wait longer.\n',
      4_000,
    );
  });

  it('nothing is cached after a failure; the next call signs in again', async () => {
    await arrange();
    cli.fake.failNext('GetCredentialsForIdentity', { code: 'InternalErrorException', message: 'boom', status: 500 }, 3);
    expect((await cp()).code).toBe(6);
    const r = await cp();
    expect([r.code, r.stderr, r.stdout]).toEqual([0, '', issuedJson()]);
  });
});

// -------------------------------------------------------------------------------------------------

describe('credentials that have expired when they arrive (exit 7)', () => {
  const late = useInProcessCli({ users: [{ username: 'alice', password: PASSWORD }], credentialsTtlSeconds: -10 });

  it('credential-process fails, caches nothing, and says to check the clock', async () => {
    await late.writeProfile('cognito_auth_flow = USER_PASSWORD_AUTH\n');
    await late.store.set('dev:password', PASSWORD);
    const r = await late.run(['credential-process', '--profile', 'dev']);
    expectFailure(
      r,
      7,
      /^cognito-creds: profile "dev": Cognito issued credentials that expired already \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\)\n {2}Check this computer's clock \(it must be within a few minutes of the real time\)\.\n$/,
    );
    const expiration = new Date(late.fake.issued.at(-1)!.expiration * 1000).toISOString();
    expect(r.stderr).toContain(`(${expiration})`);
    expect((await fs.readdir(late.cacheDir)).filter((f) => f.endsWith('.json'))).toEqual([]);
    const again = await late.run(['credential-process', '--profile', 'dev']);
    expect(again.code).toBe(7);
    expect(late.fake.count('GetCredentialsForIdentity')).toBe(2);
  });

  it('setup fails the same way and saves nothing', async () => {
    const r = await late.run(
      ['setup', '--profile', 'dev', '--user-pool-id', late.fake.userPoolId, '--client-id', CLIENT, '--identity-pool-id', late.fake.identityPoolId, '--username', 'alice', '--password-stdin'],
      { stdin: `${PASSWORD}\n` },
    );
    expectFailure(r, 7, /^cognito-creds: profile "dev": Cognito issued credentials that expired already \(.+\)\n {2}Check this computer's clock/);
    expect(await exists(late.configFile)).toBe(false);
    expect(late.store.entries.size).toBe(0);
  });
});

// -------------------------------------------------------------------------------------------------

describe('the keychain entry is missing (exit 5)', () => {
  it('no password stored: nothing sent', async () => {
    await writeConfig(profileText());
    const r = await cp();
    expectFailure(r, 5, 'cognito-creds: profile "dev": no password for "alice" is stored in the keychain\n  Run `cognito-creds setup --profile dev` to store it.\n');
    expect(cli.fake.requests).toHaveLength(0);
  });
});

// -------------------------------------------------------------------------------------------------

describe('the credentials cache', () => {
  const entryFile = () => path.join(cli.cacheDir, `${cacheKey(resolveCognitoProfile('dev', { ...profileSettings() }, cli.configFile))}.json`);
  const profileSettings = () => ({
    cognito_user_pool_id: cli.fake.userPoolId,
    cognito_client_id: CLIENT,
    cognito_identity_pool_id: cli.fake.identityPoolId,
    cognito_username: 'alice',
    cognito_auth_flow: 'USER_PASSWORD_AUTH',
  });

  it.each([
    ['empty', ''],
    ['truncated JSON', '{"version":2,"identity":"[\\"us-east-1\\"'],
    ['binary garbage', '\u0000\u00ff\u0001garbage{'],
    ['JSON of another shape', '["not", "an", "entry"]'],
    ['an entry with a negative expiry', '{"version":2,"identity":"x","profile":"dev","identityId":"i","accessKeyId":"A","secretAccessKey":"S","sessionToken":"T","expiresAt":-1,"issuedAt":1}'],
  ])('a corrupted cache file (%s) is survived and rewritten', async (_name, content) => {
    await writeConfig(profileText());
    await cli.store.set('dev:password', PASSWORD);
    expect((await cp()).code).toBe(0);
    await fs.writeFile(entryFile(), content, { mode: 0o600 });
    const before = cli.fake.requests.length;
    const r = await cp();
    expect([r.code, r.stderr, r.stdout]).toEqual([0, '', issuedJson()]);
    expect(r.ms).toBeLessThan(FAST_MS);
    expect(cli.fake.requests.length).toBeGreaterThan(before);
    expect(JSON.parse(await fs.readFile(entryFile(), 'utf8')).accessKeyId).toBe(cli.fake.issued.at(-1)!.accessKeyId);
  });

  it('XDG_CACHE_HOME under a regular file: credentials still printed, one warning line', async () => {
    await writeConfig(profileText());
    await cli.store.set('dev:password', PASSWORD);
    const blocker = path.join(cli.tmp, 'regular-file');
    await fs.writeFile(blocker, 'x');
    const r = await cp('dev', { env: { XDG_CACHE_HOME: path.join(blocker, 'cache') } });
    expect([r.code, r.stdout]).toEqual([0, issuedJson()]);
    expect(r.stderr).toBe(
      `cognito-creds: warning: cannot use the cache directory ${blocker}/cache/cognito-creds: a part of the path is not a directory; the credentials are not cached\n`,
    );
    expect(await fs.readFile(blocker, 'utf8')).toBe('x');
  });

  it('the cache directory path is a regular file: credentials still printed, one warning line, every call', async () => {
    await writeConfig(profileText());
    await cli.store.set('dev:password', PASSWORD);
    await fs.mkdir(path.dirname(cli.cacheDir), { recursive: true });
    await fs.writeFile(cli.cacheDir, 'not a directory');
    const warning = `cognito-creds: warning: the cache directory ${cli.cacheDir} is not a directory; the credentials are not cached\n`;
    const r = await cp();
    expect([r.code, r.stdout, r.stderr]).toEqual([0, issuedJson(), warning]);
    const again = await cp();
    expect([again.code, again.stdout, again.stderr]).toEqual([0, issuedJson(), warning]);
    expect(cli.fake.count('GetCredentialsForIdentity')).toBe(2);
    expect(await fs.readFile(cli.cacheDir, 'utf8')).toBe('not a directory');
  });
});

// -------------------------------------------------------------------------------------------------

describe('setup (or remove) cannot write the config file: nothing lost, nothing half-written', () => {
  it('AWS_CONFIG_FILE under a regular file (ENOTDIR): exit 3 before any request; the keychain keeps its old value', async () => {
    const blocker = path.join(cli.tmp, 'blocker');
    await fs.writeFile(blocker, 'keep me');
    const file = path.join(blocker, 'config');
    await cli.store.set('dev:password', 'old-password');
    const r = await cli.run(setupArgs('dev'), { stdin: `${PASSWORD}\n`, env: { AWS_CONFIG_FILE: file } });
    expectFailure(
      r,
      3,
      `cognito-creds: cannot read the AWS config file ${file}: a part of the path is not a directory\n  Check the path in AWS_CONFIG_FILE and the file's permissions.\n`,
    );
    expect(cli.fake.requests).toHaveLength(0);
    expect([...cli.store.entries]).toEqual([['dev:password', 'old-password']]);
    expect(await fs.readFile(blocker, 'utf8')).toBe('keep me');
  });

  it('AWS_CONFIG_FILE is a directory (EISDIR): exit 3 before any request; the keychain holds nothing', async () => {
    const dir = path.join(cli.tmp, 'config-dir');
    await fs.mkdir(dir);
    const r = await cli.run(setupArgs('dev'), { stdin: `${PASSWORD}\n`, env: { AWS_CONFIG_FILE: dir } });
    expectFailure(
      r,
      3,
      `cognito-creds: the AWS config file ${dir} is a directory, not a regular file; it was left as it was\n` +
        '  Point AWS_CONFIG_FILE at a regular file (a symlink to one is fine), or unset it to use ~/.aws/config.\n',
    );
    expect(cli.fake.requests).toHaveLength(0);
    expect(cli.store.entries.size).toBe(0);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  // The config reads fine but cannot be written once the sign-in has been verified: here the
  // lock file's path is taken by a directory (root ignores permissions, so a mode cannot stop it).
  const existing = () =>
    `# hand-written\r\n[default]\r\nregion = eu-west-1\r\n\r\n${profileText({ cognito_auth_flow: undefined }).replace(/\n/g, '\r\n')}\r\n[profile other]\r\noutput = json`;

  it('the write fails after the sign-in: exact error, config bytes unchanged, the old keychain values put back, no temp file', async () => {
    const before = existing();
    await writeConfig(before);
    await fs.mkdir(`${cli.configFile}.cognito-creds.lock`);
    await cli.store.set('dev:password', 'old-password');
    await cli.store.set('other:password', 'other-password');
    const r = await cli.run(setupArgs('dev', {}, ['--role-arn', 'arn:aws:iam::123456789012:role/new']), {
      stdin: `${PASSWORD}\n`,
      env: { COGNITO_TOTP_SECRET: 'JBSWY3DPEHPK3PXP' },
    });
    expectFailure(
      r,
      3,
      `cognito-creds: cannot write the AWS config file ${cli.configFile}: its lock file ${cli.configFile}.cognito-creds.lock: it is a directory; it was left as it was\n  Check the permissions of the directory; remove ${cli.configFile}.cognito-creds.lock if it is not a lock file of a running cognito-creds.\n`,
    );
    expect(cli.fake.count('GetCredentialsForIdentity')).toBe(1); // the sign-in was verified first
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe(before);
    expect((await fs.readdir(path.dirname(cli.configFile))).sort()).toEqual(['config', 'config.cognito-creds.lock']);
    expect(Object.fromEntries(cli.store.entries)).toEqual({ 'dev:password': 'old-password', 'other:password': 'other-password' });
    expect(await exists(cli.cacheDir) ? await fs.readdir(cli.cacheDir) : []).toEqual([]);

    // Once the path is free again, the same setup works.
    await fs.rmdir(`${cli.configFile}.cognito-creds.lock`);
    const ok = await cli.run(setupArgs('dev'), { stdin: `${PASSWORD}\n` });
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(cli.store.entries.get('dev:password')).toBe(PASSWORD);
  });

  // Setup's verifying sign-in overwrites PROFILE:refresh-token: when the config write then fails,
  // the old entry must come back (docs/configuration.md), not be deleted.
  it('the write fails after the sign-in: a refresh token stored before is put back too', async () => {
    await writeConfig(existing());
    await cli.store.set('dev:password', PASSWORD);
    expect((await cp()).code).toBe(0); // leaves a refresh token (and IdentityId) in the keychain
    const snapshot = Object.fromEntries(cli.store.entries);
    expect(Object.keys(snapshot)).toContain('dev:refresh-token');
    await fs.mkdir(`${cli.configFile}.cognito-creds.lock`);
    const r = await cli.run(setupArgs('dev', {}, ['--role-arn', 'arn:aws:iam::123456789012:role/new']), { stdin: `${PASSWORD}\n` });
    expect(r.code).toBe(3);
    expect(Object.fromEntries(cli.store.entries)).toEqual(snapshot);
  });

  // remove edits the config file before it deletes the secrets: when the edit fails, nothing
  // changed, as the message and docs/troubleshooting.md say.
  it('remove that cannot write the config file changes nothing, the keychain included', async () => {
    const before = existing();
    await writeConfig(before);
    await cli.store.set('dev:password', 'old-password');
    await fs.mkdir(`${cli.configFile}.cognito-creds.lock`);
    const r = await cli.run(['remove', '--profile', 'dev']);
    expectFailure(
      r,
      3,
      `cognito-creds: cannot write the AWS config file ${cli.configFile}: its lock file ${cli.configFile}.cognito-creds.lock: it is a directory; it was left as it was\n  Check the permissions of the directory; remove ${cli.configFile}.cognito-creds.lock if it is not a lock file of a running cognito-creds.\n`,
    );
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe(before);
    expect(Object.fromEntries(cli.store.entries)).toEqual({ 'dev:password': 'old-password' });
  });

  it('a username the config file cannot hold (# at its start) is refused before any request and nothing is saved', async () => {
    cli.fake.addUser({ username: '#hash', password: PASSWORD });
    await writeConfig('# mine\n');
    const r = await cli.run(setupArgs('dev', { username: '#hash' }), { stdin: `${PASSWORD}\n` });
    expectFailure(
      r,
      2,
      'cognito-creds: --username "#hash" starts with # or ;, which the config file would read as the start of a comment\n' +
        '  Pass another name Cognito accepts for this user (an email or other alias the pool allows); nothing was sent or saved.\n',
    );
    expect(cli.fake.requests).toHaveLength(0);
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe('# mine\n');
    expect(cli.store.entries.size).toBe(0);
    expect((await fs.readdir(path.dirname(cli.configFile))).sort()).toEqual(['config']);
  });
});

// -------------------------------------------------------------------------------------------------

describe('CRLF config files', () => {
  it('credential-process reads a CRLF config (with a byte-order mark)', async () => {
    await writeConfig(`\uFEFF[default]\r\nregion = eu-west-1\r\n\r\n${profileText().replace(/\n/g, '\r\n')}`);
    await cli.store.set('dev:password', PASSWORD);
    const r = await cp();
    expect([r.code, r.stderr, r.stdout]).toEqual([0, '', issuedJson()]);
  });

  it('setup edits a CRLF config keeping CRLF, and credential-process reads the result', async () => {
    const before = '[default]\r\nregion = eu-west-1\r\n\r\n[profile dev]\r\nregion = us-west-2\r\ncognito_username = old\r\n\r\n[profile z]\r\noutput = json\r\n';
    await writeConfig(before);
    const r = await cli.run(setupArgs('dev', { flow: 'USER_PASSWORD_AUTH' }), { stdin: `${PASSWORD}\r\n` });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const after = await fs.readFile(cli.configFile, 'utf8');
    expect(after).not.toMatch(/(?<!\r)\n/);
    expect(after).toBe(
      '[default]\r\nregion = eu-west-1\r\n\r\n[profile dev]\r\nregion = us-west-2\r\ncognito_username = alice\r\n' +
        `credential_process = ${SELF_COMMAND} credential-process --profile dev\r\n` +
        `cognito_user_pool_id = ${cli.fake.userPoolId}\r\ncognito_client_id = ${CLIENT}\r\ncognito_identity_pool_id = ${cli.fake.identityPoolId}\r\n` +
        'cognito_auth_flow = USER_PASSWORD_AUTH\r\n\r\n[profile z]\r\noutput = json\r\n',
    );
    // The password line's \r was not kept as part of the password.
    expect(cli.store.entries.get('dev:password')).toBe(PASSWORD);
    await cli.run(['logout', '--profile', 'dev']);
    const c = await cp();
    expect([c.code, c.stderr, c.stdout]).toEqual([0, '', issuedJson()]);
  });
});

// -------------------------------------------------------------------------------------------------

describe('odd passwords and usernames', () => {
  const passwords = [
    ['quotes', `it's a "quoted" pass`],
    ['dollar and backticks', '$HOME $(id) `id` ${PATH}'],
    ['backslashes', 'back\\slash\\\\n\\t'],
    ['spaces inside', 'pass with   several spaces'],
    ['non-ASCII', 'Pässwörd-密码-🔑-ñ'],
    ['shell and ini specials', `#;=[]\\"'&|<>*?~!`],
  ];
  let n = 0;

  it.each(passwords.flatMap(([name, pw]) => ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH'].map((flow) => [name!, pw!, flow] as const)))(
    'password with %s (%s): setup, then credential-process signs in with it',
    async (_name, pw, flow) => {
      const username = `pwuser${++n}`;
      cli.fake.addUser({ username, password: pw });
      const r = await cli.run(setupArgs('dev', { username, flow }), { stdin: `${pw}\n` });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(cli.store.entries.get('dev:password')).toBe(pw);
      expect(await fs.readFile(cli.configFile, 'utf8')).not.toContain(pw);
      expect(r.stdout).not.toContain(pw);
      await cli.run(['logout', '--profile', 'dev']);
      cli.fake.requests.length = 0;
      const c = await cp();
      expect([c.code, c.stderr, c.stdout]).toEqual([0, '', issuedJson()]);
      expect(cli.fake.requests[0]!.body.AuthFlow).toBe(flow);
    },
  );

  it.each([`o'brien`, 'say"cheese"', '$USER', 'back\\slash', 'zoë.ñandú', '用户名', 'a+b@example.com', 'semi;colon=eq'])(
    'username %s: setup writes it, credential-process reads it back and signs in (both flows)',
    async (username) => {
      cli.fake.addUser({ username, password: PASSWORD });
      for (const flow of ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH']) {
        const r = await cli.run(setupArgs('dev', { username, flow }), { stdin: PASSWORD });
        expect([r.code, r.stderr]).toEqual([0, '']);
        expect(await fs.readFile(cli.configFile, 'utf8')).toContain(`\ncognito_username = ${username}\n`);
        await cli.run(['logout', '--profile', 'dev']);
        const c = await cp();
        expect([c.code, c.stderr, c.stdout]).toEqual([0, '', issuedJson()]);
        expect(cli.fake.issuedTokens.at(-1)!.username).toBe(username);
      }
    },
  );
});

// -------------------------------------------------------------------------------------------------

describe('profile names with dots and dashes', () => {
  it.each(['team.dev-1', 'a-b.c'])('%s: setup, credential-process (flag and AWS_PROFILE), status, logout, remove', async (name) => {
    await writeConfig('[profile other]\nregion = eu-west-1\n');
    const r = await cli.run(setupArgs(name, { flow: 'USER_PASSWORD_AUTH' }), { stdin: PASSWORD });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const text = await fs.readFile(cli.configFile, 'utf8');
    expect(text).toContain(`\n[profile ${name}]\ncredential_process = ${SELF_COMMAND} credential-process --profile ${name}\n`);

    const warm = await cp(name);
    expect([warm.code, warm.stderr, warm.stdout]).toEqual([0, '', issuedJson()]);
    const viaEnv = await cli.run(['credential-process'], { env: { AWS_PROFILE: name } });
    expect([viaEnv.code, viaEnv.stderr, viaEnv.stdout]).toEqual([0, '', issuedJson()]);

    const status = await cli.run(['status', '--profile', name]);
    expect(status.code).toBe(0);
    expect(status.stdout.split('\n')[2]).toBe(`${name}: alice in ${cli.fake.userPoolId}, identity pool ${cli.fake.identityPoolId}`);

    const logout = await cli.run(['logout', '--profile', name]);
    expect([logout.code, logout.stderr]).toEqual([0, '']);
    expect(logout.stdout).toBe(`profile "${name}": cached credentials deleted; refresh token deleted from the keychain; the password stays.\n`);
    const cold = await cli.run(['credential-process', `--profile=${name}`]);
    expect([cold.code, cold.stderr, cold.stdout]).toEqual([0, '', issuedJson()]);

    const removed = await cli.run(['remove', '--profile', name]);
    expect([removed.code, removed.stderr]).toEqual([0, '']);
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe('[profile other]\nregion = eu-west-1\n');
    expect([...cli.store.entries.keys()].filter((k) => k.startsWith(`${name}:`))).toEqual([]);
    const gone = await cp(name);
    expectFailure(gone, 3, `cognito-creds: profile "${name}" is not in ${cli.configFile}\n  Run \`cognito-creds setup --profile ${name}\`, or check the name (--profile, AWS_PROFILE).\n`);
  });

  it('a profile name setup cannot write is refused before anything (exit 2)', async () => {
    const r = await cli.run(setupArgs('.hidden'), { stdin: PASSWORD, secrets: untouchable });
    expectFailure(
      r,
      2,
      'cognito-creds: --profile ".hidden" is not a usable profile name (up to 64 letters, digits and . _ - @ +, not starting with . - @ +)\n  Choose another name.\n',
    );
    expect(cli.fake.requests).toHaveLength(0);
  });
});

