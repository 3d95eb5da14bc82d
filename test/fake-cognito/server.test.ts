import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import { afterEach, describe, expect, it } from 'vitest';
import { computeSecretHash, decodeJwtPayload, FakeCognito, totpCode, type FakeCognitoOptions } from './server.js';
import { formatSrpTimestamp, padHex, parseSrpTimestamp } from './srp-verifier.js';

// amazon-cognito-identity-js is CommonJS without types for its deep modules.
const require = createRequire(import.meta.url);
interface BigIntegerLike {
  toString(radix: number): string;
}
type BigIntegerCtor = new (value: string, radix: number) => BigIntegerLike;
interface AuthenticationHelperLike {
  largeAValue: BigIntegerLike;
  getLargeAValue(cb: (err: unknown, A: BigIntegerLike) => void): void;
  getPasswordAuthenticationKey(
    username: string,
    password: string,
    B: BigIntegerLike,
    salt: BigIntegerLike,
    cb: (err: unknown, hkdf: Buffer) => void,
  ): void;
  padHex(n: BigIntegerLike): string;
}
const AuthenticationHelper = (require('amazon-cognito-identity-js/lib/AuthenticationHelper.js') as { default: new (pool: string) => AuthenticationHelperLike }).default;
const BigInteger = (require('amazon-cognito-identity-js/lib/BigInteger.js') as { default: BigIntegerCtor }).default;
const DateHelper = (require('amazon-cognito-identity-js/lib/DateHelper.js') as { default: new () => { getNowString(): string } }).default;
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = require('amazon-cognito-identity-js') as any;

const T0 = Date.UTC(2024, 0, 2, 3, 4, 5); // Tue Jan 2 03:04:05 UTC 2024
const CLIENT = 'fakeclient0000000000000001';
const SECRET_CLIENT = 'secretclient00000000000001';
const SECRET = 'sup3rs3cr3tsup3rs3cr3tsup3rs3cr3tsup3rs3cr3tsup3rs3';
const creds = { accessKeyId: 'x', secretAccessKey: 'x' };

let fakes: FakeCognito[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.stop()));
  fakes = [];
});

let clock = T0;
async function startFake(extra: FakeCognitoOptions = {}): Promise<FakeCognito> {
  clock = T0;
  const fake = new FakeCognito({
    now: () => clock,
    clients: [
      { clientId: CLIENT },
      { clientId: SECRET_CLIENT, clientSecret: SECRET },
      { clientId: 'srponlyclient0000000000001', authFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
    ],
    users: [
      { username: 'alice', password: 'Correct-Horse-1', sub: '11111111-2222-4333-8444-555555555555' },
      { username: 'bob', password: 'Bob-Password-1' },
      { username: 'unconfirmed', password: 'Passw0rd!', status: 'UNCONFIRMED' },
      { username: 'reset', password: 'Passw0rd!', status: 'RESET_REQUIRED' },
      { username: 'newbie', password: 'Temp-Pass-1', status: 'FORCE_CHANGE_PASSWORD' },
    ],
    ...extra,
  });
  await fake.start();
  fakes.push(fake);
  return fake;
}

function idp(fake: FakeCognito, extra: Record<string, unknown> = {}) {
  return new CognitoIdentityProviderClient({ region: fake.region, endpoint: fake.url, credentials: creds, ...extra });
}
function identity(fake: FakeCognito, extra: Record<string, unknown> = {}) {
  return new CognitoIdentityClient({ region: fake.region, endpoint: fake.url, credentials: creds, ...extra });
}

async function passwordLogin(fake: FakeCognito, username = 'alice', password = 'Correct-Horse-1', clientId = CLIENT) {
  return idp(fake).send(
    new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }),
  );
}

async function rejection(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

function helperA(helper: AuthenticationHelperLike): Promise<BigIntegerLike> {
  return new Promise((res, rej) => helper.getLargeAValue((err, A) => (err ? rej(err) : res(A))));
}

async function srpLogin(fake: FakeCognito, opts: { username: string; password: string; clientId?: string; secret?: string; timestamp?: string; noSession?: boolean }) {
  const clientId = opts.clientId ?? CLIENT;
  const poolName = fake.userPoolId.split('_')[1]!;
  const helper = new AuthenticationHelper(poolName);
  const A = await helperA(helper);
  const client = idp(fake);
  const init: InitiateAuthCommandOutput = await client.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_SRP_AUTH',
      ClientId: clientId,
      AuthParameters: {
        USERNAME: opts.username,
        SRP_A: A.toString(16),
        ...(opts.secret ? { SECRET_HASH: computeSecretHash(opts.username, clientId, opts.secret) } : {}),
      },
    }),
  );
  expect(init.ChallengeName).toBe('PASSWORD_VERIFIER');
  const p = init.ChallengeParameters!;
  const userId = p['USER_ID_FOR_SRP']!;
  const hkdf = await new Promise<Buffer>((res, rej) =>
    helper.getPasswordAuthenticationKey(userId, opts.password, new BigInteger(p['SRP_B']!, 16), new BigInteger(p['SALT']!, 16), (err, key) =>
      err ? rej(err) : res(key),
    ),
  );
  const timestamp = opts.timestamp ?? new DateHelper().getNowString();
  // exactly what CognitoUser.authenticateUserDefaultAuth signs
  const signature = createHmac('sha256', hkdf)
    .update(
      Buffer.concat([
        Buffer.from(poolName, 'utf8'),
        Buffer.from(userId, 'utf8'),
        Buffer.from(p['SECRET_BLOCK']!, 'base64'),
        Buffer.from(timestamp, 'utf8'),
      ]),
    )
    .digest('base64');
  const out = await client.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: 'PASSWORD_VERIFIER',
      ...(opts.noSession ? {} : { Session: init.Session! }),
      ChallengeResponses: {
        USERNAME: userId,
        PASSWORD_CLAIM_SECRET_BLOCK: p['SECRET_BLOCK']!,
        TIMESTAMP: timestamp,
        PASSWORD_CLAIM_SIGNATURE: signature,
        ...(opts.secret ? { SECRET_HASH: computeSecretHash(userId, clientId, opts.secret) } : {}),
      },
    }),
  );
  return { init, out };
}

