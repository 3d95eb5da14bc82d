import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
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
import { computeSecretHash, decodeJwtPayload, FakeCognito, type FakeCognitoOptions } from './server.js';
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

const here = dirname(fileURLToPath(import.meta.url));
const distCli = resolve(here, '../../dist/test/fake-cognito/cli.js');

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
});
