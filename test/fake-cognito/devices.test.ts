/**
 * The fake's remembered devices on the wire, with the AWS SDK v3 client: NewDeviceMetadata,
 * ConfirmDevice, UpdateDeviceStatus, ForgetDevice, GetDevice, ListDevices (and the Admin ones),
 * DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER, DEVICE_KEY on refresh, and the errors. The device
 * maths is cross-checked with amazon-cognito-identity-js's AuthenticationHelper: a verifier made by
 * one is accepted from a proof made by the other. moto has no device support: fake only.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  AdminForgetDeviceCommand,
  AdminListDevicesCommand,
  ConfirmDeviceCommand,
  CognitoIdentityProviderClient,
  ForgetDeviceCommand,
  GetDeviceCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  ListDevicesCommand,
  RespondToAuthChallengeCommand,
  UpdateDeviceStatusCommand,
  type AuthenticationResultType,
  type RespondToAuthChallengeCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, describe, expect, it } from 'vitest';
import { computeSecretHash, FakeCognito, type FakeCognitoOptions } from './server.js';
import {
  bigFromHex,
  clientAuthenticationKey,
  deviceSecretVerifierConfig,
  formatSrpTimestamp,
  g,
  modPowN,
  N,
  parseDeviceSecretVerifierConfig,
  passwordClaimSignature,
} from './srp-verifier.js';

const require = createRequire(import.meta.url);
interface BigIntegerLike {
  toString(radix: number): string;
}
interface HelperLike {
  generateHashDevice(groupKey: string, deviceKey: string, cb: (err: unknown) => void): void;
  getSaltDevices(): string;
  getVerifierDevices(): string;
  getRandomPassword(): string;
  getLargeAValue(cb: (err: unknown, A: BigIntegerLike) => void): void;
  getPasswordAuthenticationKey(user: string, password: string, B: BigIntegerLike, salt: BigIntegerLike, cb: (err: unknown, key: Buffer) => void): void;
}
const AuthenticationHelper = (require('amazon-cognito-identity-js/lib/AuthenticationHelper.js') as { default: new (pool: string) => HelperLike }).default;
const BigInteger = (require('amazon-cognito-identity-js/lib/BigInteger.js') as { default: new (v: string, radix: number) => BigIntegerLike }).default;

const T0 = Date.UTC(2024, 0, 2, 3, 4, 5);
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
    deviceTracking: 'always',
    clients: [{ clientId: CLIENT }, { clientId: SECRET_CLIENT, clientSecret: SECRET }],
    users: [
      { username: 'alice', password: 'Correct-Horse-1' },
      { username: 'bob', password: 'Bob-Password-1' },
      { username: 'sms', password: 'Sms-Pass-1', smsCode: '424242' },
    ],
    ...extra,
  });
  await fake.start();
  fakes.push(fake);
  return fake;
}

const clients = new WeakMap<FakeCognito, CognitoIdentityProviderClient>();
function idp(fake: FakeCognito): CognitoIdentityProviderClient {
  let c = clients.get(fake);
  if (!c) clients.set(fake, (c = new CognitoIdentityProviderClient({ region: fake.region, endpoint: fake.url, credentials: creds })));
  return c;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}
const failure = async (p: Promise<unknown>) => {
  const err = await rejection(p);
  return [err.name, err.message];
};

function passwordLogin(fake: FakeCognito, username: string, password: string, extra: Record<string, string> = {}, clientId = CLIENT) {
  return idp(fake).send(
    new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD: password, ...extra } }),
  );
}

function respond(fake: FakeCognito, name: string, session: string | undefined, responses: Record<string, string>, clientId = CLIENT) {
  return idp(fake).send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: name as 'DEVICE_SRP_AUTH',
      ...(session !== undefined ? { Session: session } : {}),
      ChallengeResponses: responses,
    }),
  );
}

interface Device {
  key: string;
  groupKey: string;
  password: string;
}

/** A first sign-in: NewDeviceMetadata, then ConfirmDevice with a verifier made by the fake's own client maths. */
async function confirmNew(fake: FakeCognito, username = 'alice', password = 'Correct-Horse-1'): Promise<{ device: Device; result: AuthenticationResultType }> {
  const out = await passwordLogin(fake, username, password);
  const result = out.AuthenticationResult!;
  const meta = result.NewDeviceMetadata!;
  const device = { key: meta.DeviceKey!, groupKey: meta.DeviceGroupKey!, password: randomBytes(30).toString('base64') };
  const confirmed = await idp(fake).send(
    new ConfirmDeviceCommand({
      AccessToken: result.AccessToken!,
      DeviceKey: device.key,
      DeviceName: 'laptop',
      DeviceSecretVerifierConfig: deviceSecretVerifierConfig(device.groupKey, device.key, device.password),
    }),
  );
  expect(confirmed.UserConfirmationNecessary).toBe(fake.deviceTracking === 'user-opt-in');
  return { device, result };
}