describe('FakeCognito: user pool password flow', () => {
  it('issues tokens whose ID token names the pool, the user and the client', async () => {
    const fake = await startFake();
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const out = await passwordLogin(fake);
    const r = out.AuthenticationResult!;
    expect(out.ChallengeName).toBeUndefined();
    expect(r.ExpiresIn).toBe(3600);
    expect(r.TokenType).toBe('Bearer');
    expect(typeof r.RefreshToken).toBe('string');
    const [header] = r.IdToken!.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'RS256', kid: 'fake' });
    const id = decodeJwtPayload(r.IdToken!);
    expect(id).toMatchObject({
      sub: '11111111-2222-4333-8444-555555555555',
      iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Fake1234',
      aud: CLIENT,
      token_use: 'id',
      'cognito:username': 'alice',
      auth_time: T0 / 1000,
      iat: T0 / 1000,
      exp: T0 / 1000 + 3600,
    });
    const access = decodeJwtPayload(r.AccessToken!);
    expect(access).toMatchObject({ token_use: 'access', client_id: CLIENT, username: 'alice' });
    expect(fake.count('InitiateAuth')).toBe(1);
    expect(fake.requests[0]).toMatchObject({
      service: 'idp',
      operation: 'InitiateAuth',
      target: 'AWSCognitoIdentityProviderService.InitiateAuth',
      body: { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: CLIENT, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Correct-Horse-1' } },
    });
    expect(fake.requests[0]!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(fake.issuedTokens[0]).toMatchObject({ username: 'alice', idToken: r.IdToken, refreshToken: r.RefreshToken });
  });

  it('answers every error case with the exception the SDK names', async () => {
    const fake = await startFake();
    const cases: Array<[Promise<unknown>, string, string?]> = [
      [passwordLogin(fake, 'alice', 'wrong'), 'NotAuthorizedException', 'Incorrect username or password.'],
      [passwordLogin(fake, 'nobody', 'x'), 'UserNotFoundException', 'User does not exist.'],
      [passwordLogin(fake, 'unconfirmed', 'Passw0rd!'), 'UserNotConfirmedException'],
      [passwordLogin(fake, 'reset', 'Passw0rd!'), 'PasswordResetRequiredException', 'Password reset required for the user'],
      [
        passwordLogin(fake, 'alice', 'Correct-Horse-1', 'srponlyclient0000000000001'),
        'InvalidParameterException',
        'USER_PASSWORD_AUTH flow not enabled for this client',
      ],
      [passwordLogin(fake, 'alice', 'Correct-Horse-1', 'unknownclient0000000000001'), 'ResourceNotFoundException'],
      [passwordLogin(fake, 'alice', 'Correct-Horse-1', SECRET_CLIENT), 'NotAuthorizedException', `Unable to verify secret hash for client ${SECRET_CLIENT}`],
      [
        idp(fake).send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: CLIENT, AuthParameters: { USERNAME: 'alice' } })),
        'InvalidParameterException',
        'Missing required parameter PASSWORD',
      ],
      [
        idp(fake).send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: undefined as unknown as string })),
        'InvalidParameterException',
      ],
    ];
    for (const [p, name, message] of cases) {
      const err = await rejection(p);
      expect(err.name, message).toBe(name);
      expect(err.$metadata?.httpStatusCode).toBe(400);
      if (message) expect(err.message).toBe(message);
    }
    expect(fake.count('InitiateAuth')).toBe(cases.length);
  });

  it('checks SECRET_HASH = Base64(HMAC-SHA256(secret, username + clientId))', async () => {
    const fake = await startFake();
    const send = (hash: string) =>
      idp(fake).send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: SECRET_CLIENT,
          AuthParameters: { USERNAME: 'alice', PASSWORD: 'Correct-Horse-1', SECRET_HASH: hash },
        }),
      );
    const good = createHmac('sha256', SECRET).update('alice' + SECRET_CLIENT).digest('base64');
    expect(computeSecretHash('alice', SECRET_CLIENT, SECRET)).toBe(good);
    const out = await send(good);
    expect(out.AuthenticationResult?.IdToken).toBeTruthy();
    const wrong = createHmac('sha256', 'other').update('alice' + SECRET_CLIENT).digest('base64');
    expect((await rejection(send(wrong))).name).toBe('NotAuthorizedException');

    // refresh with a secret: hash of the user's username
    const refresh = (hash?: string) =>
      idp(fake).send(
        new InitiateAuthCommand({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: SECRET_CLIENT,
          AuthParameters: { REFRESH_TOKEN: out.AuthenticationResult!.RefreshToken!, ...(hash ? { SECRET_HASH: hash } : {}) },
        }),
      );
    expect((await refresh(good)).AuthenticationResult?.IdToken).toBeTruthy();
    expect((await rejection(refresh())).message).toBe(`Unable to verify secret hash for client ${SECRET_CLIENT}`);
  });

  it('refreshes without a new refresh token, and rejects revoked or unknown ones', async () => {
    const fake = await startFake();
    const first = (await passwordLogin(fake)).AuthenticationResult!;
    clock += 60_000;
    const refresh = (token: string, flow: 'REFRESH_TOKEN_AUTH' | 'REFRESH_TOKEN' = 'REFRESH_TOKEN_AUTH') =>
      idp(fake).send(new InitiateAuthCommand({ AuthFlow: flow, ClientId: CLIENT, AuthParameters: { REFRESH_TOKEN: token } }));
    const out = await refresh(first.RefreshToken!);
    const r = out.AuthenticationResult!;
    expect(r.RefreshToken).toBeUndefined();
    expect(r.IdToken).not.toBe(first.IdToken);
    expect(decodeJwtPayload(r.IdToken!)).toMatchObject({ sub: '11111111-2222-4333-8444-555555555555', iat: T0 / 1000 + 60, auth_time: T0 / 1000 });
    expect((await refresh(first.RefreshToken!, 'REFRESH_TOKEN')).AuthenticationResult?.AccessToken).toBeTruthy();

    const bad = await rejection(refresh('not-a-token'));
    expect([bad.name, bad.message]).toEqual(['NotAuthorizedException', 'Invalid Refresh Token']);
    fake.revokeRefreshTokens({ username: 'alice' });
    expect((await rejection(refresh(first.RefreshToken!))).message).toBe('Invalid Refresh Token');
    expect(fake.count('InitiateAuth')).toBe(5);
  });

  it('runs the NEW_PASSWORD_REQUIRED challenge for FORCE_CHANGE_PASSWORD users', async () => {
    const fake = await startFake();
    const out = await passwordLogin(fake, 'newbie', 'Temp-Pass-1');
    expect(out.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(out.Session).toBeTruthy();
    const done = await idp(fake).send(
      new RespondToAuthChallengeCommand({
        ClientId: CLIENT,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: out.Session!,
        ChallengeResponses: { USERNAME: 'newbie', NEW_PASSWORD: 'Brand-New-Pass-1' },
      }),
    );
    expect(decodeJwtPayload(done.AuthenticationResult!.IdToken!)['cognito:username']).toBe('newbie');
    expect(fake.getUser('newbie')).toMatchObject({ status: 'CONFIRMED', password: 'Brand-New-Pass-1' });
    expect((await passwordLogin(fake, 'newbie', 'Brand-New-Pass-1')).AuthenticationResult).toBeTruthy();
    // sessions are single-use
    const again = await rejection(
      idp(fake).send(
        new RespondToAuthChallengeCommand({
          ClientId: CLIENT,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: out.Session!,
          ChallengeResponses: { USERNAME: 'newbie', NEW_PASSWORD: 'Other-New-Pass-1' },
        }),
      ),
    );
    expect(again.name).toBe('NotAuthorizedException');
  });
});

