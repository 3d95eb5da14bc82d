/**
 * The fault matrix, continued (issue 15): remembered devices. In-process against the fake Cognito
 * with device tracking "always" (test/unit/cli/matrix.test.ts's harness and style): a device
 * Cognito issues with a malformed key, ConfirmDevice failing, a stored device record that cannot
 * be read. A sign-in whose device cannot be confirmed still gives credentials (the device only
 * saves the next MFA code); an answer that cannot be read fails with exit 6, nothing printed or
 * cached. moto has no device support: these rows run only against the fake.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useInProcessCli, type Run } from '../../support/in-process.js';

const PASSWORD = 'Matrix-Dev1ce-1!';
const FAST_MS = 3_000;

const cli = useInProcessCli({ users: [{ username: 'alice', password: PASSWORD }], deviceTracking: 'always' });

function expectFailure(r: Run, code: number, stderr: string, maxMs = FAST_MS): void {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
  expect(r.stderr).toBe(stderr);
  expect(r.ms).toBeLessThan(maxMs);
}

const unreadable = (operation: string, problem: string) =>
  `cognito-creds: profile "dev": Cognito's answer to ${operation} could not be read (${problem})\n` +
  '  A proxy or a wrong AWS_ENDPOINT_URL may stand between you and Cognito.\n';

async function arrange(): Promise<void> {
  await cli.writeProfile('cognito_auth_flow = USER_PASSWORD_AUTH\n');
  await cli.store.set('dev:password', PASSWORD);
}

const cp = (debug = false) => cli.run(['credential-process', '--profile', 'dev', ...(debug ? ['--debug'] : [])]);
const cached = async () => (await fs.readdir(cli.cacheDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json'));
const rewriteDeviceKey = (value: unknown) =>
  cli.fake.failNext('InitiateAuth', { kind: 'rewrite', rewrite: (a) => ({ ...a, AuthenticationResult: { ...a.AuthenticationResult, NewDeviceMetadata: { ...a.AuthenticationResult.NewDeviceMetadata, DeviceKey: value } } }) });

describe('fault matrix: remembered devices', () => {
  it('NewDeviceMetadata.DeviceKey of the wrong type: exit 6, could not be read, nothing cached', async () => {
    await arrange();
    rewriteDeviceKey(12345);
    expectFailure(await cp(), 6, unreadable('InitiateAuth', 'AuthenticationResult.NewDeviceMetadata.DeviceKey is a number, not a string'));
    expect(await cached()).toEqual([]);
    expect(cli.store.entries.has('dev:device')).toBe(false);
  });

  it('NewDeviceMetadata.DeviceKey not of a device key\'s form (it would be echoed and stored): exit 6', async () => {
    await arrange();
    rewriteDeviceKey('../../etc/passwd\u001b[31m');
    expectFailure(await cp(), 6, unreadable('InitiateAuth', 'AuthenticationResult.NewDeviceMetadata.DeviceKey is not a device key'));
    expect(cli.fake.requests.map((q) => q.operation)).toEqual(['InitiateAuth']);
  });

  it('ConfirmDevice failing: the credentials all the same, no device kept, said in --debug only', async () => {
    await arrange();
    cli.fake.failNext('ConfirmDevice', { code: 'InternalErrorException', message: 'boom', status: 500 }, 3);
    const r = await cp();
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout).AccessKeyId).toBe(cli.fake.issued.at(-1)!.accessKeyId);
    expect(cli.store.entries.has('dev:device')).toBe(false);
    expect(cli.store.entries.has('dev:refresh-token')).toBe(true);
    // --debug says why: the next password sign-in is issued a device again.
    await cli.store.delete('dev:refresh-token');
    await fs.rm(cli.cacheDir, { recursive: true, force: true });
    cli.fake.failNext('ConfirmDevice', { code: 'InternalErrorException', message: 'boom', status: 500 }, 3);
    const debug = await cp(true);
    expect(debug.code).toBe(0);
    expect(debug.stderr).toMatch(/\] device us-east-1_[0-9a-f]{8}… not confirmed: profile "dev": Cognito failed with HTTP 500 on ConfirmDevice \(InternalErrorException\)\n/);
  });

  it.each([
    ['not JSON', '{"deviceKey": '],
    ['another user\'s', JSON.stringify({ userPoolId: 'us-east-1_Fake1234', username: 'bob', deviceKey: 'us-east-1_0000', deviceGroupKey: 'g', devicePassword: 'p', deviceName: 'x', remembered: true, userChoice: false })],
    ['a field missing', JSON.stringify({ userPoolId: 'us-east-1_Fake1234', username: 'alice', deviceKey: 'us-east-1_0000', deviceGroupKey: 'g', deviceName: 'x', remembered: true, userChoice: false })],
  ])('a stored device record that is %s is ignored: no DEVICE_KEY sent, a new device confirmed in its place', async (_what, record) => {
    await arrange();
    await cli.store.set('dev:device', record);
    const r = await cp();
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(cli.fake.requests[0]!.body.AuthParameters.DEVICE_KEY).toBeUndefined();
    const [issued] = cli.fake.devices('alice').slice(-1);
    expect(JSON.parse(cli.store.entries.get('dev:device')!).deviceKey).toBe(issued!.deviceKey);
  });

  it('no device password or key reaches the config file or the cache', async () => {
    await arrange();
    expect((await cp()).code).toBe(0);
    const { devicePassword, deviceKey } = JSON.parse(cli.store.entries.get('dev:device')!) as Record<string, string>;
    for (const file of [cli.configFile, ...(await cached()).map((f) => path.join(cli.cacheDir, f))]) {
      const text = await fs.readFile(file, 'utf8');
      expect(text).not.toContain(devicePassword!);
      expect(text).not.toContain(deviceKey!);
    }
  });
});
