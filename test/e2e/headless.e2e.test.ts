/**
 * A host with no keychain at all (no D-Bus session): the encrypted file store end to end against
 * moto and the AWS CLI v2, and doctor naming the missing Secret Service for a keychain profile.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { viaAwsCliV2 } from '../support/consumers.js';
import { makeTestHome, runCli, type TestHome } from '../support/env.js';
import { createCognitoFixture, MOTO_ACCESS_KEY_ID, startMoto, type CognitoFixture, type Moto } from '../support/moto.js';
import { describeWith } from '../support/tools.js';
import { setupArgv } from '../support/argv.js';

const PASSPHRASE = 'correct horse battery staple';

describeWith(['moto', 'awscli'], 'no keychain: the encrypted file store (moto, no D-Bus)', () => {
  let moto: Moto;
  let fixture: CognitoFixture;
  let home: TestHome;
  let env: Record<string, string>;

  beforeAll(async () => {
    moto = await startMoto();
    fixture = await createCognitoFixture(moto.url);
    home = await makeTestHome();
    // makeTestHome passes no DBUS_SESSION_BUS_ADDRESS and no XDG_RUNTIME_DIR: no Secret Service to find.
    env = { ...home.env, AWS_ENDPOINT_URL: moto.url, XDG_DATA_HOME: path.join(home.home, '.local', 'share') };
    expect(env).not.toHaveProperty('DBUS_SESSION_BUS_ADDRESS');
  });
  afterAll(async () => {
    await moto?.stop();
    await home?.cleanup();
  });

  const setupArgs = (profile: string, store: string[] = ['--secret-store', 'file']) => setupArgv(profile, fixture, store);

  it('setup, credential-process and the AWS CLI v2 work with the file store', async () => {
    const r = await runCli(setupArgs('filed'), { env: { ...env, COGNITO_CREDS_FILE_PASSPHRASE: PASSPHRASE }, input: fixture.password });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')[0]).toBe(`profile "filed" saved in ${home.configFile}; the password is in the secrets file and the sign-in was verified.`);
    expect(await fs.readFile(home.configFile, 'utf8')).toContain('\ncognito_secret_store = file\n');
    const file = path.join(home.home, '.local', 'share', 'cognito-creds', 'secrets.json');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    const bytes = await fs.readFile(file, 'utf8');
    expect(bytes).not.toContain(fixture.password);
    expect(bytes).not.toContain(PASSPHRASE);

    await runCli(['logout', '--profile', 'filed'], { env });
    const cp = await runCli(['credential-process', '--profile', 'filed'], { env: { ...env, COGNITO_CREDS_FILE_PASSPHRASE: PASSPHRASE } });
    expect([cp.code, cp.stderr]).toEqual([0, '']);
    expect(JSON.parse(cp.stdout).AccessKeyId).toBe(MOTO_ACCESS_KEY_ID);

    await runCli(['logout', '--profile', 'filed'], { env });
    const creds = await viaAwsCliV2('filed', { ...env, COGNITO_CREDS_FILE_PASSPHRASE: PASSPHRASE });
    expect(creds.accessKeyId).toBe(MOTO_ACCESS_KEY_ID);
  });

  it('a wrong passphrase is a clear error, and nothing leaks', async () => {
    await runCli(['logout', '--profile', 'filed'], { env });
    const r = await runCli(['credential-process', '--profile', 'filed'], { env: { ...env, COGNITO_CREDS_FILE_PASSPHRASE: 'wrong passphrase' } });
    expect([r.code, r.stdout]).toEqual([5, '']);
    const file = path.join(home.home, '.local', 'share', 'cognito-creds', 'secrets.json');
    expect(r.stderr).toBe(
      `cognito-creds: the passphrase for the secrets file ${file} is wrong\n` +
        '  Set COGNITO_CREDS_FILE_PASSPHRASE to the passphrase you chose at setup (or type it at the prompt).\n',
    );
  });

  it('no passphrase and no terminal is a clear error', async () => {
    await runCli(['logout', '--profile', 'filed'], { env });
    const r = await runCli(['credential-process', '--profile', 'filed'], { env });
    expect([r.code, r.stdout]).toEqual([5, '']);
    expect(r.stderr.split('\n')[0]).toMatch(/^cognito-creds: the secrets file .*secrets\.json needs its passphrase and there is no terminal to ask on$/);
  });

  it('a keychain profile fails clearly, and doctor names the Secret Service', async () => {
    const setup = await runCli(setupArgs('keyed', []), { env, input: fixture.password });
    expect([setup.code, setup.stdout]).toEqual([5, '']);
    expect(setup.stderr.split('\n')[0]).toMatch(/^cognito-creds: cannot read the keychain: no usable D-Bus Secret Service \(.+\)$/);
    await fs.appendFile(home.configFile, `\n[profile keyed]\ncognito_user_pool_id = ${fixture.userPoolId}\ncognito_client_id = ${fixture.clientId}\ncognito_identity_pool_id = ${fixture.identityPoolId}\ncognito_username = alice\n`);
    const doctor = await runCli(['doctor', '--profile', 'keyed'], { env });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/^FAIL {2}cannot read the keychain: no usable D-Bus Secret Service \(.+\)\n {6}Unlock your desktop keyring. With none \(a headless box, WSL\): run `dbus-run-session -- bash`.*--secret-store file/m);
  });
});
