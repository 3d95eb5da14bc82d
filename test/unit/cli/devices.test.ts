/**
 * Remembered devices through the CLI, in-process, against the fake Cognito with device tracking
 * "always" (ConfirmDevice remembers the device) and a user with SMS MFA: setup asks the code once
 * and confirms this computer; later sign-ins answer DEVICE_SRP_AUTH instead; refreshes carry
 * DEVICE_KEY; a device Cognito forgot is dropped once and replaced; logout --forget-device and
 * remove forget it. moto has no device support: these checks run only against the fake.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import { beforeEach, describe, expect, it } from 'vitest';
import { setupArgv } from '../../support/argv.js';
import { useInProcessCli } from '../../support/in-process.js';

const PASSWORD = 'Dev1ce-Passw0rd!';
const CODE = '424242';
const CLIENT = 'fakeclient0000000000000001';
const ROTATING = 'rotatingclient000000000001';

const cli = useInProcessCli({
  users: [{ username: 'alice', password: PASSWORD, smsCode: CODE }],
  clients: [{ clientId: CLIENT }, { clientId: ROTATING, rotateRefreshTokens: true }],
  deviceTracking: 'always',
});

const ids = (clientId = CLIENT) => ({ userPoolId: cli.fake.userPoolId, clientId, identityPoolId: cli.fake.identityPoolId, username: 'alice' });
const setup = (extra: string[] = [], tty = [CODE], clientId = CLIENT) => cli.run(setupArgv('dev', ids(clientId), extra), { stdin: PASSWORD, tty });
const cp = (extra: string[] = [], tty?: string[]) => cli.run(['credential-process', '--profile', 'dev', ...extra], tty ? { tty } : {});
const dropCache = () => fs.rm(cli.cacheDir, { recursive: true, force: true });
/** Each request, as `InitiateAuth:FLOW`, `RespondToAuthChallenge:NAME` or the operation. */
const ops = () =>
  cli.fake.requests.map((q) =>
    q.operation === 'InitiateAuth' ? `InitiateAuth:${q.body.AuthFlow}` : q.operation === 'RespondToAuthChallenge' ? `RespondToAuthChallenge:${q.body.ChallengeName}` : q.operation,
  );
/** The DEVICE_KEY (or DeviceKey) each request sent, '-' for none. */
const deviceKeysSent = () => cli.fake.requests.map((q) => q.body.AuthParameters?.DEVICE_KEY ?? q.body.ChallengeResponses?.DEVICE_KEY ?? q.body.DeviceKey ?? '-');
const stored = () => JSON.parse(cli.store.entries.get('dev:device') ?? 'null') as Record<string, unknown> | null;
const prefix = (key: string) => `${key.slice(0, key.indexOf('_') + 9)}…`;
const HOST = os.hostname();

// One fake serves the file: each test starts with no device known to it.
beforeEach(() => {
  for (const { deviceKey } of cli.fake.devices('alice')) cli.fake.forgetDevice('alice', deviceKey);
});

describe('setup with device tracking on', () => {
  it('asks the SMS code once, confirms this computer as a remembered device and keeps its secrets in the store', async () => {
    const r = await setup();
    expect([r.code, r.stderr.match(/\[tty\]/g)?.length]).toEqual([0, 1]);
    const [device, ...others] = cli.fake.devices('alice');
    expect(others).toEqual([]);
    expect(device).toMatchObject({ confirmed: true, rememberedStatus: 'remembered', name: HOST });
    expect(r.stdout).toBe(
      `profile "dev" saved in ${cli.configFile}; the password is in the keychain and the sign-in was verified.\n` +
        "Region for AWS commands: us-east-1 (the identity pool's; change it with `region =` in the profile).\n" +
        `This computer is now device ${JSON.stringify(HOST)} (${prefix(device!.deviceKey)}) of the user pool, remembered: sign-ins from it skip the MFA code.\n` +
        'Try it: aws sts get-caller-identity --profile dev\n',
    );
    expect(ops()).toEqual([
      'InitiateAuth:USER_SRP_AUTH', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:SMS_MFA', 'ConfirmDevice', 'GetId', 'GetCredentialsForIdentity',
    ]);
    const confirm = cli.fake.requests.find((q) => q.operation === 'ConfirmDevice')!.body;
    expect(confirm.DeviceKey).toBe(device!.deviceKey);
    expect(confirm.DeviceName).toBe(HOST);
    expect(Object.keys(confirm.DeviceSecretVerifierConfig).sort()).toEqual(['PasswordVerifier', 'Salt']);
    // The device's secrets are in the store, the password never sent nor written to a file.
    const secret = stored()!;
    expect(secret).toEqual({
      userPoolId: cli.fake.userPoolId, username: 'alice', deviceKey: device!.deviceKey, deviceGroupKey: device!.deviceGroupKey,
      devicePassword: expect.stringMatching(/^[A-Za-z0-9+/]{54}==$/), deviceName: HOST, remembered: true, userChoice: false,
    });
    expect(JSON.stringify(cli.fake.requests.map((q) => q.body))).not.toContain(secret.devicePassword as string);
    const files = [cli.configFile, ...(await fs.readdir(cli.cacheDir)).map((f) => `${cli.cacheDir}/${f}`)];
    for (const file of files) expect(await fs.readFile(file, 'utf8')).not.toContain(secret.devicePassword as string);
  });
});

