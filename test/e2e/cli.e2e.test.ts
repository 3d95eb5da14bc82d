/**
 * End to end: the built binary against moto with a real Secret Service (gnome-keyring in a
 * private D-Bus session), read by the real consumers: AWS CLI v2, botocore and the JS SDK.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONSUMERS, type ConsumerName } from '../support/consumers.js';
import { CLI_BIN, makeTestHome, runCli, runCommand, type TestHome } from '../support/env.js';
import { keytarInChild, startKeyring, type Keyring } from '../support/keyring.js';
import {
  createCognitoFixture,
  MOTO_ACCESS_KEY_ID,
  MOTO_SECRET_ACCESS_KEY,
  MOTO_SESSION_TOKEN,
  startMoto,
  type CognitoFixture,
  type Moto,
} from '../support/moto.js';
import { describeWith } from '../support/tools.js';
import { listFiles, setupArgv } from '../support/argv.js';

const HAND_WRITTEN = [
  '# Written by hand; keep me.',
  '[default]',
  'region = eu-west-1',
  'output = json',
  '',
  '; a profile with S3 sub-settings',
  '[profile data]',
  'region = us-west-2',
  's3 =',
  '  max_concurrent_requests = 20',
  '  multipart_threshold = 64MB',
  '',
  '[sso-session corp]',
  'sso_start_url = https://example.invalid/start',
  'sso_region = us-east-1',
  '',
  '[profile sso-user]',
  'sso_session = corp',
  'sso_account_id = 111122223333',
  'sso_role_name = ReadOnly',
  '',
].join('\n');

describeWith(['moto', 'keyring', 'awscli', 'boto3'], 'cognito-creds end to end (moto, gnome-keyring)', () => {
  let moto: Moto;
  let fixture: CognitoFixture;
  let home: TestHome;
  let keyring: Keyring;
  let env: Record<string, string>;

  const setupArgs = (profile: string) => setupArgv(profile, fixture, ['--auth-flow', 'USER_PASSWORD_AUTH']);

  beforeAll(async () => {
    moto = await startMoto();
    fixture = await createCognitoFixture(moto.url, { password: `Pw9 with "quotes" $HOME \\ ünï` });
    home = await makeTestHome();
    keyring = await startKeyring(home.home);
    env = { ...home.env, ...keyring.env, AWS_ENDPOINT_URL: moto.url };
  });
  afterAll(async () => {
    await keyring?.stop();
    await moto?.stop();
    await home?.cleanup();
  });

  describe('setup, then credential-process, then the consumers', () => {
    beforeAll(async () => {
      await fs.writeFile(home.configFile, HAND_WRITTEN);
      await fs.chmod(home.configFile, 0o640);
      const r = await runCli(setupArgs('dev'), { env, input: `${fixture.password}\n` });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });

    it('writes one section after the hand-written ones, keeping every byte', async () => {
      const text = await fs.readFile(home.configFile, 'utf8');
      expect(text.startsWith(HAND_WRITTEN)).toBe(true);
      const line = `credential_process = ${process.execPath} ${CLI_BIN} credential-process --profile dev`;
      expect(text.slice(HAND_WRITTEN.length)).toBe(
        `\n[profile dev]\n${line}\ncognito_user_pool_id = ${fixture.userPoolId}\ncognito_client_id = ${fixture.clientId}\n` +
          `cognito_identity_pool_id = ${fixture.identityPoolId}\ncognito_username = ${fixture.username}\ncognito_auth_flow = USER_PASSWORD_AUTH\n` +
          // The profile had no region: the identity pool's, for the AWS CLI and SDKs.
          `region = ${fixture.identityPoolId.split(':')[0]}\n`,
      );
      expect((await fs.stat(home.configFile)).mode & 0o777).toBe(0o640);
    });

    it('stored the password in the private keyring, not in any file', async () => {
      const got = await keytarInChild(env, 'get', 'cognito-creds', 'dev:password');
      expect(got).toEqual({ ok: true, value: fixture.password });
      const files = await listFiles(home.home);
      for (const file of files) {
        const bytes = await fs.readFile(file);
        expect(bytes.includes(Buffer.from(fixture.password)), file).toBe(false);
      }
    });

    it('credential-process prints exactly what moto issued, nothing on stderr', async () => {
      const r = await runCli(['credential-process', '--profile', 'dev'], { env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(Object.keys(doc)).toEqual(['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
      expect(doc).toMatchObject({
        Version: 1,
        AccessKeyId: MOTO_ACCESS_KEY_ID,
        SecretAccessKey: MOTO_SECRET_ACCESS_KEY,
        SessionToken: MOTO_SESSION_TOKEN,
      });
      expect(doc.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(r.stdout).toBe(`${JSON.stringify(doc)}\n`);
    });

    it('works from another directory and with AWS_PROFILE naming the profile itself', async () => {
      const r = await runCli(['credential-process'], { env: { ...env, AWS_PROFILE: 'dev' }, cwd: '/' });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(JSON.parse(r.stdout)).toMatchObject({ AccessKeyId: MOTO_ACCESS_KEY_ID });
    });

    it.each(Object.keys(CONSUMERS) as ConsumerName[])('%s gets the credentials moto issued', async (name) => {
      const creds = await CONSUMERS[name]('dev', env);
      expect([creds.accessKeyId, creds.secretAccessKey, creds.sessionToken]).toEqual([
        MOTO_ACCESS_KEY_ID,
        MOTO_SECRET_ACCESS_KEY,
        MOTO_SESSION_TOKEN,
      ]);
    });

    it('a new user\'s first command works without --region: setup wrote the identity pool\'s', async () => {
      expect(env.AWS_REGION ?? env.AWS_DEFAULT_REGION).toBeUndefined();
      // --endpoint-url: this AWS CLI does not read AWS_ENDPOINT_URL, and nothing may leave loopback.
      const r = await runCommand('/usr/bin/aws', ['sts', 'get-caller-identity', '--profile', 'dev', '--output', 'json', '--endpoint-url', moto.url], { env: { ...env, AWS_PAGER: '' } });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(JSON.parse(r.stdout)).toMatchObject({ Account: expect.stringMatching(/^\d{12}$/) });
    });

    it('exec gives the AWS CLI v2 the credentials through the environment', async () => {
      const r = await runCli(
        ['exec', '--profile', 'dev', '--', '/usr/bin/aws', 'configure', 'export-credentials', '--format', 'process'],
        { env: { ...env, AWS_PROFILE: 'dev', AWS_PAGER: '' } },
      );
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(JSON.parse(r.stdout)).toMatchObject({ AccessKeyId: MOTO_ACCESS_KEY_ID, SecretAccessKey: MOTO_SECRET_ACCESS_KEY, SessionToken: MOTO_SESSION_TOKEN });
    });

    it('exec passes signals to the command and returns its exit code', async () => {
      const script = "process.on('SIGTERM', () => { process.stdout.write('got SIGTERM'); process.exit(7); }); process.stdout.write('ready'); setInterval(() => {}, 1000);";
      const child = spawn(process.execPath, [CLI_BIN, 'exec', '--profile', 'dev', '--', process.execPath, '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      for (let i = 0; i < 200 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 25));
      expect(out).toBe('ready');
      child.kill('SIGTERM');
      const code = await new Promise((r) => child.on('exit', r));
      expect(code).toBe(7);
      expect(out).toBe('readygot SIGTERM');
    });

    it('remove deletes the keychain entry and the section only', async () => {
      await runCli(setupArgs('gone'), { env, input: fixture.password });
      const before = await fs.readFile(home.configFile, 'utf8');
      const r = await runCli(['remove', '--profile', 'gone'], { env });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toBe(
        `profile "gone": section removed from ${home.configFile}; password, refresh token deleted from the keychain; cached credentials deleted.\n`,
      );
      const after = await fs.readFile(home.configFile, 'utf8');
      expect(after).toBe(before.slice(0, before.indexOf('\n[profile gone]')));
      expect(await keytarInChild(env, 'get', 'cognito-creds', 'gone:password')).toEqual({ ok: true, value: null });
      expect(await keytarInChild(env, 'get', 'cognito-creds', 'dev:password')).toEqual({ ok: true, value: fixture.password });
    });
  });

  describe('failures: empty stdout, non-zero exit, a message naming the cause and the fix', () => {
    beforeEach(async () => {
      await fs.writeFile(home.configFile, '');
    });

    it('a wrong password: setup saves nothing', async () => {
      const r = await runCli(setupArgs('wrong'), { env, input: 'not-the-password\n' });
      expect([r.code, r.stdout]).toEqual([4, '']);
      expect(r.stderr).toBe(
        'cognito-creds: profile "wrong": Cognito refused the sign-in of "alice": Incorrect username or password. (NotAuthorizedException)\n' +
          '  Run `cognito-creds setup --profile wrong` to store the current password.\n',
      );
      expect(await fs.readFile(home.configFile, 'utf8')).toBe('');
      expect(await keytarInChild(env, 'get', 'cognito-creds', 'wrong:password')).toEqual({ ok: true, value: null });
    });

    it('a wrong stored password', async () => {
      await runCli([...setupArgs('stale'), '--no-verify'], { env, input: 'old-password' });
      const r = await runCli(['credential-process', '--profile', 'stale'], { env });
      expect([r.code, r.stdout]).toEqual([4, '']);
      expect(r.stderr).toContain('Incorrect username or password. (NotAuthorizedException)');
    });

    it('an unknown profile', async () => {
      const r = await runCli(['credential-process', '--profile', 'nope'], { env });
      expect([r.code, r.stdout]).toEqual([3, '']);
      expect(r.stderr).toBe(
        `cognito-creds: profile "nope" is not in ${home.configFile}\n  Run \`cognito-creds setup --profile nope\`, or check the name (--profile, AWS_PROFILE).\n`,
      );
    });

    it('a missing key', async () => {
      await fs.writeFile(home.configFile, `[profile dev]\ncognito_user_pool_id = ${fixture.userPoolId}\ncognito_client_id = ${fixture.clientId}\ncognito_username = alice\n`);
      const r = await runCli(['credential-process', '--profile', 'dev'], { env });
      expect([r.code, r.stdout]).toEqual([3, '']);
      expect(r.stderr).toBe(
        `cognito-creds: profile "dev" in ${home.configFile} is missing cognito_identity_pool_id\n  Fix it in the config file, or run \`cognito-creds setup --profile dev\`.\n`,
      );
    });

    it('a bad pool id', async () => {
      await fs.writeFile(
        home.configFile,
        `[profile dev]\ncognito_user_pool_id = not-a-pool\ncognito_client_id = ${fixture.clientId}\ncognito_identity_pool_id = ${fixture.identityPoolId}\ncognito_username = alice\n`,
      );
      const r = await runCli(['credential-process', '--profile', 'dev'], { env });
      expect([r.code, r.stdout]).toEqual([3, '']);
      expect(r.stderr).toBe(
        `cognito-creds: profile "dev" in ${home.configFile}: cognito_user_pool_id = "not-a-pool" is not a user pool id (REGION_ID, for example us-east-1_AbCdEf123)\n` +
          '  Fix it in the config file, or run `cognito-creds setup --profile dev`.\n',
      );
    });

    it('an unknown user pool client at moto', async () => {
      await fs.writeFile(
        home.configFile,
        `[profile dev]\ncognito_user_pool_id = ${fixture.userPoolId}\ncognito_client_id = abcdefghijklmnopqrstuvwxyz\ncognito_identity_pool_id = ${fixture.identityPoolId}\ncognito_username = alice\ncognito_auth_flow = USER_PASSWORD_AUTH\n`,
      );
      await keytarInChild(env, 'set', 'cognito-creds', 'dev:password', fixture.password);
      const r = await runCli(['credential-process', '--profile', 'dev'], { env });
      expect([r.code, r.stdout]).toEqual([3, '']);
      expect(r.stderr.split('\n')[0]).toMatch(
        new RegExp(`^cognito-creds: profile "dev": user pool ${fixture.userPoolId} or app client abcdefghijklmnopqrstuvwxyz was not found: .*\\(ResourceNotFoundException\\)$`),
      );
    });

    it('no keychain: no D-Bus session at all', async () => {
      await runCli([...setupArgs('dev'), '--no-verify'], { env, input: fixture.password });
      // No bus address, and no $XDG_RUNTIME_DIR/bus for libdbus to find by itself.
      const noBus = { ...env };
      delete noBus.DBUS_SESSION_BUS_ADDRESS;
      delete noBus.XDG_RUNTIME_DIR;
      const r = await runCli(['credential-process', '--profile', 'dev'], { env: noBus, timeoutMs: 40_000 });
      expect([r.code, r.stdout]).toEqual([5, '']);
      const [first, second, third] = r.stderr.split('\n');
      expect(first).toMatch(/^cognito-creds: cannot read the keychain: no usable D-Bus Secret Service \(.+\)$/);
      expect(second).toBe(
        '  Unlock your desktop keyring. With none (a headless box, WSL): run `dbus-run-session -- bash`, then `gnome-keyring-daemon --unlock --components=secrets`, or keep the secrets in an encrypted file: `cognito-creds setup --secret-store file` (docs/troubleshooting.md).',
      );
      expect(third).toBe('');
      expect(r.ms).toBeLessThan(35_000);
    });

    it('a dead endpoint ends quickly with a clear error', async () => {
      await runCli([...setupArgs('dev'), '--no-verify'], { env, input: fixture.password });
      const r = await runCli(['credential-process', '--profile', 'dev'], { env: { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
      expect([r.code, r.stdout]).toEqual([6, '']);
      expect(r.stderr).toBe(
        'cognito-creds: profile "dev": cannot reach Cognito at http://127.0.0.1:9: connection refused (InitiateAuth)\n' +
          '  Check your network or proxy, and AWS_ENDPOINT_URL if you set it.\n',
      );
      expect(r.ms).toBeLessThan(15_000);
    });
  });
});
