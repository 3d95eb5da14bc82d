/**
 * Remembered devices in a pool that lets the user choose ("user opt-in": ConfirmDevice answers
 * UserConfirmationNecessary), in-process against the fake Cognito: setup remembers this computer
 * by default (UpdateDeviceStatus remembered), --no-remember-device keeps it tracked only (the
 * refresh token still needs DEVICE_KEY, the MFA code is still asked), --remember-device later
 * changes it, --device-name names it. moto has no device support: these run only against the fake.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import { beforeEach, describe, expect, it } from 'vitest';
import { setupArgv } from '../../support/argv.js';
import { useInProcessCli } from '../../support/in-process.js';

const PASSWORD = 'Opt-1n-Passw0rd!';
const CODE = '135790';

const cli = useInProcessCli({ users: [{ username: 'alice', password: PASSWORD, smsCode: CODE }], deviceTracking: 'user-opt-in' });

const ids = () => ({ userPoolId: cli.fake.userPoolId, clientId: 'fakeclient0000000000000001', identityPoolId: cli.fake.identityPoolId, username: 'alice' });
const setup = (extra: string[] = [], tty = [CODE]) => cli.run(setupArgv('dev', ids(), extra), { stdin: PASSWORD, tty });
const ops = () =>
  cli.fake.requests.map((q) => (q.operation === 'InitiateAuth' ? `InitiateAuth:${q.body.AuthFlow}` : q.operation === 'RespondToAuthChallenge' ? `RespondToAuthChallenge:${q.body.ChallengeName}` : q.operation));
const statusUpdates = () => cli.fake.requests.filter((q) => q.operation === 'UpdateDeviceStatus').map((q) => q.body.DeviceRememberedStatus as string);
const stored = () => JSON.parse(cli.store.entries.get('dev:device') ?? 'null') as { deviceKey: string; remembered: boolean; userChoice: boolean; deviceName: string } | null;
const prefix = (key: string) => `${key.slice(0, key.indexOf('_') + 9)}…`;
const deviceLineOf = (stdout: string) => stdout.split('\n').find((l) => l.startsWith('This computer')) ?? '';

beforeEach(() => {
  for (const { deviceKey } of cli.fake.devices('alice')) cli.fake.forgetDevice('alice', deviceKey);
});

describe('a pool that lets the user choose', () => {
  it('setup remembers this computer by default: ConfirmDevice, then UpdateDeviceStatus remembered', async () => {
    const r = await setup();
    expect([r.code, r.stderr.match(/\[tty\]/g)?.length]).toEqual([0, 1]);
    expect(ops()).toEqual([
      'InitiateAuth:USER_SRP_AUTH', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:SMS_MFA', 'ConfirmDevice', 'UpdateDeviceStatus', 'GetId', 'GetCredentialsForIdentity',
    ]);
    expect(statusUpdates()).toEqual(['remembered']);
    const device = stored()!;
    expect(device).toMatchObject({ remembered: true, userChoice: true, deviceName: os.hostname() });
    expect(cli.fake.device(device.deviceKey)).toMatchObject({ confirmed: true, rememberedStatus: 'remembered' });
    expect(deviceLineOf(r.stdout)).toBe(`This computer is now device ${JSON.stringify(os.hostname())} (${prefix(device.deviceKey)}) of the user pool, remembered: sign-ins from it skip the MFA code.`);
    expect(await fs.readFile(cli.configFile, 'utf8')).not.toContain('cognito_remember_device');
  });

  it('--no-remember-device --device-name: tracked, not remembered, so the code is still asked; --remember-device later remembers it', async () => {
    const r = await setup(['--no-remember-device', '--device-name', 'Work laptop (Zoë)']);
    expect(r.code).toBe(0);
    expect(statusUpdates()).toEqual(['not_remembered']);
    const { deviceKey } = stored()!;
    expect(cli.fake.device(deviceKey)).toMatchObject({ confirmed: true, rememberedStatus: 'not_remembered', name: 'Work laptop (Zoë)' });
    const config = await fs.readFile(cli.configFile, 'utf8');
    expect(config).toContain('cognito_device_name = Work laptop (Zoë)\n');
    expect(config).toContain('cognito_remember_device = false\n');
    expect(deviceLineOf(r.stdout)).toBe(
      `This computer is now device "Work laptop (Zoë)" (${prefix(deviceKey)}) of the user pool, not remembered: Cognito still asks for the MFA code (setup --remember-device changes that).`,
    );
    const status = await cli.run(['status', '--profile', 'dev']);
    expect(status.stdout).toContain(`\n  device:      tracked, not remembered (MFA still asked): "Work laptop (Zoë)" (${prefix(deviceKey)})\n`);

    // After logout: the code again, as the same device (no new one, no device SRP).
    await cli.run(['logout', '--profile', 'dev']);
    cli.fake.requests.length = 0;
    const again = await cli.run(['credential-process', '--profile', 'dev'], { tty: [CODE] });
    expect([again.code, again.stderr.match(/\[tty\]/g)?.length]).toEqual([0, 1]);
    expect(ops()).toEqual(['InitiateAuth:USER_SRP_AUTH', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:SMS_MFA', 'GetId', 'GetCredentialsForIdentity']);
    expect(cli.fake.requests[2]!.body.ChallengeResponses.DEVICE_KEY).toBe(deviceKey);
    // …and its refresh token works only with DEVICE_KEY, which goes with it.
    await fs.rm(cli.cacheDir, { recursive: true, force: true });
    cli.fake.requests.length = 0;
    expect((await cli.run(['credential-process', '--profile', 'dev'])).code).toBe(0);
    expect(ops()).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'GetCredentialsForIdentity']);
    expect(cli.fake.requests[0]!.body.AuthParameters.DEVICE_KEY).toBe(deviceKey);

    // setup --remember-device: the same device, now remembered; the key leaves the profile.
    cli.fake.requests.length = 0;
    const remembered = await setup(['--remember-device']);
    expect(remembered.code).toBe(0);
    expect(statusUpdates()).toEqual(['remembered']);
    expect(cli.fake.requests.filter((q) => q.operation === 'ConfirmDevice')).toEqual([]);
    expect(cli.fake.device(deviceKey)?.rememberedStatus).toBe('remembered');
    expect(deviceLineOf(remembered.stdout)).toBe(`This computer is device "Work laptop (Zoë)" (${prefix(deviceKey)}) of the user pool, remembered: sign-ins from it skip the MFA code.`);
    const after = await fs.readFile(cli.configFile, 'utf8');
    expect(after).not.toContain('cognito_remember_device');
    expect(after).toContain('cognito_device_name = Work laptop (Zoë)\n');
    await cli.run(['logout', '--profile', 'dev']);
    expect((await cli.run(['credential-process', '--profile', 'dev'])).code).toBe(0); // no terminal: the device SRP
  });

  it('refuses a device name Cognito or the config file cannot hold, before any request', async () => {
    const r = await setup(['--device-name', 'tab\there']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      'cognito-creds: --device-name "tab\\there" is not a device name (1 to 1024 characters, no control characters or leading and trailing spaces)\n' +
        '  Pass a valid --device-name.\n',
    );
    expect(cli.fake.requests).toEqual([]);
  });
});