describe('FakeCognito: identity pool', () => {
  it('trades an ID token for the credentials it records in `issued`', async () => {
    const fake = await startFake({ credentialsTtlSeconds: 900 });
    const idToken = (await passwordLogin(fake)).AuthenticationResult!.IdToken!;
    const logins = { [`cognito-idp.us-east-1.amazonaws.com/${fake.userPoolId}`]: idToken };
    const client = identity(fake);
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: fake.identityPoolId, Logins: logins }));
    expect(IdentityId).toMatch(/^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // stable per sub
    const again = await client.send(new GetIdCommand({ IdentityPoolId: fake.identityPoolId, Logins: logins }));
    expect(again.IdentityId).toBe(IdentityId);

    const out = await client.send(new GetCredentialsForIdentityCommand({ IdentityId: IdentityId!, Logins: logins }));
    expect(fake.issued).toHaveLength(1);
    const issued = fake.issued[0]!;
    expect(out.IdentityId).toBe(IdentityId);
    expect(out.Credentials!.AccessKeyId).toBe(issued.accessKeyId);
    expect(issued.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.Credentials!.SecretKey).toBe(issued.secretKey);
    expect(issued.secretKey).toHaveLength(40);
    expect(out.Credentials!.SessionToken).toBe(issued.sessionToken);
    expect(out.Credentials!.Expiration).toBeInstanceOf(Date);
    expect(out.Credentials!.Expiration!.getTime()).toBe(issued.expiration * 1000);
    expect(issued.expiration).toBe(T0 / 1000 + 900);
    expect(issued.identityId).toBe(IdentityId);

    const role = 'arn:aws:iam::123456789012:role/Developers';
    await client.send(new GetCredentialsForIdentityCommand({ IdentityId: IdentityId!, Logins: logins, CustomRoleArn: role }));
    expect(fake.issued[1]!.customRoleArn).toBe(role);
    const badRole = await rejection(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId: IdentityId!, Logins: logins, CustomRoleArn: 'arn:aws:iam::12:role/x' })),
    );
    expect(badRole.name).toBe('InvalidParameterException');
    expect(fake.count('GetId')).toBe(2);
    expect(fake.count('GetCredentialsForIdentity')).toBe(3);
    expect(fake.requests.filter((r) => r.service === 'identity')).toHaveLength(5);
  });

  it('rejects unknown pools, bad or expired tokens and foreign identities', async () => {
    const fake = await startFake();
    const aliceToken = (await passwordLogin(fake)).AuthenticationResult!.IdToken!;
    const bobToken = (await passwordLogin(fake, 'bob', 'Bob-Password-1')).AuthenticationResult!.IdToken!;
    const key = fake.providerName;
    const client = identity(fake);
    const getId = (poolId: string, logins?: Record<string, string>) =>
      client.send(new GetIdCommand({ IdentityPoolId: poolId, ...(logins ? { Logins: logins } : {}) }));

    expect((await rejection(getId('us-east-1:99999999-0000-0000-0000-000000000000', { [key]: aliceToken }))).name).toBe(
      'ResourceNotFoundException',
    );
    expect((await rejection(getId('nonsense', { [key]: aliceToken }))).name).toBe('InvalidParameterException');
    expect((await rejection(getId(fake.identityPoolId))).name).toBe('NotAuthorizedException');
    const forged = await rejection(getId(fake.identityPoolId, { [key]: aliceToken.replace(/\.[^.]*$/, '.AAAA') }));
    expect(forged.name).toBe('NotAuthorizedException');
    expect(forged.message).toMatch(/^Invalid login token\./);
    expect((await rejection(getId(fake.identityPoolId, { 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Other': aliceToken }))).name).toBe(
      'NotAuthorizedException',
    );

    const aliceId = (await getId(fake.identityPoolId, { [key]: aliceToken })).IdentityId!;
    const bobId = (await getId(fake.identityPoolId, { [key]: bobToken })).IdentityId!;
    expect(bobId).not.toBe(aliceId);
    const foreign = await rejection(client.send(new GetCredentialsForIdentityCommand({ IdentityId: bobId, Logins: { [key]: aliceToken } })));
    expect(foreign.name).toBe('NotAuthorizedException');
    const unknown = await rejection(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId: 'us-east-1:00000000-1111-4111-8111-000000000000', Logins: { [key]: aliceToken } })),
    );
    expect(unknown.name).toBe('ResourceNotFoundException');

    clock += 3601_000; // the ID token has expired
    const expired = await rejection(getId(fake.identityPoolId, { [key]: aliceToken }));
    expect(expired.name).toBe('NotAuthorizedException');
    expect(expired.message).toMatch(/^Invalid login token\. Token expired/);
    expect(fake.issued).toHaveLength(0);
  });
});

