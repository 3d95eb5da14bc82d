/**
 * The fake's remembered devices driven by amazon-cognito-identity-js, the reference client, through
 * its own code paths: NewDeviceMetadata after the MFA code → ConfirmDevice with its verifier →
 * setDeviceStatusRemembered → a fresh sign-in that answers DEVICE_SRP_AUTH instead of the code →
 * refreshSession with its DEVICE_KEY → an admin forgets the device → the library's recovery.
 * moto has no device support: these checks run only against the fake.
 */
import { createRequire } from 'node:module';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeCognito, type FakeCognitoOptions } from './server.js';

const require = createRequire(import.meta.url);
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = require('amazon-cognito-identity-js') as any;

const CLIENT = 'fakeclient0000000000000001';
const SMS_CODE = '424242';
const creds = { accessKeyId: 'x', secretAccessKey: 'x' };

/** The library's Storage interface, in memory (it keeps tokens and the device secrets there). */
class MemoryStorage {
  readonly data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.has(key) ? this.data.get(key)! : null;
  }
  setItem(key: string, value: unknown): void {
    this.data.set(key, String(value));
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
  clear(): void {
    this.data.clear();
  }
}

let fakes: FakeCognito[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.stop()));
  fakes = [];
});

async function startFake(extra: FakeCognitoOptions): Promise<FakeCognito> {
  const fake = new FakeCognito({
    users: [
      { username: 'sms', password: 'Sms-Pass-1', smsCode: SMS_CODE },
      { username: 'plain', password: 'Plain-Pass-1' },
    ],
    ...extra,
  });
  await fake.start();
  fakes.push(fake);
  return fake;
}

interface SignedIn {
  user: any;
  session: any;
  /** onSuccess's second argument: ConfirmDevice answered UserConfirmationNecessary true */
  confirmationNecessary: boolean | undefined;
  mfaAsked: number;
}

/** authenticateUser (USER_SRP_AUTH) with a fresh CognitoUser; `code` answers SMS_MFA, none fails on it. */
function signIn(pool: any, storage: MemoryStorage, username: string, password: string, code?: string): Promise<SignedIn> {
  return new Promise((resolve, reject) => {
    const user = new CognitoUser({ Username: username, Pool: pool, Storage: storage });
    let mfaAsked = 0;
    const callbacks = {
      onSuccess: (session: any, confirmationNecessary?: boolean) => resolve({ user, session, confirmationNecessary, mfaAsked }),
      onFailure: reject,
      mfaRequired: () => {
        mfaAsked += 1;
        if (code === undefined) reject(new Error('the MFA code was asked'));
        else user.sendMFACode(code, callbacks);
      },
      totpRequired: () => reject(new Error('unexpected totpRequired')),
      selectMFAType: () => reject(new Error('unexpected selectMFAType')),
      mfaSetup: () => reject(new Error('unexpected mfaSetup')),
      newPasswordRequired: () => reject(new Error('unexpected newPasswordRequired')),
    };
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), callbacks);
  });
}

function call<T = unknown>(fn: (cb: { onSuccess: (r: T) => void; onFailure: (e: Error) => void }) => void): Promise<T> {
  return new Promise((resolve, reject) => fn({ onSuccess: resolve, onFailure: reject }));
}

