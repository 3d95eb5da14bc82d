/**
 * Sign-in breadth end to end against moto (behind a counting proxy) with a real keyring: SRP as
 * the default flow, an app client with a secret on the SRP, password and refresh flows, a TOTP
 * user with no terminal, and a chosen role. (moto does not check SRP maths: that is checked
 * against amazon-cognito-identity-js and the fake Cognito's verifier in the unit tests.)
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  AdminSetUserMFAPreferenceCommand,
  AssociateSoftwareTokenCommand,
  InitiateAuthCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { totpCode } from '../../src/cognito/totp.js';
import { CountingProxy } from '../support/counting-proxy.js';
import { makeTestHome, runCli, type TestHome } from '../support/env.js';
import { keytarInChild, startKeyring, type Keyring } from '../support/keyring.js';
import { createCognitoFixture, MOTO_ACCESS_KEY_ID, motoClients, startMoto, type Moto } from '../support/moto.js';
import { describeWith } from '../support/tools.js';
import { listFiles, setupArgv } from '../support/argv.js';

describeWith(['moto', 'keyring'], 'sign-in flows end to end (moto with TOTP checks, gnome-keyring)', () => {
  let moto: Moto;
  let proxy: CountingProxy;
  let home: TestHome;
  let keyring: Keyring;
  let env: Record<string, string>;

  beforeAll(async () => {
    moto = await startMoto({ env: { MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP: 'true' } });
    proxy = new CountingProxy(moto.url);
    await proxy.start();
    home = await makeTestHome();
    keyring = await startKeyring(home.home);
    env = { ...home.env, ...keyring.env, AWS_ENDPOINT_URL: proxy.url };
  });
  afterAll(async () => {
    await keyring?.stop();
    await proxy?.stop();
    await moto?.stop();
    await home?.cleanup();
  });

  const setup = async (profile: string, f: { userPoolId: string; clientId: string; identityPoolId: string; username: string; password: string }, extra: string[] = [], extraEnv: Record<string, string> = {}) =>
    runCli(
      setupArgv(profile, f, extra),
      { env: { ...env, ...extraEnv }, input: `${f.password}\n` },
    );
  const cp = (profile: string) => runCli(['credential-process', '--profile', profile], { env });
  const dropCache = () => fs.rm(path.join(home.cacheDir, 'cognito-creds'), { recursive: true, force: true });

  it('SRP is the flow used when cognito_auth_flow is absent', async () => {
    const f = await createCognitoFixture(moto.url);
    proxy.requests.length = 0;
    const r = await setup('srp', f);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(await fs.readFile(home.configFile, 'utf8')).not.toContain('cognito_auth_flow');
    expect(proxy.operations()).toEqual(['InitiateAuth:USER_SRP_AUTH', 'RespondToAuthChallenge', 'GetId', 'GetCredentialsForIdentity']);
    expect(JSON.stringify(proxy.requests)).not.toContain(f.password);
    await dropCache();
    await runCli(['logout', '--profile', 'srp'], { env });
    proxy.requests.length = 0;
    const c = await cp('srp');
    expect([c.code, c.stderr]).toEqual([0, '']);
    expect(JSON.parse(c.stdout).AccessKeyId).toBe(MOTO_ACCESS_KEY_ID);
    // logout forgot the refresh token and the IdentityId: a full SRP sign-in again.
    expect(proxy.operations()).toEqual(['InitiateAuth:USER_SRP_AUTH', 'RespondToAuthChallenge', 'GetId', 'GetCredentialsForIdentity']);
  });

  it.each(['USER_SRP_AUTH', 'USER_PASSWORD_AUTH'])('a client with a secret works with %s and then the refresh token', async (flow) => {
    const f = await createCognitoFixture(moto.url, { clientSecret: true });
    const r = await setup(`secret-${flow}`, f, ['--auth-flow', flow], { COGNITO_CLIENT_SECRET: f.clientSecret! });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(await keytarInChild(env, 'get', 'cognito-creds', `secret-${flow}:client-secret`)).toEqual({ ok: true, value: f.clientSecret });
    await dropCache();
    proxy.requests.length = 0;
    const c = await cp(`secret-${flow}`);
    expect([c.code, c.stderr]).toEqual([0, '']);
    // moto checks SECRET_HASH on REFRESH_TOKEN_AUTH.
    expect(proxy.operations()).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'GetCredentialsForIdentity']);
  });

  it('a wrong client secret fails clearly (moto checks SECRET_HASH on SRP)', async () => {
    const f = await createCognitoFixture(moto.url, { clientSecret: true });
    const r = await setup('wrong-secret', f, [], { COGNITO_CLIENT_SECRET: 'not-the-secret' });
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toMatch(/^cognito-creds: profile "wrong-secret": .*\(NotAuthorizedException\)\n {2}.+\n$/);
    expect(r.stderr).not.toContain('not-the-secret');
    expect(await keytarInChild(env, 'get', 'cognito-creds', 'wrong-secret:password')).toEqual({ ok: true, value: null });
  });

  it('a TOTP user signs in with no terminal from the stored secret', async () => {
    const f = await createCognitoFixture(moto.url, { username: 'totp-user' });
    const { idp } = motoClients(moto.url);
    try {
      const auth = await idp.send(
        new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: f.clientId, AuthParameters: { USERNAME: f.username, PASSWORD: f.password } }),
      );
      const accessToken = auth.AuthenticationResult!.AccessToken!;
      const { SecretCode } = await idp.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
      await idp.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCode(SecretCode!, Date.now()) }));
      await idp.send(
        new AdminSetUserMFAPreferenceCommand({ UserPoolId: f.userPoolId, Username: f.username, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
      );
      // Without the secret and without a terminal: a clear error that says how to store it.
      const without = await setup('totp-missing', f);
      expect([without.code, without.stdout]).toEqual([4, '']);
      expect(without.stderr).toBe(
        'cognito-creds: profile "totp-missing": Cognito asks for a TOTP code, no TOTP secret is stored and there is no terminal to ask on\n' +
          '  Store the TOTP secret: `COGNITO_TOTP_SECRET=… cognito-creds setup --profile totp-missing` (or answer setup\'s prompt).\n',
      );
      // A wrong secret: moto checks the code.
      const wrong = await setup('totp-wrong', f, [], { COGNITO_TOTP_SECRET: 'JBSWY3DPEHPK3PXP' });
      expect(wrong.code).toBe(4);
      expect(wrong.stderr).toBe(
        'cognito-creds: profile "totp-wrong": Cognito refused the MFA code: MFA Code Mismatch (CodeMismatchException)\n' +
          '  If the code came from the stored TOTP secret, store the right one (COGNITO_TOTP_SECRET=… cognito-creds setup --profile totp-wrong) and check this computer\'s clock.\n',
      );

      const r = await setup('totp', f, [], { COGNITO_TOTP_SECRET: SecretCode! });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout.split('\n')[0]).toBe(
        `profile "totp" saved in ${home.configFile}; the password and the TOTP secret are in the keychain and the sign-in was verified.`,
      );
      expect(await keytarInChild(env, 'get', 'cognito-creds', 'totp:totp-secret')).toEqual({ ok: true, value: SecretCode });
      // A password sign-in again (no cache, no refresh token), with no terminal: the stored secret answers.
      await runCli(['logout', '--profile', 'totp'], { env });
      proxy.requests.length = 0;
      const c = await cp('totp');
      expect([c.code, c.stderr]).toEqual([0, '']);
      expect(proxy.operations()).toEqual(['InitiateAuth:USER_SRP_AUTH', 'RespondToAuthChallenge', 'RespondToAuthChallenge', 'GetId', 'GetCredentialsForIdentity']);
      expect(proxy.requests[2]!.body.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
      expect((proxy.requests[2]!.body.ChallengeResponses as Record<string, string>).SOFTWARE_TOKEN_MFA_CODE).toMatch(/^\d{6}$/);
    } finally {
      idp.destroy();
    }
  });

  it('the role ARN reaches GetCredentialsForIdentity', async () => {
    const f = await createCognitoFixture(moto.url);
    const role = 'arn:aws:iam::123456789012:role/cognito-e2e';
    proxy.requests.length = 0;
    const r = await setup('role', f, ['--role-arn', role]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(proxy.requests.find((q) => q.operation === 'GetCredentialsForIdentity')!.body.CustomRoleArn).toBe(role);
  });

  it('leaves no secret in plain text under the home directory', async () => {
    const secrets: string[] = [];
    for (const profile of ['srp', 'secret-USER_SRP_AUTH', 'totp']) {
      for (const kind of ['password', 'client-secret', 'totp-secret']) {
        const got = await keytarInChild(env, 'get', 'cognito-creds', `${profile}:${kind}`);
        if (typeof got.value === 'string') secrets.push(got.value);
      }
    }
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    const files = await listFiles(home.home);
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const text = await fs.readFile(file, 'latin1');
      for (const secret of secrets) expect(text.includes(secret), `${secret.slice(0, 3)}… in ${file}`).toBe(false);
    }
  });
});