describe('FakeCognito: wire protocol and failure injection', () => {
  it('works for both services through AWS_ENDPOINT_URL', async () => {
    const fake = await startFake();
    const saved = process.env['AWS_ENDPOINT_URL'];
    process.env['AWS_ENDPOINT_URL'] = fake.url;
    try {
      const c = new CognitoIdentityProviderClient({ region: fake.region, credentials: creds });
      const out = await c.send(
        new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: CLIENT, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Correct-Horse-1' } }),
      );
      const ci = new CognitoIdentityClient({ region: fake.region, credentials: creds });
      const id = await ci.send(new GetIdCommand({ IdentityPoolId: fake.identityPoolId, Logins: { [fake.providerName]: out.AuthenticationResult!.IdToken! } }));
      expect(id.IdentityId).toMatch(/^us-east-1:/);
      expect(fake.requests.map((r) => r.service)).toEqual(['idp', 'identity']);
    } finally {
      if (saved === undefined) delete process.env['AWS_ENDPOINT_URL'];
      else process.env['AWS_ENDPOINT_URL'] = saved;
    }
  });

  it('answers unknown targets with UnknownOperationException', async () => {
    const fake = await startFake();
    const res = await fetch(fake.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.DeleteEverything' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect((await res.json()) as unknown).toMatchObject({ __type: 'UnknownOperationException' });
    const res2 = await fetch(fake.url, { method: 'POST', headers: { 'x-amz-target': 'Nope.GetId' }, body: '{}' });
    expect(res2.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(fake.requests.map((r) => [r.service, r.operation])).toEqual([
      ['idp', 'DeleteEverything'],
      ['unknown', 'GetId'],
    ]);
  });

  it('failNext with an error code fails exactly n requests', async () => {
    const fake = await startFake();
    fake.failNext('InitiateAuth', { code: 'TooManyRequestsException', message: 'Rate exceeded' });
    const err = await rejection(idp(fake, { maxAttempts: 1 }).send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: CLIENT, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Correct-Horse-1' } }),
    ));
    expect([err.name, err.message, err.$metadata?.httpStatusCode]).toEqual(['TooManyRequestsException', 'Rate exceeded', 400]);
    expect((await passwordLogin(fake)).AuthenticationResult).toBeTruthy();

    fake.failNext('*', { code: 'InternalErrorException', message: 'boom', status: 500 }, 2);
    fake.failNext('GetId', { code: 'ShouldNotHappen' });
    const start = fake.requests.length;
    // the SDK retries 5xx (3 attempts by default): two failures, then success
    expect((await passwordLogin(fake)).AuthenticationResult).toBeTruthy();
    expect(fake.requests.length - start).toBe(3);
    expect(fake.count('InitiateAuth')).toBe(5);

    fake.failNext('InitiateAuth', { code: 'InternalErrorException', status: 500 }, 3);
    const e500 = await rejection(passwordLogin(fake));
    expect([e500.name, e500.$metadata?.httpStatusCode]).toEqual(['InternalErrorException', 500]);
    expect(fake.count('InitiateAuth')).toBe(8);
    fake.clearFailures();
  });

  it('failNext malformed answers 200 with broken JSON', async () => {
    const fake = await startFake();
    fake.failNext('InitiateAuth', { kind: 'malformed' });
    const err = await rejection(passwordLogin(fake));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).not.toMatch(/Exception$/);
    expect(fake.count('InitiateAuth')).toBe(1); // not retried
    expect((await passwordLogin(fake)).AuthenticationResult).toBeTruthy();
  });

  it('failNext rewrite runs the operation, then sends the rewritten answer with HTTP 200', async () => {
    const fake = await startFake();
    fake.failNext('InitiateAuth', { kind: 'rewrite', rewrite: (a) => ({ ...a, AuthenticationResult: { ...a.AuthenticationResult, IdToken: 42 } }) });
    const out = await passwordLogin(fake);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.AuthenticationResult?.IdToken).toBe(42); // the SDK passes it through
    // The real answer was issued and recorded: its access token is the one sent.
    expect(out.AuthenticationResult?.AccessToken).toBe(fake.issuedTokens.at(-1)!.accessToken);
    expect(typeof (await passwordLogin(fake)).AuthenticationResult?.IdToken).toBe('string'); // once only
    fake.failNext('InitiateAuth', { kind: 'rewrite', rewrite: () => undefined });
    expect((await passwordLogin(fake)).AuthenticationResult).toBeUndefined(); // an empty body
  });

  it('failNext hang keeps the request open until the client times out, and stop() still returns', async () => {
    const fake = await startFake();
    fake.failNext('GetId', { kind: 'hang' });
    // NB: this @smithy/node-http-handler only logs a warning on requestTimeout unless throwOnRequestTimeout is set
    const client = identity(fake, { maxAttempts: 1, requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } });
    const t = Date.now();
    const err = await rejection(client.send(new GetIdCommand({ IdentityPoolId: fake.identityPoolId, Logins: {} })));
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
    expect(err.name).toBe('TimeoutError');
    expect(fake.count('GetId')).toBe(1);

    // a hang that nobody times out: stop() must not wait for it
    fake.failNext('GetId', { kind: 'hang' });
    const pending = identity(fake, { maxAttempts: 1 }).send(new GetIdCommand({ IdentityPoolId: fake.identityPoolId }));
    pending.catch(() => undefined);
    while (fake.count('GetId') < 2) await new Promise((r) => setTimeout(r, 5));
    await fake.stop();
    expect((await rejection(pending)).name).not.toBe('NotAuthorizedException');
  });
});

describe('FakeCognito: SRP against amazon-cognito-identity-js', () => {
  it('accepts the signature computed by AuthenticationHelper', async () => {
    const fake = await startFake();
    const { init, out } = await srpLogin(fake, { username: 'alice', password: 'Correct-Horse-1' });
    expect(init.ChallengeParameters).toMatchObject({ USER_ID_FOR_SRP: 'alice', USERNAME: 'alice' });
    expect(init.ChallengeParameters!['SALT']).toMatch(/^[0-9a-f]+$/);
    expect(init.Session).toBeTruthy();
    expect(decodeJwtPayload(out.AuthenticationResult!.IdToken!).sub).toBe('11111111-2222-4333-8444-555555555555');
    expect(out.AuthenticationResult!.RefreshToken).toBeTruthy();
    expect(fake.count('RespondToAuthChallenge')).toBe(1);
  });

  it('rejects the signature of a wrong password', async () => {
    const fake = await startFake();
    const err = await rejection(srpLogin(fake, { username: 'alice', password: 'Wrong-Horse-1' }));
    expect([err.name, err.message]).toEqual(['NotAuthorizedException', 'Incorrect username or password.']);
  });

  it('uses the sub as USER_ID_FOR_SRP when configured, works without Session and with a client secret', async () => {
    const fake = await startFake({ srpUserIdIsSub: true });
    const { init } = await srpLogin(fake, { username: 'alice', password: 'Correct-Horse-1', noSession: true });
    expect(init.ChallengeParameters!['USER_ID_FOR_SRP']).toBe('11111111-2222-4333-8444-555555555555');
    const { out } = await srpLogin(fake, { username: 'alice', password: 'Correct-Horse-1', clientId: SECRET_CLIENT, secret: SECRET });
    expect(out.AuthenticationResult?.IdToken).toBeTruthy();
    const err = await rejection(srpLogin(fake, { username: 'alice', password: 'Correct-Horse-1', clientId: SECRET_CLIENT, secret: 'nope' }));
    expect(err.name).toBe('NotAuthorizedException');
  });

  it('checks the TIMESTAMP format (day of month not zero-padded) and maps statuses', async () => {
    const fake = await startFake();
    const padded = await rejection(srpLogin(fake, { username: 'alice', password: 'Correct-Horse-1', timestamp: 'Tue Jan 02 03:04:05 UTC 2024' }));
    expect(padded.name).toBe('InvalidParameterException');
    const ok = await srpLogin(fake, { username: 'alice', password: 'Correct-Horse-1', timestamp: 'Tue Jan 2 03:04:05 UTC 2024' });
    expect(ok.out.AuthenticationResult).toBeTruthy();
    expect((await rejection(srpLogin(fake, { username: 'unconfirmed', password: 'Passw0rd!' }))).name).toBe('UserNotConfirmedException');
    expect((await rejection(srpLogin(fake, { username: 'nobody', password: 'x' }))).name).toBe('UserNotFoundException');
    const newbie = await srpLogin(fake, { username: 'newbie', password: 'Temp-Pass-1' });
    expect(newbie.out.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
  });

  it('signs in with CognitoUser.authenticateUser end to end', async () => {
    const fake = await startFake();
    const pool = new CognitoUserPool({ UserPoolId: fake.userPoolId, ClientId: CLIENT, endpoint: fake.url + '/' });
    const login = (password: string) =>
      new Promise<any>((res, rej) => {
        const user = new CognitoUser({ Username: 'alice', Pool: pool });
        user.authenticateUser(new AuthenticationDetails({ Username: 'alice', Password: password }), {
          onSuccess: res,
          onFailure: rej,
        });
      });
    const session = await login('Correct-Horse-1');
    expect(session.getIdToken().payload.sub).toBe('11111111-2222-4333-8444-555555555555');
    expect(session.getIdToken().payload.iss).toBe(fake.issuer);
    const err = await login('Nope-Horse-1').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.name).toBe('NotAuthorizedException');
    expect(fake.count('RespondToAuthChallenge')).toBe(2);
    expect(fake.requests.find((r) => r.operation === 'InitiateAuth')!.body.AuthFlow).toBe('USER_SRP_AUTH');
  });

  it('formats and parses Cognito timestamps, and pads hex like the helper', () => {
    expect(formatSrpTimestamp(new Date(T0))).toBe('Tue Jan 2 03:04:05 UTC 2024');
    expect(parseSrpTimestamp('Tue Jan 2 03:04:05 UTC 2024')).toBe(T0);
    expect(parseSrpTimestamp(new DateHelper().getNowString())).toBeTypeOf('number');
    for (const bad of ['Tue Jan 02 03:04:05 UTC 2024', 'Wed Jan 2 03:04:05 UTC 2024', 'Tue Jan 2 3:04:05 UTC 2024', 'Tue Jan 2 03:04:05 GMT 2024']) {
      expect(parseSrpTimestamp(bad), bad).toBeUndefined();
    }
    const helper = new AuthenticationHelper('x');
    for (const hex of ['1', '7f', '80', 'ff', '100', 'abcdef0123', '0123456789abcdef']) {
      expect(padHex(BigInt('0x' + hex))).toBe(helper.padHex(new BigInteger(hex, 16)));
    }
  });
});