function refresh(user: any, refreshToken: any): Promise<any> {
  return new Promise((resolve, reject) => user.refreshSession(refreshToken, (err: Error | null, s: any) => (err ? reject(err) : resolve(s))));
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

function deviceEntries(storage: MemoryStorage, username: string): Record<string, string | null> {
  const prefix = `CognitoIdentityServiceProvider.${CLIENT}.${username}`;
  return {
    deviceKey: storage.getItem(`${prefix}.deviceKey`),
    deviceGroupKey: storage.getItem(`${prefix}.deviceGroupKey`),
    randomPasswordKey: storage.getItem(`${prefix}.randomPasswordKey`),
  };
}

const challenges = (fake: FakeCognito) => fake.answeredChallenges.map((a) => [a.challengeName, a.outcome, a.nextChallenge ?? a.error]);

describe('FakeCognito remembered devices, driven by amazon-cognito-identity-js', () => {
  it("'always': the code once, then DEVICE_SRP_AUTH instead of it; refresh needs the DEVICE_KEY; a forgotten device is recovered from", async () => {
    const fake = await startFake({ deviceTracking: 'always' });
    const pool = new CognitoUserPool({ UserPoolId: fake.userPoolId, ClientId: CLIENT, endpoint: fake.url + '/' });
    const storage = new MemoryStorage();

    // 1. password (SRP), the SMS code, NewDeviceMetadata, the library's ConfirmDevice
    const first = await signIn(pool, storage, 'sms', 'Sms-Pass-1', SMS_CODE);
    expect(first.mfaAsked).toBe(1);
    expect(first.confirmationNecessary).toBeUndefined(); // 'always': UserConfirmationNecessary false
    const [device] = fake.devices('sms');
    expect(fake.devices('sms')).toHaveLength(1);
    expect(device).toMatchObject({ username: 'sms', confirmed: true, rememberedStatus: 'remembered' });
    expect(device!.deviceKey).toMatch(/^us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const confirm = fake.requests.find((r) => r.operation === 'ConfirmDevice')!;
    expect(confirm.body).toMatchObject({ DeviceKey: device!.deviceKey, DeviceName: device!.name });
    expect(Object.keys(confirm.body.DeviceSecretVerifierConfig).sort()).toEqual(['PasswordVerifier', 'Salt']);
    const stored = deviceEntries(storage, 'sms');
    expect(stored).toMatchObject({ deviceKey: device!.deviceKey, deviceGroupKey: device!.deviceGroupKey });
    expect(stored.randomPasswordKey).toMatch(/.{20,}/);
    const issued = fake.issuedTokens.at(-1)!;
    expect(issued.deviceKey).toBe(device!.deviceKey);

    // 2. the library's setDeviceStatusRemembered (UpdateDeviceStatus; already remembered under 'always')
    await call((cb) => first.user.setDeviceStatusRemembered(cb));
    expect(fake.count('UpdateDeviceStatus')).toBe(1);
    expect(fake.requests.find((r) => r.operation === 'UpdateDeviceStatus')!.body).toMatchObject({
      DeviceKey: device!.deviceKey,
      DeviceRememberedStatus: 'remembered',
    });

    // 3. a fresh CognitoUser with the same storage: no code asked, the device proves itself
    fake.answeredChallenges.length = 0;
    const second = await signIn(pool, storage, 'sms', 'Sms-Pass-1');
    expect(second.mfaAsked).toBe(0);
    expect(challenges(fake)).toEqual([
      ['PASSWORD_VERIFIER', 'challenge', 'DEVICE_SRP_AUTH'],
      ['DEVICE_SRP_AUTH', 'challenge', 'DEVICE_PASSWORD_VERIFIER'],
      ['DEVICE_PASSWORD_VERIFIER', 'tokens', undefined],
    ]);
    expect(fake.answeredChallenges[0]!.responses['DEVICE_KEY']).toBe(device!.deviceKey);
    expect(fake.answeredChallenges[1]!.responses).toMatchObject({ USERNAME: 'sms', DEVICE_KEY: device!.deviceKey });
    expect(second.session.getIdToken().payload['cognito:username']).toBe('sms');
    expect(fake.devices('sms')).toHaveLength(1); // no new device
    expect(fake.count('ConfirmDevice')).toBe(1);

    // 4. refreshSession sends the DEVICE_KEY and works; the same token without it does not
    const refreshToken = second.session.getRefreshToken();
    const refreshed = await refresh(second.user, refreshToken);
    expect(refreshed.getAccessToken().getJwtToken()).toBeTruthy();
    const sent = fake.requests.filter((r) => r.operation === 'InitiateAuth').at(-1)!.body;
    expect(sent).toMatchObject({ AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { DEVICE_KEY: device!.deviceKey } });
    const sdk = new CognitoIdentityProviderClient({ region: fake.region, endpoint: fake.url, credentials: creds });
    const without = await rejection(
      sdk.send(new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: CLIENT, AuthParameters: { REFRESH_TOKEN: refreshToken.getToken() } })),
    );
    expect([without.name, without.message]).toEqual(['NotAuthorizedException', 'Invalid Refresh Token']);

    // 5. an administrator forgets the device: refresh and a sign-in with its key are refused ...
    expect(fake.forgetDevice('sms', device!.deviceKey)).toBe(true);
    // (not through refreshSession: the library retries every refused refresh for seconds)
    const forgotten = await rejection(
      sdk.send(
        new InitiateAuthCommand({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: CLIENT,
          AuthParameters: { REFRESH_TOKEN: refreshToken.getToken(), DEVICE_KEY: device!.deviceKey },
        }),
      ),
    );
    expect([forgotten.name, forgotten.message]).toEqual(['NotAuthorizedException', 'Invalid Refresh Token']);
    const direct = await rejection(
      sdk.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: CLIENT,
          AuthParameters: { USERNAME: 'sms', PASSWORD: 'Sms-Pass-1', DEVICE_KEY: device!.deviceKey },
        }),
      ),
    );
    expect([direct.name, direct.message]).toEqual(['ResourceNotFoundException', 'Device does not exist.']);

    // ... and the library's recovery: PASSWORD_VERIFIER answered again without the key, the code, a new device
    fake.answeredChallenges.length = 0;
    const third = await signIn(pool, storage, 'sms', 'Sms-Pass-1', SMS_CODE);
    expect(third.mfaAsked).toBe(1);
    expect(challenges(fake)).toEqual([
      ['PASSWORD_VERIFIER', 'error', 'ResourceNotFoundException'],
      ['PASSWORD_VERIFIER', 'challenge', 'SMS_MFA'],
      ['SMS_MFA', 'tokens', undefined],
    ]);
    const devices = fake.devices('sms');
    expect(devices).toHaveLength(1);
    expect(devices[0]!.deviceKey).not.toBe(device!.deviceKey);
    expect(devices[0]).toMatchObject({ confirmed: true, rememberedStatus: 'remembered' });
    expect(deviceEntries(storage, 'sms').deviceKey).toBe(devices[0]!.deviceKey);

    // 6. the library's own forgetDevice (ForgetDevice with the access token) clears both sides
    await call((cb) => third.user.forgetDevice(cb));
    expect(fake.devices('sms')).toEqual([]);
    expect(deviceEntries(storage, 'sms').deviceKey).toBeNull();
  });

  it("'user-opt-in': UserConfirmationNecessary, the code until the device is remembered, then DEVICE_SRP_AUTH", async () => {
    const fake = await startFake({ deviceTracking: 'user-opt-in' });
    const pool = new CognitoUserPool({ UserPoolId: fake.userPoolId, ClientId: CLIENT, endpoint: fake.url + '/' });
    const storage = new MemoryStorage();

    const first = await signIn(pool, storage, 'sms', 'Sms-Pass-1', SMS_CODE);
    expect(first.confirmationNecessary).toBe(true);
    const key = fake.devices('sms')[0]!.deviceKey;
    expect(fake.devices('sms')[0]).toMatchObject({ confirmed: true, rememberedStatus: 'not_remembered' });

    // confirmed but not remembered: the code again, and the same device (no new NewDeviceMetadata)
    fake.answeredChallenges.length = 0;
    const second = await signIn(pool, storage, 'sms', 'Sms-Pass-1', SMS_CODE);
    expect(second.mfaAsked).toBe(1);
    expect(challenges(fake)).toEqual([
      ['PASSWORD_VERIFIER', 'challenge', 'SMS_MFA'],
      ['SMS_MFA', 'tokens', undefined],
    ]);
    expect(fake.count('ConfirmDevice')).toBe(1);
    expect(fake.devices('sms').map((d) => d.deviceKey)).toEqual([key]);

    // the user opts in; the next sign-in skips the code
    await call((cb) => second.user.setDeviceStatusRemembered(cb));
    expect(fake.device(key)!.rememberedStatus).toBe('remembered');
    fake.answeredChallenges.length = 0;
    const third = await signIn(pool, storage, 'sms', 'Sms-Pass-1');
    expect(third.mfaAsked).toBe(0);
    expect(challenges(fake).map((c) => c[0])).toEqual(['PASSWORD_VERIFIER', 'DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER']);

    // and opts out again: the code is back
    await call((cb) => third.user.setDeviceStatusNotRemembered(cb));
    expect((await signIn(pool, storage, 'sms', 'Sms-Pass-1', SMS_CODE)).mfaAsked).toBe(1);
  });

  it("without MFA the remembered device still answers DEVICE_SRP_AUTH (USER_PASSWORD_AUTH too); 'off' issues no device", async () => {
    const fake = await startFake({ deviceTracking: 'always' });
    const pool = new CognitoUserPool({ UserPoolId: fake.userPoolId, ClientId: CLIENT, endpoint: fake.url + '/' });
    const storage = new MemoryStorage();
    await signIn(pool, storage, 'plain', 'Plain-Pass-1');
    expect(fake.devices('plain')).toMatchObject([{ confirmed: true, rememberedStatus: 'remembered' }]);

    fake.answeredChallenges.length = 0;
    const viaPassword = await new Promise<any>((resolve, reject) => {
      const user = new CognitoUser({ Username: 'plain', Pool: pool, Storage: storage });
      user.setAuthenticationFlowType('USER_PASSWORD_AUTH');
      user.authenticateUser(new AuthenticationDetails({ Username: 'plain', Password: 'Plain-Pass-1' }), { onSuccess: resolve, onFailure: reject });
    });
    expect(viaPassword.getIdToken().payload['cognito:username']).toBe('plain');
    const initiate = fake.requests.filter((r) => r.operation === 'InitiateAuth').at(-1)!.body;
    expect(initiate).toMatchObject({ AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { DEVICE_KEY: fake.devices('plain')[0]!.deviceKey } });
    expect(challenges(fake).map((c) => c[0])).toEqual(['DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER']);

    const off = await startFake({});
    const offPool = new CognitoUserPool({ UserPoolId: off.userPoolId, ClientId: CLIENT, endpoint: off.url + '/' });
    await signIn(offPool, new MemoryStorage(), 'plain', 'Plain-Pass-1');
    expect(off.devices('plain')).toEqual([]);
    expect(off.count('ConfirmDevice')).toBe(0);
    expect(off.issuedTokens[0]!.deviceKey).toBeUndefined();
  });
});