describe('a remembered device', () => {
  beforeEach(async () => {
    expect((await setup()).code).toBe(0);
    cli.fake.requests.length = 0;
  });

  it('after logout, the next sign-in answers DEVICE_SRP_AUTH: no code, no terminal, DEVICE_KEY on every step', async () => {
    const { deviceKey } = stored() as { deviceKey: string };
    const out = await cli.run(['logout', '--profile', 'dev']);
    expect(out.stdout).toBe('profile "dev": cached credentials deleted; refresh token deleted from the keychain; the password stays.\n');
    expect(stored()?.deviceKey).toBe(deviceKey);
    const r = await cp();
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout).AccessKeyId).toBe(cli.fake.issued.at(-1)!.accessKeyId);
    expect(ops()).toEqual([
      'InitiateAuth:USER_SRP_AUTH', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:DEVICE_SRP_AUTH', 'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER', 'GetId', 'GetCredentialsForIdentity',
    ]);
    expect(deviceKeysSent().slice(0, 4)).toEqual([deviceKey, deviceKey, deviceKey, deviceKey]);
    expect(cli.fake.answeredChallenges.at(-1)).toMatchObject({ challengeName: 'DEVICE_PASSWORD_VERIFIER', outcome: 'tokens' });
    expect(cli.fake.devices('alice')).toHaveLength(1);
  });

  it('refreshes with DEVICE_KEY (REFRESH_TOKEN_AUTH), and the device stays as it was', async () => {
    const before = cli.store.entries.get('dev:device');
    await dropCache();
    const r = await cp(['--debug']);
    expect([r.code, r.stdout === '']).toEqual([0, false]);
    expect(ops()).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'GetCredentialsForIdentity']);
    expect(deviceKeysSent()[0]).toBe(stored()!.deviceKey);
    expect(r.stderr).toContain(`signed in with the refresh token as device ${prefix(stored()!.deviceKey as string)}\n`);
    expect(r.stderr).not.toContain('write keychain (device)');
    expect(cli.store.entries.get('dev:device')).toBe(before);
  });

  it('a device Cognito forgot is dropped once: the sign-in goes on without it, asks the code and confirms a new device (--debug says so)', async () => {
    const old = stored()!.deviceKey as string;
    expect(cli.fake.forgetDevice('alice', old)).toBe(true);
    await dropCache();
    const r = await cp(['--debug'], [CODE]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Cognito no longer knows device ${prefix(old)} (ResourceNotFoundException to the sign-in); it is dropped and the sign-in goes on without it\n`);
    expect(ops()).toEqual([
      'InitiateAuth:REFRESH_TOKEN_AUTH', // Invalid Refresh Token: the token was the forgotten device's
      'InitiateAuth:USER_SRP_AUTH', // Device does not exist.
      'InitiateAuth:USER_SRP_AUTH', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:SMS_MFA', 'ConfirmDevice', 'GetCredentialsForIdentity',
    ]);
    expect(deviceKeysSent().slice(0, 3)).toEqual([old, old, '-']);
    const [fresh] = cli.fake.devices('alice');
    expect(fresh!.deviceKey).not.toBe(old);
    expect(stored()!.deviceKey).toBe(fresh!.deviceKey);
    // …and the new one serves the next sign-in.
    await cli.run(['logout', '--profile', 'dev']);
    cli.fake.requests.length = 0;
    expect((await cp()).code).toBe(0);
    expect(ops()).toContain('RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER');
  });

  it('a device Cognito forgot is deleted from the store even when the sign-in then cannot ask for the code', async () => {
    expect(cli.fake.forgetDevice('alice', stored()!.deviceKey as string)).toBe(true);
    await cli.run(['logout', '--profile', 'dev']);
    const r = await cp();
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toBe(
      'cognito-creds: profile "dev": Cognito asks for a code (SMS_MFA) and there is no terminal to ask on\n' +
        '  Run `cognito-creds credential-process --profile dev` in a terminal to sign in; the refresh token then keeps you signed in.\n',
    );
    expect(cli.store.entries.has('dev:device')).toBe(false);
    expect(ops().filter((o) => o === 'InitiateAuth:USER_SRP_AUTH')).toHaveLength(2);
  });

  it('status and doctor name it (its name and key prefix), never its password', async () => {
    const { deviceKey, devicePassword } = stored() as { deviceKey: string; devicePassword: string };
    const status = await cli.run(['status', '--profile', 'dev']);
    expect(status.stdout.split('\n').slice(3, 5)).toEqual([
      '  keychain:    password stored, client secret not stored, TOTP secret not stored, refresh token stored',
      `  device:      remembered: ${JSON.stringify(HOST)} (${prefix(deviceKey)})`,
    ]);
    const doctor = await cli.run(['doctor', '--profile', 'dev']);
    expect(doctor.stdout.split('\n')).toContain(`ok    profile "dev": the user pool tracks devices; this computer is device ${JSON.stringify(HOST)} (${prefix(deviceKey)}), remembered: its sign-ins skip the MFA code`);
    for (const out of [status.stdout, doctor.stdout]) {
      expect(out).not.toContain(devicePassword);
      expect(out).not.toContain(deviceKey);
    }
  });

  it('logout --forget-device: ForgetDevice with the refresh token\'s access token, the secrets deleted; the next sign-in asks the code again', async () => {
    const { deviceKey } = stored() as { deviceKey: string };
    const r = await cli.run(['logout', '--profile', 'dev', '--forget-device']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      'profile "dev": cached credentials deleted; refresh token deleted from the keychain; the password stays.\n' +
        `profile "dev": device ${JSON.stringify(HOST)} (${prefix(deviceKey)}) forgotten by Cognito; deleted from the keychain.\n`,
    );
    expect(ops()).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'ForgetDevice']);
    expect(deviceKeysSent()).toEqual([deviceKey, deviceKey]);
    expect(cli.fake.devices('alice')).toEqual([]);
    expect([...cli.store.entries.keys()]).toEqual(['dev:password']);
    const again = await cp([], [CODE]);
    expect([again.code, again.stderr.match(/\[tty\]/g)?.length]).toEqual([0, 1]);
    expect(cli.fake.devices('alice')).toHaveLength(1);
    // Nothing stored: the option says so.
    await cli.store.delete('dev:device');
    expect((await cli.run(['logout', '--profile', 'dev', '--forget-device'])).stdout.split('\n')[1]).toBe('profile "dev": no remembered device was stored.');
  });

  it('logout --forget-device when Cognito cannot be reached: a warning, exit 0, the device secrets deleted all the same', async () => {
    cli.fake.failNext('ForgetDevice', { code: 'InternalErrorException', message: 'boom', status: 500 }, 3);
    const { deviceKey } = stored() as { deviceKey: string };
    const r = await cli.run(['logout', '--profile', 'dev', '--forget-device']);
    const device = `device ${JSON.stringify(HOST)} (${prefix(deviceKey)})`;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `cognito-creds: warning: profile "dev": Cognito could not be asked to forget ${device}: Cognito failed with HTTP 500 on ForgetDevice (InternalErrorException)\n` +
        "  It stays in the user's devices until the user or an administrator forgets it.\n",
    );
    expect(r.stdout.split('\n')[1]).toBe(`profile "dev": ${device} deleted from the keychain, not forgotten by Cognito.`);
    expect(cli.store.entries.has('dev:device')).toBe(false);
    expect(cli.fake.devices('alice')).toHaveLength(1);
  });

  it('remove forgets it at Cognito (a password sign-in as the device when no refresh token is left) and deletes every secret', async () => {
    const { deviceKey } = stored() as { deviceKey: string };
    await cli.run(['logout', '--profile', 'dev']);
    cli.fake.requests.length = 0;
    const r = await cli.run(['remove', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      `profile "dev": section removed from ${cli.configFile}; password, remembered device deleted from the keychain.\n` +
        `profile "dev": device ${JSON.stringify(HOST)} (${prefix(deviceKey)}) forgotten by Cognito; deleted from the keychain.\n`,
    );
    expect(ops()).toEqual(['InitiateAuth:USER_SRP_AUTH', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:DEVICE_SRP_AUTH', 'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER', 'ForgetDevice']);
    expect(cli.fake.devices('alice')).toEqual([]);
    expect([...cli.store.entries.keys()]).toEqual([]);
  });
});

describe('an app client that rotates refresh tokens', () => {
  it('refreshes with GetTokensFromRefreshToken and its DeviceKey', async () => {
    expect((await setup([], [CODE], ROTATING)).code).toBe(0);
    const { deviceKey } = stored() as { deviceKey: string };
    await dropCache();
    cli.fake.requests.length = 0;
    const r = await cp();
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(ops()).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'GetTokensFromRefreshToken', 'GetCredentialsForIdentity']);
    expect(deviceKeysSent().slice(0, 2)).toEqual([deviceKey, deviceKey]);
  });
});
