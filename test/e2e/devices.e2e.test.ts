/**
 * Remembered devices end to end: the built binary, a private gnome-keyring (the real keyring
 * code), a real terminal (a pseudo-terminal) where a code is asked, and the fake Cognito with
 * device tracking on and a user with SMS MFA. moto has no device support: this runs only against
 * the fake. The story of issue 15: setup asks the code once and confirms the device; after logout
 * the next sign-in needs no code; refresh sends DEVICE_KEY; a forgotten device is recovered from;
 * remove forgets it; the device password is nowhere in plain text under the home directory.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeCognito } from '../fake-cognito/server.js';
import { listFiles, setupArgv } from '../support/argv.js';
import { CLI_BIN, makeTestHome, runCli, type TestHome } from '../support/env.js';
import { keytarInChild, startKeyring, type Keyring } from '../support/keyring.js';
import { ptyLines, runOnPty } from '../support/pty.js';
import { describeWith } from '../support/tools.js';

const PASSWORD = 'E2e-Dev1ce-Passw0rd!';
const CODE = '975310';
const CLIENT = 'fakeclient0000000000000001';

describeWith(['keyring'], 'remembered devices end to end (built binary, gnome-keyring, a pty, the fake Cognito)', () => {
  let home: TestHome;
  let keyring: Keyring;
  let fake: FakeCognito;
  let env: Record<string, string>;

  beforeAll(async () => {
    home = await makeTestHome();
    keyring = await startKeyring(home.home);
    fake = new FakeCognito({ users: [{ username: 'alice', password: PASSWORD, smsCode: CODE }], deviceTracking: 'always' });
    await fake.start();
    env = { ...home.env, ...keyring.env, AWS_ENDPOINT_URL: fake.url };
  });
  afterAll(async () => {
    await fake?.stop();
    await keyring?.stop();
    await home?.cleanup();
  });

  const ops = () =>
    fake.requests.map((q) => (q.operation === 'InitiateAuth' ? `InitiateAuth:${q.body.AuthFlow}` : q.operation === 'RespondToAuthChallenge' ? q.body.ChallengeName : q.operation));
  const cp = () => runCli(['credential-process', '--profile', 'dev'], { env });
  const dropCache = () => fs.rm(path.join(home.cacheDir, 'cognito-creds'), { recursive: true, force: true });
  const storedDevice = async () => {
    const r = await keytarInChild(env, 'get', 'cognito-creds', 'dev:device');
    return typeof r.value === 'string' ? (JSON.parse(r.value) as { deviceKey: string; devicePassword: string }) : null;
  };
  /** A command at a terminal, answering the SMS code when it is asked (`steps` before it). */
  const atTerminal = (argv: string[], before: { expect: string; send: string }[] = []) =>
    runOnPty({ argv: [process.execPath, CLI_BIN, ...argv], env, steps: [...before, { expect: 'the SMS code sent to ', send: `${CODE}\r` }] });

  it('setup asks the SMS code once and confirms the device; after logout no code; refresh sends DEVICE_KEY; a forgotten device is recovered from; remove forgets it', async () => {
    const ids = { userPoolId: fake.userPoolId, clientId: CLIENT, identityPoolId: fake.identityPoolId, username: 'alice' };
    const setup = await atTerminal(setupArgv('dev', ids), [{ expect: 'Password (not shown): ', send: `${PASSWORD}\r` }]);
    expect({ code: setup.code, failedStep: setup.failedStep }).toEqual({ code: 0, failedStep: null });
    const output = ptyLines(setup.output);
    expect(output.filter((l) => l.includes('the SMS code'))).toHaveLength(1);
    const device = (await storedDevice())!;
    expect(fake.devices('alice').map((d) => [d.deviceKey, d.confirmed, d.rememberedStatus])).toEqual([[device.deviceKey, true, 'remembered']]);
    expect(output.some((l) => l.startsWith('This computer is now device ') && l.endsWith(', remembered: sign-ins from it skip the MFA code.'))).toBe(true);

    // After logout: the device SRP, no terminal needed (runCli's child has no controlling terminal).
    expect((await runCli(['logout', '--profile', 'dev'], { env })).code).toBe(0);
    fake.requests.length = 0;
    const signIn = await cp();
    expect([signIn.code, signIn.stderr]).toEqual([0, '']);
    expect(JSON.parse(signIn.stdout).AccessKeyId).toBe(fake.issued.at(-1)!.accessKeyId);
    expect(ops()).toEqual(['InitiateAuth:USER_SRP_AUTH', 'PASSWORD_VERIFIER', 'DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER', 'GetId', 'GetCredentialsForIdentity']);

    // The refresh token, with the device's key.
    await dropCache();
    fake.requests.length = 0;
    expect((await cp()).code).toBe(0);
    expect(ops()).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'GetCredentialsForIdentity']);
    expect(fake.requests[0]!.body.AuthParameters.DEVICE_KEY).toBe(device.deviceKey);

    // An administrator forgets the device: without a terminal the code cannot be asked (and the
    // stale device is dropped); at a terminal the code is asked once and a new device confirmed.
    expect(fake.forgetDevice('alice', device.deviceKey)).toBe(true);
    await dropCache();
    const refused = await cp();
    expect([refused.code, refused.stdout]).toEqual([4, '']);
    expect(refused.stderr.split('\n')[0]).toBe('cognito-creds: profile "dev": Cognito asks for a code (SMS_MFA) and there is no terminal to ask on');
    expect(await storedDevice()).toBeNull();
    const recovered = await atTerminal(['credential-process', '--profile', 'dev']);
    expect({ code: recovered.code, failedStep: recovered.failedStep }).toEqual({ code: 0, failedStep: null });
    const fresh = (await storedDevice())!;
    expect(fresh.deviceKey).not.toBe(device.deviceKey);
    expect(fake.devices('alice').map((d) => d.deviceKey)).toEqual([fresh.deviceKey]);

    // The device password: in the keyring only, never in plain text in a file under the home.
    for (const file of await listFiles(home.home)) {
      const bytes = await fs.readFile(file);
      for (const secret of [fresh.devicePassword, device.devicePassword]) expect(bytes.includes(secret), file).toBe(false);
    }

    // remove: ForgetDevice, and every secret gone from the keyring.
    fake.requests.length = 0;
    const removed = await runCli(['remove', '--profile', 'dev'], { env });
    expect([removed.code, removed.stderr]).toEqual([0, '']);
    expect(removed.stdout.split('\n')[1]).toMatch(/^profile "dev": device ".+" \(us-east-1_[0-9a-f]{8}…\) forgotten by Cognito; deleted from the keychain\.$/);
    expect(ops()).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'ForgetDevice']);
    expect(fake.devices('alice')).toEqual([]);
    expect(await storedDevice()).toBeNull();
  });
});