/** The device's side of DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER, with the fake's client maths (or a wrong password). */
async function answerDeviceSrp(
  fake: FakeCognito,
  device: Device,
  opts: { username: string; session?: string; password?: string; clientId?: string; secretHash?: string },
): Promise<RespondToAuthChallengeCommandOutput> {
  const a = bigFromHex(randomBytes(64).toString('hex'));
  const A = modPowN(g, a);
  const hash: Record<string, string> = opts.secretHash !== undefined ? { SECRET_HASH: opts.secretHash } : {};
  const first = await respond(fake, 'DEVICE_SRP_AUTH', opts.session, { USERNAME: opts.username, DEVICE_KEY: device.key, SRP_A: A.toString(16), ...hash }, opts.clientId);
  expect(first.ChallengeName).toBe('DEVICE_PASSWORD_VERIFIER');
  const p = first.ChallengeParameters!;
  expect(Object.keys(p).sort()).toEqual(['SALT', 'SECRET_BLOCK', 'SRP_B', 'USERNAME']);
  const key = clientAuthenticationKey(device.groupKey, device.key, opts.password ?? device.password, bigFromHex(p['SALT']!), a, A, bigFromHex(p['SRP_B']!));
  const timestamp = formatSrpTimestamp(new Date(clock));
  return respond(
    fake,
    'DEVICE_PASSWORD_VERIFIER',
    first.Session,
    {
      USERNAME: p['USERNAME']!,
      DEVICE_KEY: device.key,
      PASSWORD_CLAIM_SECRET_BLOCK: p['SECRET_BLOCK']!,
      PASSWORD_CLAIM_SIGNATURE: passwordClaimSignature(key, device.groupKey, device.key, p['SECRET_BLOCK']!, timestamp),
      TIMESTAMP: timestamp,
      ...hash,
    },
    opts.clientId,
  );
}

function refreshAuth(fake: FakeCognito, token: string, deviceKey?: string) {
  return idp(fake).send(
    new InitiateAuthCommand({
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: CLIENT,
      AuthParameters: { REFRESH_TOKEN: token, ...(deviceKey !== undefined ? { DEVICE_KEY: deviceKey } : {}) },
    }),
  );
}