// An RFC 6238 TOTP independent of the fake's: HMAC-SHA1, 30 s steps, 6 digits.
function testTotp(base32: string, atMs: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = base32.replace(/=+$/, '');
  let bits = '';
  for (const ch of clean) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[19]! & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

const TOTP_SECRET = 'JBSWY3DPEHPK3PXP'; // unpadded
const TOTP_SECRET_PADDED = 'MFRGGZDFMZTWQ2LKNM======';

describe('FakeCognito: MFA challenges', () => {
  async function mfaFake(extra: FakeCognitoOptions = {}): Promise<FakeCognito> {
    const fake = await startFake(extra);
    fake.addUser({ username: 'totp', password: 'Totp-Pass-1', sub: 'aaaaaaaa-2222-4333-8444-555555555555', totpSecret: TOTP_SECRET });
    fake.addUser({ username: 'sms', password: 'Sms-Pass-1', smsCode: '424242' });
    fake.addUser({ username: 'email', password: 'Email-Pass-1', emailOtpCode: '13579135' });
    fake.addUser({ username: 'both', password: 'Both-Pass-1', totpSecret: TOTP_SECRET_PADDED, smsCode: '111222' });
    fake.addUser({ username: 'nomfa', password: 'Nomfa-Pass-1', mfaSetupRequired: true });
    return fake;
  }

  const answer = (fake: FakeCognito, name: string, session: string | undefined, responses: Record<string, string>, clientId = CLIENT) =>
    idp(fake).send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: name as 'SMS_MFA',
        ...(session !== undefined ? { Session: session } : {}),
        ChallengeResponses: responses,
      }),
    );

  it('the test TOTP helper matches RFC 6238 appendix B (SHA-1)', () => {
    // the RFC's SHA-1 seed '12345678901234567890' in base32; its 8-digit codes, last 6 digits
    expect(testTotp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000)).toBe('287082');
    expect(testTotp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1111111109_000)).toBe('081804');
    expect(testTotp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1234567890_000)).toBe('005924');
    // and the fake's exported helper (for e2e tests that must type a code) agrees
    expect(totpCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1111111109_000)).toBe('081804');
    expect(totpCode(TOTP_SECRET, T0)).toBe(testTotp(TOTP_SECRET, T0));
  });

  it('TOTP after USER_PASSWORD_AUTH: wrong code, right code, reused code, clock drift', async () => {
    const fake = await mfaFake();
    const first = await passwordLogin(fake, 'totp', 'Totp-Pass-1');
    expect(first.AuthenticationResult).toBeUndefined();
    expect(first.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect(first.ChallengeParameters).toEqual({ USERNAME: 'totp' });
    expect(first.Session).toBeTruthy();

    const code = testTotp(TOTP_SECRET, clock);
    const wrongCode = code === '000000' ? '000001' : '000000';
    const wrong = await rejection(answer(fake, 'SOFTWARE_TOKEN_MFA', first.Session, { USERNAME: 'totp', SOFTWARE_TOKEN_MFA_CODE: wrongCode }));
    expect([wrong.name, wrong.message]).toEqual(['CodeMismatchException', 'Invalid code or auth state for the user.']);

    // a wrong code does not use up the session
    const ok = await answer(fake, 'SOFTWARE_TOKEN_MFA', first.Session, { USERNAME: 'totp', SOFTWARE_TOKEN_MFA_CODE: code });
    expect(ok.ChallengeName).toBeUndefined();
    expect(decodeJwtPayload(ok.AuthenticationResult!.IdToken!)).toMatchObject({ 'cognito:username': 'totp', sub: 'aaaaaaaa-2222-4333-8444-555555555555' });
    expect(ok.AuthenticationResult!.RefreshToken).toBeTruthy();
    expect(fake.getUser('totp')).toMatchObject({ totpSecret: TOTP_SECRET, lastTotpStep: Math.floor(clock / 30_000) });

    // the session is gone once used
    const again = await rejection(answer(fake, 'SOFTWARE_TOKEN_MFA', first.Session, { USERNAME: 'totp', SOFTWARE_TOKEN_MFA_CODE: code }));
    expect([again.name, again.message]).toEqual(['NotAuthorizedException', 'Invalid session for the user.']);

    // the same code in a new sign-in, 10 s later (same step): refused as reused
    clock += 10_000;
    const second = await passwordLogin(fake, 'totp', 'Totp-Pass-1');
    const reused = await rejection(answer(fake, 'SOFTWARE_TOKEN_MFA', second.Session, { USERNAME: 'totp', SOFTWARE_TOKEN_MFA_CODE: code }));
    expect([reused.name, reused.message]).toEqual(['ExpiredCodeException', 'Your software token has already been used once.']);

    // two steps on, the code of the step before is still accepted (clock drift) ...
    clock += 60_000;
    const drift = await answer(fake, 'SOFTWARE_TOKEN_MFA', second.Session, { USERNAME: 'totp', SOFTWARE_TOKEN_MFA_CODE: testTotp(TOTP_SECRET, clock - 30_000) });
    expect(drift.AuthenticationResult?.IdToken).toBeTruthy();
    // ... but not one of two steps before
    const third = await passwordLogin(fake, 'totp', 'Totp-Pass-1');
    clock += 30_000;
    const old = await rejection(answer(fake, 'SOFTWARE_TOKEN_MFA', third.Session, { USERNAME: 'totp', SOFTWARE_TOKEN_MFA_CODE: testTotp(TOTP_SECRET, clock - 60_000) }));
    expect(old.name).toBe('CodeMismatchException');
    expect((await answer(fake, 'SOFTWARE_TOKEN_MFA', third.Session, { USERNAME: 'totp', SOFTWARE_TOKEN_MFA_CODE: testTotp(TOTP_SECRET, clock) })).AuthenticationResult).toBeTruthy();

    expect(fake.answeredChallenges.map((a) => [a.challengeName, a.outcome, a.error])).toEqual([
      ['SOFTWARE_TOKEN_MFA', 'error', 'CodeMismatchException'],
      ['SOFTWARE_TOKEN_MFA', 'tokens', undefined],
      ['SOFTWARE_TOKEN_MFA', 'error', 'NotAuthorizedException'],
      ['SOFTWARE_TOKEN_MFA', 'error', 'ExpiredCodeException'],
      ['SOFTWARE_TOKEN_MFA', 'tokens', undefined],
      ['SOFTWARE_TOKEN_MFA', 'error', 'CodeMismatchException'],
      ['SOFTWARE_TOKEN_MFA', 'tokens', undefined],
    ]);
    expect(fake.answeredChallenges[1]).toMatchObject({ clientId: CLIENT, username: 'totp', responses: { SOFTWARE_TOKEN_MFA_CODE: code } });
    expect(fake.issuedTokens.map((t) => t.username)).toEqual(['totp', 'totp', 'totp']);
  });

  it('refuses a wrong or expired session, another challenge name and missing parameters', async () => {
    const fake = await mfaFake();
    const out = await passwordLogin(fake, 'totp', 'Totp-Pass-1');
    const code = testTotp(TOTP_SECRET, clock);
    const cases: Array<[Promise<unknown>, string, string]> = [
      [answer(fake, 'SOFTWARE_TOKEN_MFA', 'bm90LWEtc2Vzc2lvbg', { USERNAME: 'totp', SOFTWARE_TOKEN_MFA_CODE: code }), 'NotAuthorizedException', 'Invalid session for the user.'],
      [answer(fake, 'SMS_MFA', out.Session, { USERNAME: 'totp', SMS_MFA_CODE: code }), 'NotAuthorizedException', 'Invalid session for the user.'],
      [answer(fake, 'SOFTWARE_TOKEN_MFA', out.Session, { USERNAME: 'bob', SOFTWARE_TOKEN_MFA_CODE: code }), 'NotAuthorizedException', 'Invalid session for the user.'],
      [
        answer(fake, 'SOFTWARE_TOKEN_MFA', out.Session, { USERNAME: 'totp', SOFTWARE_TOKEN_MFA_CODE: code }, 'srponlyclient0000000000001'),
        'NotAuthorizedException',
        'Invalid session for the user.',
      ],
      [answer(fake, 'SOFTWARE_TOKEN_MFA', undefined, { USERNAME: 'totp', SOFTWARE_TOKEN_MFA_CODE: code }), 'InvalidParameterException', 'Missing required parameter Session'],
      [answer(fake, 'SOFTWARE_TOKEN_MFA', out.Session, { USERNAME: 'totp' }), 'InvalidParameterException', 'Missing required parameter SOFTWARE_TOKEN_MFA_CODE'],
      [answer(fake, 'SOFTWARE_TOKEN_MFA', out.Session, { SOFTWARE_TOKEN_MFA_CODE: code }), 'InvalidParameterException', 'Missing required parameter USERNAME'],
    ];
    for (const [p, name, message] of cases) {
      const err = await rejection(p);
      expect([err.name, err.message]).toEqual([name, message]);
    }
    // none of these used the session up; it still expires
    clock += 181_000;
    const expired = await rejection(answer(fake, 'SOFTWARE_TOKEN_MFA', out.Session, { USERNAME: 'totp', SOFTWARE_TOKEN_MFA_CODE: testTotp(TOTP_SECRET, clock) }));
    expect([expired.name, expired.message]).toEqual(['NotAuthorizedException', 'Invalid session for the user, session is expired.']);
    expect(fake.issuedTokens).toHaveLength(0);
  });

  it('TOTP after USER_SRP_AUTH, also with the sub as USER_ID_FOR_SRP and a client secret', async () => {
    const fake = await mfaFake();
    const { out } = await srpLogin(fake, { username: 'totp', password: 'Totp-Pass-1' });
    expect(out.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect(out.AuthenticationResult).toBeUndefined();
    const done = await answer(fake, 'SOFTWARE_TOKEN_MFA', out.Session, { USERNAME: 'totp', SOFTWARE_TOKEN_MFA_CODE: testTotp(TOTP_SECRET, clock) });
    expect(decodeJwtPayload(done.AuthenticationResult!.IdToken!)['cognito:username']).toBe('totp');
    expect(fake.answeredChallenges.map((a) => [a.challengeName, a.outcome, a.nextChallenge])).toEqual([
      ['PASSWORD_VERIFIER', 'challenge', 'SOFTWARE_TOKEN_MFA'],
      ['SOFTWARE_TOKEN_MFA', 'tokens', undefined],
    ]);
    // a wrong SRP password never reaches MFA
    expect((await rejection(srpLogin(fake, { username: 'totp', password: 'Wrong-Pass-1' }))).name).toBe('NotAuthorizedException');

    const subFake = await mfaFake({ srpUserIdIsSub: true });
    const sub = 'aaaaaaaa-2222-4333-8444-555555555555';
    const viaSub = await srpLogin(subFake, { username: 'totp', password: 'Totp-Pass-1', clientId: SECRET_CLIENT, secret: SECRET });
    expect(viaSub.out.ChallengeParameters).toEqual({ USERNAME: sub });
    // SECRET_HASH is computed with the USERNAME sent (here: the sub from the challenge)
    const tokens = await answer(
      subFake,
      'SOFTWARE_TOKEN_MFA',
      viaSub.out.Session,
      { USERNAME: sub, SOFTWARE_TOKEN_MFA_CODE: testTotp(TOTP_SECRET, clock), SECRET_HASH: computeSecretHash(sub, SECRET_CLIENT, SECRET) },
      SECRET_CLIENT,
    );
    expect(tokens.AuthenticationResult?.RefreshToken).toBeTruthy();
  });

  it('SMS_MFA names the destination; EMAIL_OTP likewise', async () => {
    const fake = await mfaFake();
    const out = await passwordLogin(fake, 'sms', 'Sms-Pass-1');
    expect(out.ChallengeName).toBe('SMS_MFA');
    expect(out.ChallengeParameters).toEqual({ CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: '+*******1234', USERNAME: 'sms' });
    const wrong = await rejection(answer(fake, 'SMS_MFA', out.Session, { USERNAME: 'sms', SMS_MFA_CODE: '424243' }));
    expect([wrong.name, wrong.message]).toEqual(['CodeMismatchException', 'Invalid code or auth state for the user.']);
    // the TOTP answer to an SMS challenge is the wrong challenge for the session
    expect((await rejection(answer(fake, 'SOFTWARE_TOKEN_MFA', out.Session, { USERNAME: 'sms', SOFTWARE_TOKEN_MFA_CODE: '424242' }))).name).toBe(
      'NotAuthorizedException',
    );
    const ok = await answer(fake, 'SMS_MFA', out.Session, { USERNAME: 'sms', SMS_MFA_CODE: '424242' });
    expect(decodeJwtPayload(ok.AuthenticationResult!.IdToken!)['cognito:username']).toBe('sms');
    expect(ok.AuthenticationResult!.RefreshToken).toBeTruthy();

    const mail = await passwordLogin(fake, 'email', 'Email-Pass-1');
    expect(mail.ChallengeName).toBe('EMAIL_OTP');
    expect(mail.ChallengeParameters).toEqual({ CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL', CODE_DELIVERY_DESTINATION: 'a***@e***', USERNAME: 'email' });
    expect((await rejection(answer(fake, 'EMAIL_OTP', mail.Session, { USERNAME: 'email', EMAIL_OTP_CODE: '00000000' }))).name).toBe('CodeMismatchException');
    expect((await answer(fake, 'EMAIL_OTP', mail.Session, { USERNAME: 'email', EMAIL_OTP_CODE: '13579135' })).AuthenticationResult?.IdToken).toBeTruthy();
  });

  it('SELECT_MFA_TYPE for a user with TOTP and SMS, then the chosen challenge', async () => {
    const fake = await mfaFake();
    const out = await passwordLogin(fake, 'both', 'Both-Pass-1');
    expect(out.ChallengeName).toBe('SELECT_MFA_TYPE');
    expect(out.ChallengeParameters).toEqual({ MFAS_CAN_CHOOSE: '["SMS_MFA","SOFTWARE_TOKEN_MFA"]', USERNAME: 'both' });
    expect(JSON.parse(out.ChallengeParameters!['MFAS_CAN_CHOOSE']!)).toEqual(['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);

    const notOffered = await rejection(answer(fake, 'SELECT_MFA_TYPE', out.Session, { USERNAME: 'both', ANSWER: 'EMAIL_OTP' }));
    expect(notOffered.name).toBe('InvalidParameterException');
    // answering the MFA challenge before selecting it: wrong challenge for the session
    expect((await rejection(answer(fake, 'SMS_MFA', out.Session, { USERNAME: 'both', SMS_MFA_CODE: '111222' }))).name).toBe('NotAuthorizedException');

    const chosen = await answer(fake, 'SELECT_MFA_TYPE', out.Session, { USERNAME: 'both', ANSWER: 'SOFTWARE_TOKEN_MFA' });
    expect(chosen.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect(chosen.ChallengeParameters).toEqual({ USERNAME: 'both' });
    expect(chosen.Session).toBeTruthy();
    expect(chosen.Session).not.toBe(out.Session);
    expect((await rejection(answer(fake, 'SELECT_MFA_TYPE', out.Session, { USERNAME: 'both', ANSWER: 'SMS_MFA' }))).message).toBe(
      'Invalid session for the user.',
    );
    const done = await answer(fake, 'SOFTWARE_TOKEN_MFA', chosen.Session, { USERNAME: 'both', SOFTWARE_TOKEN_MFA_CODE: testTotp(TOTP_SECRET_PADDED, clock) });
    expect(decodeJwtPayload(done.AuthenticationResult!.IdToken!)['cognito:username']).toBe('both');

    // choosing SMS instead
    const again = await passwordLogin(fake, 'both', 'Both-Pass-1');
    const sms = await answer(fake, 'SELECT_MFA_TYPE', again.Session, { USERNAME: 'both', ANSWER: 'SMS_MFA' });
    expect(sms.ChallengeName).toBe('SMS_MFA');
    expect(sms.ChallengeParameters!['CODE_DELIVERY_DESTINATION']).toBe('+*******1234');
    expect((await answer(fake, 'SMS_MFA', sms.Session, { USERNAME: 'both', SMS_MFA_CODE: '111222' })).AuthenticationResult).toBeTruthy();
    expect(fake.answeredChallenges.filter((a) => a.outcome !== 'error').map((a) => [a.challengeName, a.nextChallenge ?? 'tokens'])).toEqual([
      ['SELECT_MFA_TYPE', 'SOFTWARE_TOKEN_MFA'],
      ['SOFTWARE_TOKEN_MFA', 'tokens'],
      ['SELECT_MFA_TYPE', 'SMS_MFA'],
      ['SMS_MFA', 'tokens'],
    ]);
  });

  it('MFA_SETUP when the pool requires MFA and the user has none; answering it is not supported', async () => {
    const fake = await mfaFake();
    const out = await passwordLogin(fake, 'nomfa', 'Nomfa-Pass-1');
    expect(out.ChallengeName).toBe('MFA_SETUP');
    expect(out.ChallengeParameters).toEqual({ MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' });
    expect(out.Session).toBeTruthy();
    const err = await rejection(answer(fake, 'MFA_SETUP', out.Session, { USERNAME: 'nomfa' }));
    expect(err.name).toBe('InvalidParameterException');
    const { out: srpOut } = await srpLogin(fake, { username: 'nomfa', password: 'Nomfa-Pass-1' });
    expect(srpOut.ChallengeName).toBe('MFA_SETUP');
    expect(fake.issuedTokens).toHaveLength(0);
  });

  it('NEW_PASSWORD_REQUIRED is followed by the MFA challenge', async () => {
    const fake = await mfaFake();
    fake.addUser({ username: 'fresh', password: 'Temp-Pass-1', status: 'FORCE_CHANGE_PASSWORD', totpSecret: TOTP_SECRET });
    const out = await passwordLogin(fake, 'fresh', 'Temp-Pass-1');
    expect(out.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const next = await answer(fake, 'NEW_PASSWORD_REQUIRED', out.Session, { USERNAME: 'fresh', NEW_PASSWORD: 'Brand-New-Pass-1' });
    expect(next.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect(next.AuthenticationResult).toBeUndefined();
    expect(fake.getUser('fresh')).toMatchObject({ status: 'CONFIRMED', password: 'Brand-New-Pass-1' });
    const done = await answer(fake, 'SOFTWARE_TOKEN_MFA', next.Session, { USERNAME: 'fresh', SOFTWARE_TOKEN_MFA_CODE: testTotp(TOTP_SECRET, clock) });
    expect(done.AuthenticationResult?.RefreshToken).toBeTruthy();
  });

  it('with a client secret, an MFA answer needs the SECRET_HASH of the USERNAME sent', async () => {
    const fake = await mfaFake();
    const login = () =>
      idp(fake).send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: SECRET_CLIENT,
          AuthParameters: { USERNAME: 'sms', PASSWORD: 'Sms-Pass-1', SECRET_HASH: computeSecretHash('sms', SECRET_CLIENT, SECRET) },
        }),
      );
    const out = await login();
    expect(out.ChallengeName).toBe('SMS_MFA');
    const missing = await rejection(answer(fake, 'SMS_MFA', out.Session, { USERNAME: 'sms', SMS_MFA_CODE: '424242' }, SECRET_CLIENT));
    expect([missing.name, missing.message]).toEqual(['NotAuthorizedException', `Unable to verify secret hash for client ${SECRET_CLIENT}`]);
    const wrong = await rejection(
      answer(fake, 'SMS_MFA', out.Session, { USERNAME: 'sms', SMS_MFA_CODE: '424242', SECRET_HASH: computeSecretHash('sms', SECRET_CLIENT, 'nope') }, SECRET_CLIENT),
    );
    expect(wrong.name).toBe('NotAuthorizedException');
    const ok = await answer(
      fake,
      'SMS_MFA',
      out.Session,
      { USERNAME: 'sms', SMS_MFA_CODE: '424242', SECRET_HASH: computeSecretHash('sms', SECRET_CLIENT, SECRET) },
      SECRET_CLIENT,
    );
    expect(ok.AuthenticationResult?.IdToken).toBeTruthy();

    // SELECT_MFA_TYPE answers are checked the same way
    const both = await idp(fake).send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: SECRET_CLIENT,
        AuthParameters: { USERNAME: 'both', PASSWORD: 'Both-Pass-1', SECRET_HASH: computeSecretHash('both', SECRET_CLIENT, SECRET) },
      }),
    );
    expect(both.ChallengeName).toBe('SELECT_MFA_TYPE');
    const noHash = await rejection(answer(fake, 'SELECT_MFA_TYPE', both.Session, { USERNAME: 'both', ANSWER: 'SMS_MFA' }, SECRET_CLIENT));
    expect(noHash.name).toBe('NotAuthorizedException');
  });

  it('rejects a TOTP secret that is not base32', () => {
    const fake = new FakeCognito();
    expect(() => fake.addUser({ username: 'x', password: 'Passw0rd!', totpSecret: 'not-base32!' })).toThrow(/base32/);
    expect(() => fake.addUser({ username: 'x', password: 'Passw0rd!', totpSecret: 'ABC' })).toThrow(/base32/);
    fake.addUser({ username: 'x', password: 'Passw0rd!', totpSecret: 'jbsw y3dp ehpk 3pxp' });
    expect(fake.getUser('x')).toMatchObject({ totpSecret: 'jbsw y3dp ehpk 3pxp', mfaSetupRequired: false });
  });
});

const here = dirname(fileURLToPath(import.meta.url));
const distCli = resolve(here, '../../dist/test/fake-cognito/cli.js');
// the MFA options need a build at least as new as the sources (`npm test` builds first)
const distCliFresh =
  existsSync(distCli) &&
  ['cli', 'server'].every((f) => statSync(resolve(here, `../../dist/test/fake-cognito/${f}.js`)).mtimeMs >= statSync(resolve(here, `${f}.ts`)).mtimeMs);

async function startCli(args: string[]): Promise<{ child: ReturnType<typeof spawn>; info: Record<string, string> }> {
  const child = spawn(process.execPath, [distCli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).once('line', res);
    child.once('exit', (code) => rej(new Error(`exited ${code}`)));
  });
  return { child, info: JSON.parse(line) as Record<string, string> };
}

describe('fake-cognito cli', () => {
  it.skipIf(!existsSync(distCli))('prints one JSON line and serves until SIGTERM', async () => {
    const child = spawn(process.execPath, [distCli, '--port', '0', '--user', 'alice:Pass:word-1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((res, rej) => {
        createInterface({ input: child.stdout }).once('line', res);
        child.once('exit', (code) => rej(new Error(`exited ${code}`)));
      });
      const info = JSON.parse(line) as Record<string, string>;
      expect(info['url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info['userPoolId']).toMatch(/^us-east-1_[0-9A-Za-z]{9}$/);
      expect(info['clientId']).toMatch(/^[0-9a-z]{26}$/);
      expect(info['identityPoolId']).toMatch(/^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const c = new CognitoIdentityProviderClient({ region: info['region']!, endpoint: info['url']!, credentials: creds });
      const out = await c.send(
        new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: info['clientId']!, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Pass:word-1' } }),
      );
      expect(out.AuthenticationResult?.IdToken).toBeTruthy();
    } finally {
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it.skipIf(!distCliFresh)('--user-totp and --user-sms give users MFA', async () => {
    const { child, info } = await startCli([
      '--port', '0',
      '--user', 'alice:Alice-Pass-1', '--user-totp', `alice=${TOTP_SECRET}`,
      '--user', 'bob:Bob-Pass-1', '--user-sms', 'bob=654321',
    ]);
    try {
      const c = new CognitoIdentityProviderClient({ region: info['region']!, endpoint: info['url']!, credentials: creds });
      const login = (username: string, password: string) =>
        c.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: info['clientId']!, AuthParameters: { USERNAME: username, PASSWORD: password } }));
      const respond = (name: 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA', session: string | undefined, responses: Record<string, string>) =>
        c.send(new RespondToAuthChallengeCommand({ ClientId: info['clientId']!, ChallengeName: name, Session: session!, ChallengeResponses: responses }));
      const alice = await login('alice', 'Alice-Pass-1');
      expect(alice.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
      const done = await respond('SOFTWARE_TOKEN_MFA', alice.Session, { USERNAME: 'alice', SOFTWARE_TOKEN_MFA_CODE: testTotp(TOTP_SECRET, Date.now()) });
      expect(done.AuthenticationResult?.IdToken).toBeTruthy();
      const bob = await login('bob', 'Bob-Pass-1');
      expect(bob.ChallengeName).toBe('SMS_MFA');
      expect((await respond('SMS_MFA', bob.Session, { USERNAME: 'bob', SMS_MFA_CODE: '654321' })).AuthenticationResult?.IdToken).toBeTruthy();
    } finally {
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it.skipIf(!distCliFresh)('refuses MFA options for unknown users or with a bad secret', async () => {
    for (const args of [
      ['--user', 'alice:Alice-Pass-1', '--user-totp', 'ghost=JBSWY3DPEHPK3PXP'],
      ['--user', 'alice:Alice-Pass-1', '--user-totp', 'alice=not base32!'],
      ['--user', 'alice:Alice-Pass-1', '--user-sms', 'alice'],
    ]) {
      const child = spawn(process.execPath, [distCli, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise((res) => child.once('exit', res));
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(/^fake-cognito: --user-(totp|sms)/);
    }
  });
});
