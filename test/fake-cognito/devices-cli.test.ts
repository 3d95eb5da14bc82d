/**
 * The fake as a process (dist/test/fake-cognito/cli.js) with device tracking on: what e2e tests in
 * another process use, including AdminForgetDevice to forget a device "as an administrator".
 * Needs a build at least as new as the sources (`npm test` builds first).
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  AdminForgetDeviceCommand,
  AdminListDevicesCommand,
  CognitoIdentityProviderClient,
  ConfirmDeviceCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { deviceSecretVerifierConfig } from './srp-verifier.js';

const here = dirname(fileURLToPath(import.meta.url));
const distCli = resolve(here, '../../dist/test/fake-cognito/cli.js');
const distFresh =
  existsSync(distCli) &&
  ['cli', 'server', 'devices', 'srp-verifier', 'errors'].every((f) => {
    const built = resolve(here, `../../dist/test/fake-cognito/${f}.js`);
    return existsSync(built) && statSync(built).mtimeMs >= statSync(resolve(here, `${f}.ts`)).mtimeMs;
  });
const creds = { accessKeyId: 'x', secretAccessKey: 'x' };

function run(args: string[]): { child: ReturnType<typeof spawn>; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [distCli, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((res) => child.once('exit', res));
  return { child, stderr: () => err, exit };
}

describe('fake-cognito cli: device tracking', () => {
  it.skipIf(!distFresh)('--device-tracking always: NewDeviceMetadata, ConfirmDevice, AdminForgetDevice', async () => {
    const { child, exit } = run(['--user', 'alice:Alice-Pass-1', '--device-tracking', 'always']);
    try {
      const line = await new Promise<string>((res, rej) => {
        createInterface({ input: child.stdout! }).once('line', res);
        void exit.then((code) => rej(new Error(`exited ${code}`)));
      });
      const info = JSON.parse(line) as Record<string, string>;
      const c = new CognitoIdentityProviderClient({ region: info['region']!, endpoint: info['url']!, credentials: creds });
      const login = (extra: Record<string, string> = {}) =>
        c.send(
          new InitiateAuthCommand({
            AuthFlow: 'USER_PASSWORD_AUTH',
            ClientId: info['clientId']!,
            AuthParameters: { USERNAME: 'alice', PASSWORD: 'Alice-Pass-1', ...extra },
          }),
        );
      const out = await login();
      const meta = out.AuthenticationResult!.NewDeviceMetadata!;
      await c.send(
        new ConfirmDeviceCommand({
          AccessToken: out.AuthenticationResult!.AccessToken!,
          DeviceKey: meta.DeviceKey!,
          DeviceSecretVerifierConfig: deviceSecretVerifierConfig(meta.DeviceGroupKey!, meta.DeviceKey!, 'device-pw'),
        }),
      );
      expect((await login({ DEVICE_KEY: meta.DeviceKey! })).ChallengeName).toBe('DEVICE_SRP_AUTH');
      const admin = { UserPoolId: info['userPoolId']!, Username: 'alice' };
      expect((await c.send(new AdminListDevicesCommand(admin))).Devices!.map((d) => d.DeviceKey)).toEqual([meta.DeviceKey]);
      await c.send(new AdminForgetDeviceCommand({ ...admin, DeviceKey: meta.DeviceKey! }));
      const err = await login({ DEVICE_KEY: meta.DeviceKey! }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect([err?.name, err?.message]).toEqual(['ResourceNotFoundException', 'Device does not exist.']);
    } finally {
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    }
  });

  it.skipIf(!distFresh)('refuses an unknown --device-tracking or --challenge-required-on-new-device', async () => {
    for (const [args, message] of [
      [['--device-tracking', 'sometimes'], 'fake-cognito: --device-tracking must be off|always|user-opt-in\n'],
      [['--challenge-required-on-new-device', 'yes'], 'fake-cognito: --challenge-required-on-new-device must be true|false\n'],
    ] as const) {
      const { exit, stderr } = run([...args]);
      expect(await exit, args.join(' ')).toBe(2);
      expect(stderr()).toBe(message);
    }
  });
});