describe('FakeCognito remembered devices: the protocol', () => {
  it('issues NewDeviceMetadata; the refresh token needs the confirmed device; a remembered device answers DEVICE_SRP_AUTH', async () => {
    const fake = await startFake();
    const out = await passwordLogin(fake, 'alice', 'Correct-Horse-1');
    const meta = out.AuthenticationResult!.NewDeviceMetadata!;
    expect(Object.keys(meta).sort()).toEqual(['DeviceGroupKey', 'DeviceKey']);
    expect(meta.DeviceKey).toMatch(/^us-east-1_[0-9a-f-]{36}$/);
    expect(meta.DeviceGroupKey).toMatch(/^-[A-Za-z0-9]{8}$/);
    expect(fake.devices('alice')).toMatchObject([{ deviceKey: meta.DeviceKey, deviceGroupKey: meta.DeviceGroupKey, confirmed: false }]);
    const token = out.AuthenticationResult!.RefreshToken!;

    // not confirmed yet: refused with and without the key
    expect(await failure(refreshAuth(fake, token))).toEqual(['NotAuthorizedException', 'Invalid Refresh Token']);
    expect(await failure(refreshAuth(fake, token, meta.DeviceKey))).toEqual(['NotAuthorizedException', 'Invalid Refresh Token']);
    // nor may the unconfirmed key be presented at sign-in
    expect(await failure(passwordLogin(fake, 'alice', 'Correct-Horse-1', { DEVICE_KEY: meta.DeviceKey! }))).toEqual([
      'ResourceNotFoundException',
      'Device does not exist.',
    ]);

    const device = { key: meta.DeviceKey!, groupKey: meta.DeviceGroupKey!, password: 'device-password-0123456789' };
    const confirmed = await idp(fake).send(
      new ConfirmDeviceCommand({
        AccessToken: out.AuthenticationResult!.AccessToken!,
        DeviceKey: device.key,
        DeviceName: 'build-host',
        DeviceSecretVerifierConfig: deviceSecretVerifierConfig(device.groupKey, device.key, device.password),
      }),
    );
    expect(confirmed.UserConfirmationNecessary).toBe(false);
    expect(fake.device(device.key)).toMatchObject({ confirmed: true, rememberedStatus: 'remembered', name: 'build-host' });

    // REFRESH_TOKEN_AUTH: only with the key; no new device, no new refresh token
    const refreshed = await refreshAuth(fake, token, device.key);
    expect(refreshed.AuthenticationResult!.AccessToken).toBeTruthy();
    expect(refreshed.AuthenticationResult!.NewDeviceMetadata).toBeUndefined();
    expect(refreshed.AuthenticationResult!.RefreshToken).toBeUndefined();
    expect(await failure(refreshAuth(fake, token))).toEqual(['NotAuthorizedException', 'Invalid Refresh Token']);
    expect(await failure(refreshAuth(fake, token, `us-east-1_${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`))).toEqual([
      'NotAuthorizedException',
      'Invalid Refresh Token',
    ]);
    // GetTokensFromRefreshToken: its DeviceKey member
    const viaGet = await idp(fake).send(new GetTokensFromRefreshTokenCommand({ ClientId: CLIENT, RefreshToken: token, DeviceKey: device.key }));
    expect(viaGet.AuthenticationResult!.IdToken).toBeTruthy();
    expect(await failure(idp(fake).send(new GetTokensFromRefreshTokenCommand({ ClientId: CLIENT, RefreshToken: token })))).toEqual([
      'NotAuthorizedException',
      'Invalid Refresh Token',
    ]);

    // the next sign-in with the key: DEVICE_SRP_AUTH (the user has no MFA), then tokens for the same device
    const next = await passwordLogin(fake, 'alice', 'Correct-Horse-1', { DEVICE_KEY: device.key });
    expect(next.AuthenticationResult).toBeUndefined();
    expect(next.ChallengeName).toBe('DEVICE_SRP_AUTH');
    expect(next.ChallengeParameters).toEqual({ USERNAME: 'alice' });
    const done = await answerDeviceSrp(fake, device, { username: 'alice', session: next.Session! });
    expect(done.ChallengeName).toBeUndefined();
    expect(done.AuthenticationResult!.NewDeviceMetadata).toBeUndefined();
    expect(fake.issuedTokens.at(-1)).toMatchObject({ username: 'alice', deviceKey: device.key });
    expect(fake.devices('alice')).toHaveLength(1);
    // its refresh token is bound to the device too
    expect(await failure(refreshAuth(fake, done.AuthenticationResult!.RefreshToken!))).toEqual(['NotAuthorizedException', 'Invalid Refresh Token']);
    expect((await refreshAuth(fake, done.AuthenticationResult!.RefreshToken!, device.key)).AuthenticationResult).toBeTruthy();
  });

  it('refuses a wrong device password, a wrong or missing session, a forgotten device at every step', async () => {
    const fake = await startFake();
    const { device } = await confirmNew(fake);

    // wrong device password
    const a = await passwordLogin(fake, 'alice', 'Correct-Horse-1', { DEVICE_KEY: device.key });
    expect(await failure(answerDeviceSrp(fake, device, { username: 'alice', session: a.Session!, password: 'not-the-device-password' }))).toEqual([
      'NotAuthorizedException',
      'Incorrect username or password.',
    ]);
    // a wrong password comes first: the device is not asked
    expect(await failure(passwordLogin(fake, 'alice', 'Wrong-Horse-1', { DEVICE_KEY: device.key }))).toEqual([
      'NotAuthorizedException',
      'Incorrect username or password.',
    ]);

    // DEVICE_SRP_AUTH answered without a Session (as some clients do): the pending one of this user and device
    await passwordLogin(fake, 'alice', 'Correct-Horse-1', { DEVICE_KEY: device.key });
    expect((await answerDeviceSrp(fake, device, { username: 'alice' })).AuthenticationResult!.AccessToken).toBeTruthy();
    // ... but never without a password step before it, nor twice, nor for another user
    expect(await failure(answerDeviceSrp(fake, device, { username: 'alice' }))).toEqual(['NotAuthorizedException', 'Invalid session for the user.']);
    await passwordLogin(fake, 'alice', 'Correct-Horse-1', { DEVICE_KEY: device.key });
    expect(await failure(answerDeviceSrp(fake, device, { username: 'bob' }))).toEqual(['NotAuthorizedException', 'Invalid session for the user.']);
    // nor after the session's lifetime
    clock += 181_000;
    expect(await failure(answerDeviceSrp(fake, device, { username: 'alice' }))).toEqual([
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
    ]);

    // missing parameters
    const b = await passwordLogin(fake, 'alice', 'Correct-Horse-1', { DEVICE_KEY: device.key });
    for (const [responses, name] of [
      [{ DEVICE_KEY: device.key, SRP_A: 'ab' }, 'USERNAME'],
      [{ USERNAME: 'alice', SRP_A: 'ab' }, 'DEVICE_KEY'],
      [{ USERNAME: 'alice', DEVICE_KEY: device.key }, 'SRP_A'],
    ] as const) {
      expect(await failure(respond(fake, 'DEVICE_SRP_AUTH', b.Session, responses))).toEqual(['InvalidParameterException', `Missing required parameter ${name}`]);
    }
    expect(await failure(respond(fake, 'DEVICE_SRP_AUTH', b.Session, { USERNAME: 'alice', DEVICE_KEY: device.key, SRP_A: N.toString(16) }))).toEqual([
      'InvalidParameterException',
      'SRP_A cannot be 0 mod N',
    ]);

    // forgotten between the password and DEVICE_SRP_AUTH: "Device does not exist." (and the session is kept)
    expect(fake.forgetDevice('alice', device.key)).toBe(true);
    expect(await failure(answerDeviceSrp(fake, device, { username: 'alice', session: b.Session! }))).toEqual([
      'ResourceNotFoundException',
      'Device does not exist.',
    ]);
    // and at sign-in, in both flows
    expect(await failure(passwordLogin(fake, 'alice', 'Correct-Horse-1', { DEVICE_KEY: device.key }))).toEqual([
      'ResourceNotFoundException',
      'Device does not exist.',
    ]);
    const srp = idp(fake).send(
      new InitiateAuthCommand({ AuthFlow: 'USER_SRP_AUTH', ClientId: CLIENT, AuthParameters: { USERNAME: 'alice', SRP_A: 'abc123', DEVICE_KEY: device.key } }),
    );
    expect(await failure(srp)).toEqual(['ResourceNotFoundException', 'Device does not exist.']);
    expect(fake.forgetDevice('alice', device.key)).toBe(false);
  });

  it('another user cannot present, confirm, read or forget a device; the device operations and their errors', async () => {
    const fake = await startFake();
    const { device, result } = await confirmNew(fake, 'alice', 'Correct-Horse-1');
    const bob = (await passwordLogin(fake, 'bob', 'Bob-Password-1')).AuthenticationResult!;
    const bobKey = bob.NewDeviceMetadata!.DeviceKey!;
    const access = result.AccessToken!;

    expect(await failure(passwordLogin(fake, 'bob', 'Bob-Password-1', { DEVICE_KEY: device.key }))).toEqual(['ResourceNotFoundException', 'Device does not exist.']);
    const cfg = deviceSecretVerifierConfig('-group', bobKey, 'pw');
    const confirm = (input: Record<string, unknown>) => idp(fake).send(new ConfirmDeviceCommand({ AccessToken: access, DeviceKey: bobKey, DeviceSecretVerifierConfig: cfg, ...input }));
    expect(await failure(confirm({}))).toEqual(['InvalidParameterException', 'Invalid device key given.']);
    expect(await failure(confirm({ DeviceKey: device.key }))).toEqual(['DeviceKeyExistsException', 'Device key already exists.']);
    expect(await failure(confirm({ AccessToken: 'not-a-token' }))).toEqual(['NotAuthorizedException', 'Invalid Access Token']);
    expect(await failure(confirm({ DeviceKey: 'no-underscore' }))).toEqual([
      'InvalidParameterException',
      "1 validation error detected: Value 'no-underscore' at 'deviceKey' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+",
    ]);
    const bobConfirm = (input: Record<string, unknown>) => idp(fake).send(new ConfirmDeviceCommand({ AccessToken: bob.AccessToken!, DeviceKey: bobKey, ...input }));
    expect((await failure(bobConfirm({})))[0]).toBe('InvalidParameterException');
    expect((await failure(bobConfirm({ DeviceSecretVerifierConfig: { PasswordVerifier: '!!', Salt: 'AA==' } })))[0]).toBe('InvalidParameterException');
    expect((await failure(bobConfirm({ DeviceSecretVerifierConfig: { PasswordVerifier: 'AA==', Salt: 'AA==' } })))[0]).toBe('InvalidParameterException');
    expect(fake.device(bobKey)!.confirmed).toBe(false);

    // GetDevice / ListDevices as the token's user
    const got = await idp(fake).send(new GetDeviceCommand({ AccessToken: access, DeviceKey: device.key }));
    expect(got.Device!.DeviceKey).toBe(device.key);
    expect(got.Device!.DeviceAttributes).toEqual([
      { Name: 'device_status', Value: 'valid' },
      { Name: 'device_name', Value: 'laptop' },
      { Name: 'last_ip_used', Value: '127.0.0.1' },
      { Name: 'dev:device_remembered_status', Value: 'remembered' },
    ]);
    expect(got.Device!.DeviceCreateDate).toEqual(new Date(Math.floor(T0 / 1000) * 1000));
    expect(await failure(idp(fake).send(new GetDeviceCommand({ AccessToken: bob.AccessToken!, DeviceKey: device.key })))).toEqual([
      'ResourceNotFoundException',
      'Device does not exist.',
    ]);
    expect((await idp(fake).send(new ListDevicesCommand({ AccessToken: access }))).Devices!.map((d) => d.DeviceKey)).toEqual([device.key]);
    expect((await idp(fake).send(new ListDevicesCommand({ AccessToken: bob.AccessToken! }))).Devices).toEqual([]); // bob's is not confirmed

    // UpdateDeviceStatus
    const update = (status: string, key = device.key, token = access) =>
      idp(fake).send(new UpdateDeviceStatusCommand({ AccessToken: token, DeviceKey: key, DeviceRememberedStatus: status as 'remembered' }));
    await update('not_remembered');
    expect(fake.device(device.key)!.rememberedStatus).toBe('not_remembered');
    // not remembered: the password alone signs in (no DEVICE_SRP_AUTH), with the same device
    const plain = await passwordLogin(fake, 'alice', 'Correct-Horse-1', { DEVICE_KEY: device.key });
    expect(plain.ChallengeName).toBeUndefined();
    expect(plain.AuthenticationResult!.NewDeviceMetadata).toBeUndefined();
    expect(fake.issuedTokens.at(-1)!.deviceKey).toBe(device.key);
    expect((await failure(update('forgotten')))[0]).toBe('InvalidParameterException');
    expect(await failure(update('remembered', device.key, bob.AccessToken!))).toEqual(['ResourceNotFoundException', 'Device does not exist.']);

    // ForgetDevice: another user's is "Device does not exist."; the owner's goes
    expect(await failure(idp(fake).send(new ForgetDeviceCommand({ AccessToken: bob.AccessToken!, DeviceKey: device.key })))).toEqual([
      'ResourceNotFoundException',
      'Device does not exist.',
    ]);
    await idp(fake).send(new ForgetDeviceCommand({ AccessToken: access, DeviceKey: device.key }));
    expect(fake.device(device.key)).toBeUndefined();
    expect(await failure(idp(fake).send(new ForgetDeviceCommand({ AccessToken: access, DeviceKey: device.key })))).toEqual([
      'ResourceNotFoundException',
      'Device does not exist.',
    ]);
    expect(fake.count('ForgetDevice')).toBe(3);
  });

  it('the Admin operations (for tests that run the fake in a subprocess) and ListDevices paging', async () => {
    const fake = await startFake();
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock += 1000;
      keys.push((await confirmNew(fake)).device.key);
    }
    const admin = { UserPoolId: fake.userPoolId, Username: 'alice' };
    expect((await idp(fake).send(new AdminListDevicesCommand(admin))).Devices!.map((d) => d.DeviceKey)).toEqual(keys);
    const access = (await passwordLogin(fake, 'alice', 'Correct-Horse-1')).AuthenticationResult!.AccessToken!;
    const p1 = await idp(fake).send(new ListDevicesCommand({ AccessToken: access, Limit: 2 }));
    expect(p1.Devices!.map((d) => d.DeviceKey)).toEqual(keys.slice(0, 2));
    const p2 = await idp(fake).send(new ListDevicesCommand({ AccessToken: access, Limit: 2, PaginationToken: p1.PaginationToken! }));
    expect(p2.Devices!.map((d) => d.DeviceKey)).toEqual(keys.slice(2));
    expect(p2.PaginationToken).toBeUndefined();
    expect((await failure(idp(fake).send(new ListDevicesCommand({ AccessToken: access, Limit: 61 }))))[0]).toBe('InvalidParameterException');

    await idp(fake).send(new AdminForgetDeviceCommand({ ...admin, DeviceKey: keys[1]! }));
    expect(fake.devices('alice').map((d) => d.deviceKey)).not.toContain(keys[1]);
    expect(await failure(idp(fake).send(new AdminForgetDeviceCommand({ ...admin, DeviceKey: keys[1]! })))).toEqual([
      'ResourceNotFoundException',
      'Device does not exist.',
    ]);
    expect(await failure(idp(fake).send(new AdminListDevicesCommand({ ...admin, UserPoolId: 'us-east-1_Other' })))).toEqual([
      'ResourceNotFoundException',
      'User pool us-east-1_Other does not exist.',
    ]);
    expect(await failure(idp(fake).send(new AdminListDevicesCommand({ ...admin, Username: 'nobody' })))).toEqual(['UserNotFoundException', 'User does not exist.']);
    // a deleted user's devices go with it
    fake.removeUser('alice');
    expect(fake.devices('alice')).toEqual([]);
  });

  it('MFA: skipped for a remembered device; with ChallengeRequiredOnNewDevice false the code first, then DEVICE_SRP_AUTH', async () => {
    for (const challengeRequiredOnNewDevice of [true, false]) {
      const fake = await startFake({ challengeRequiredOnNewDevice });
      const first = await passwordLogin(fake, 'sms', 'Sms-Pass-1');
      expect(first.ChallengeName).toBe('SMS_MFA');
      const coded = await respond(fake, 'SMS_MFA', first.Session, { USERNAME: 'sms', SMS_MFA_CODE: '424242' });
      const meta = coded.AuthenticationResult!.NewDeviceMetadata!;
      const device = { key: meta.DeviceKey!, groupKey: meta.DeviceGroupKey!, password: 'pw-' + String(challengeRequiredOnNewDevice) };
      await idp(fake).send(
        new ConfirmDeviceCommand({
          AccessToken: coded.AuthenticationResult!.AccessToken!,
          DeviceKey: device.key,
          DeviceSecretVerifierConfig: deviceSecretVerifierConfig(device.groupKey, device.key, device.password),
        }),
      );
      const again = await passwordLogin(fake, 'sms', 'Sms-Pass-1', { DEVICE_KEY: device.key });
      if (challengeRequiredOnNewDevice) {
        expect(again.ChallengeName).toBe('DEVICE_SRP_AUTH');
        expect((await answerDeviceSrp(fake, device, { username: 'sms', session: again.Session! })).AuthenticationResult).toBeTruthy();
      } else {
        expect(again.ChallengeName).toBe('SMS_MFA');
        const next = await respond(fake, 'SMS_MFA', again.Session, { USERNAME: 'sms', SMS_MFA_CODE: '424242' });
        expect(next.ChallengeName).toBe('DEVICE_SRP_AUTH');
        expect(next.AuthenticationResult).toBeUndefined();
        // answered with the used MFA Session, as amazon-cognito-identity-js does after sendMFACode
        expect((await answerDeviceSrp(fake, device, { username: 'sms', session: again.Session! })).AuthenticationResult).toBeTruthy();
      }
      expect(fake.answeredChallenges.filter((c) => c.challengeName === 'SMS_MFA')).toHaveLength(challengeRequiredOnNewDevice ? 1 : 2);
      // the MFA step's DEVICE_KEY is checked too
      const third = await passwordLogin(fake, 'sms', 'Sms-Pass-1');
      expect(third.ChallengeName).toBe('SMS_MFA');
      fake.forgetDevice('sms', device.key);
      expect(await failure(respond(fake, 'SMS_MFA', third.Session, { USERNAME: 'sms', SMS_MFA_CODE: '424242', DEVICE_KEY: device.key }))).toEqual([
        'ResourceNotFoundException',
        'Device does not exist.',
      ]);
      // refused before the session is used: the same answer without the key signs in, with a new device
      const retried = await respond(fake, 'SMS_MFA', third.Session, { USERNAME: 'sms', SMS_MFA_CODE: '424242' });
      expect(retried.AuthenticationResult!.NewDeviceMetadata!.DeviceKey).not.toBe(device.key);
    }
  });

  it('a client secret: SECRET_HASH on the device challenges', async () => {
    const fake = await startFake();
    const hash = computeSecretHash('alice', SECRET_CLIENT, SECRET);
    const out = await passwordLogin(fake, 'alice', 'Correct-Horse-1', { SECRET_HASH: hash }, SECRET_CLIENT);
    const meta = out.AuthenticationResult!.NewDeviceMetadata!;
    const device = { key: meta.DeviceKey!, groupKey: meta.DeviceGroupKey!, password: 'secret-client-device' };
    await idp(fake).send(
      new ConfirmDeviceCommand({
        AccessToken: out.AuthenticationResult!.AccessToken!,
        DeviceKey: device.key,
        DeviceSecretVerifierConfig: deviceSecretVerifierConfig(device.groupKey, device.key, device.password),
      }),
    );
    const next = await passwordLogin(fake, 'alice', 'Correct-Horse-1', { SECRET_HASH: hash, DEVICE_KEY: device.key }, SECRET_CLIENT);
    expect(await failure(answerDeviceSrp(fake, device, { username: 'alice', session: next.Session!, clientId: SECRET_CLIENT }))).toEqual([
      'NotAuthorizedException',
      `Unable to verify secret hash for client ${SECRET_CLIENT}`,
    ]);
    const done = await answerDeviceSrp(fake, device, { username: 'alice', session: next.Session!, clientId: SECRET_CLIENT, secretHash: hash });
    expect(done.AuthenticationResult!.AccessToken).toBeTruthy();
  });

  it("'off' (the default): no device issued, DEVICE_KEY ignored, the device operations know no device", async () => {
    const fake = await startFake({ deviceTracking: 'off' });
    const out = await passwordLogin(fake, 'alice', 'Correct-Horse-1', { DEVICE_KEY: 'us-east-1_00000000-0000-4000-8000-000000000000' });
    expect(out.AuthenticationResult!.NewDeviceMetadata).toBeUndefined();
    expect((await refreshAuth(fake, out.AuthenticationResult!.RefreshToken!)).AuthenticationResult).toBeTruthy();
    expect(
      await failure(
        idp(fake).send(
          new ConfirmDeviceCommand({
            AccessToken: out.AuthenticationResult!.AccessToken!,
            DeviceKey: 'us-east-1_00000000-0000-4000-8000-000000000000',
            DeviceSecretVerifierConfig: { PasswordVerifier: 'AQI=', Salt: 'AQI=' },
          }),
        ),
      ),
    ).toEqual(['InvalidParameterException', 'Invalid device key given.']);
    expect(new FakeCognito().deviceTracking).toBe('off');
  });
});

describe('device SRP maths: the fake against amazon-cognito-identity-js', () => {
  function helperA(h: HelperLike): Promise<BigIntegerLike> {
    return new Promise((res, rej) => h.getLargeAValue((err, A) => (err ? rej(err) : res(A))));
  }

  it("accepts the library's verifier and proof; the library accepts the fake's verifier config format", async () => {
    const fake = await startFake();
    const out = await passwordLogin(fake, 'alice', 'Correct-Horse-1');
    const meta = out.AuthenticationResult!.NewDeviceMetadata!;
    const [key, groupKey] = [meta.DeviceKey!, meta.DeviceGroupKey!];

    // the library's generateHashDevice → ConfirmDevice, as CognitoUser sends it
    const lib = new AuthenticationHelper('unused-pool-name');
    await new Promise<void>((res, rej) => lib.generateHashDevice(groupKey, key, (err) => (err ? rej(err) : res())));
    const libConfig = {
      Salt: Buffer.from(lib.getSaltDevices(), 'hex').toString('base64'),
      PasswordVerifier: Buffer.from(lib.getVerifierDevices(), 'hex').toString('base64'),
    };
    const password = lib.getRandomPassword();
    // the fake's client maths makes the same verifier from the same salt and password
    const salt = bigFromHex(lib.getSaltDevices());
    expect(deviceSecretVerifierConfig(groupKey, key, password, salt)).toEqual(libConfig);
    expect(parseDeviceSecretVerifierConfig(libConfig.PasswordVerifier, libConfig.Salt)!.verifier).toBe(bigFromHex(lib.getVerifierDevices()));
    await idp(fake).send(new ConfirmDeviceCommand({ AccessToken: out.AuthenticationResult!.AccessToken!, DeviceKey: key, DeviceSecretVerifierConfig: libConfig }));

    // the library's proof (getPasswordAuthenticationKey with the group key as "pool" and the device key as user)
    const next = await passwordLogin(fake, 'alice', 'Correct-Horse-1', { DEVICE_KEY: key });
    const helper = new AuthenticationHelper(groupKey);
    const A = await helperA(helper);
    const first = await respond(fake, 'DEVICE_SRP_AUTH', next.Session, { USERNAME: 'alice', DEVICE_KEY: key, SRP_A: A.toString(16) });
    const p = first.ChallengeParameters!;
    const hkdf = await new Promise<Buffer>((res, rej) =>
      helper.getPasswordAuthenticationKey(key, password, new BigInteger(p['SRP_B']!, 16), new BigInteger(p['SALT']!, 16), (err, k) => (err ? rej(err) : res(k))),
    );
    const timestamp = formatSrpTimestamp(new Date(clock));
    const done = await respond(fake, 'DEVICE_PASSWORD_VERIFIER', first.Session, {
      USERNAME: p['USERNAME']!,
      DEVICE_KEY: key,
      PASSWORD_CLAIM_SECRET_BLOCK: p['SECRET_BLOCK']!,
      PASSWORD_CLAIM_SIGNATURE: passwordClaimSignature(Buffer.from(hkdf), groupKey, key, p['SECRET_BLOCK']!, timestamp),
      TIMESTAMP: timestamp,
    });
    expect(done.AuthenticationResult!.AccessToken).toBeTruthy();
    // and the fake's own client maths with the library's password, against the library's verifier
    const again = await passwordLogin(fake, 'alice', 'Correct-Horse-1', { DEVICE_KEY: key });
    expect((await answerDeviceSrp(fake, { key, groupKey, password }, { username: 'alice', session: again.Session! })).AuthenticationResult).toBeTruthy();
  });
});
