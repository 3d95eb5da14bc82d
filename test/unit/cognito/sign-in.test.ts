/**
 * Sign-in breadth through the CLI against the fake Cognito: SRP by default (the password never
 * sent), app clients with a secret on every flow, refresh-token rotation, the new-password
 * challenge, a chosen role and the Logins key.
 */
import { promises as fs } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { useInProcessCli } from '../../support/in-process.js';
import { setupArgv } from '../../support/argv.js';

const PASSWORD = 'Corr3ct horse "battery" $taple ✓';
const SECRET = 'client-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const SECRET_CLIENT = 'secretclient00000000000001';
const ROTATING_CLIENT = 'rotatingclient000000000001';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

const cli = useInProcessCli({
  users: [
    { username: 'alice', password: PASSWORD },
    { username: 'newbie', password: 'Temp-Passw0rd!', status: 'FORCE_CHANGE_PASSWORD' },
    { username: 'totpuser', password: PASSWORD, totpSecret: TOTP_SECRET },
    { username: 'smsuser', password: PASSWORD, smsCode: '424242' },
    { username: 'both', password: PASSWORD, smsCode: '424242', totpSecret: TOTP_SECRET },
    { username: 'needsmfa', password: PASSWORD, mfaSetupRequired: true },
  ],
  clients: [
    { clientId: 'fakeclient0000000000000001' },
    { clientId: SECRET_CLIENT, clientSecret: SECRET },
    { clientId: ROTATING_CLIENT, rotateRefreshTokens: true },
    { clientId: 'srponlyclient0000000000001', authFlows: ['USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH'] },
  ],
});

const ops = () => cli.fake.requests.map((q) => (q.operation === 'InitiateAuth' ? `InitiateAuth:${q.body.AuthFlow}` : q.operation));
const everythingSent = () => JSON.stringify(cli.fake.requests.map((q) => q.body));
const cp = (env: Record<string, string> = {}) => cli.run(['credential-process', '--profile', 'dev'], { env });

const ids = (clientId: string, username = 'alice') => ({ userPoolId: cli.fake.userPoolId, clientId, identityPoolId: cli.fake.identityPoolId, username });
const setupArgs = (clientId: string, extra: string[] = []) => setupArgv('dev', ids(clientId), extra);

describe('USER_SRP_AUTH, the default', () => {
  beforeEach(async () => {
    await cli.writeProfile('', 'dev', 'srponlyclient0000000000001');
    await cli.store.set('dev:password', PASSWORD);
  });

  it('signs in without ever sending the password', async () => {
    const r = await cp();
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(ops()).toEqual(['InitiateAuth:USER_SRP_AUTH', 'RespondToAuthChallenge', 'GetId', 'GetCredentialsForIdentity']);
    expect(cli.fake.requests[1]!.body.ChallengeName).toBe('PASSWORD_VERIFIER');
    expect(JSON.parse(r.stdout).AccessKeyId).toBe(cli.fake.issued.at(-1)!.accessKeyId);
    expect(everythingSent()).not.toContain(PASSWORD);
    expect(everythingSent()).not.toContain('Corr3ct');
  });

  it('a wrong password is refused by the verifier', async () => {
    await cli.store.set('dev:password', 'Corr3ct horse "battery" $taple ✗');
    const r = await cp();
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toBe(
      'cognito-creds: profile "dev": Cognito refused the sign-in of "alice": Incorrect username or password. (NotAuthorizedException)\n' +
        '  Run `cognito-creds setup --profile dev` to store the current password.\n',
    );
  });

  it('a client without SRP says which flow is missing', async () => {
    await cli.writeProfile('cognito_auth_flow = USER_PASSWORD_AUTH\n', 'dev', 'srponlyclient0000000000001');
    const r = await cp();
    expect(r.code).toBe(4);
    expect(r.stderr.split('\n')[0]).toBe(
      'cognito-creds: profile "dev": app client srponlyclient0000000000001: USER_PASSWORD_AUTH flow not enabled for this client (InvalidParameterException)',
    );
  });
});

describe('an app client with a secret', () => {
  it.each(['USER_SRP_AUTH', 'USER_PASSWORD_AUTH'])('works with %s, then with the refresh token', async (flow) => {
    const setup = await cli.run(setupArgs(SECRET_CLIENT, ['--auth-flow', flow]), { stdin: PASSWORD, env: { COGNITO_CLIENT_SECRET: SECRET } });
    expect([setup.code, setup.stderr]).toEqual([0, '']);
    expect(setup.stdout.split('\n')[0]).toBe(
      `profile "dev" saved in ${cli.configFile}; the password and the client secret are in the keychain and the sign-in was verified.`,
    );
    expect(cli.store.entries.get('dev:client-secret')).toBe(SECRET);
    expect(await fs.readFile(cli.configFile, 'utf8')).not.toContain(SECRET);
    await fs.rm(cli.cacheDir, { recursive: true });
    cli.fake.requests.length = 0;
    const r = await cp();
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(ops()).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'GetCredentialsForIdentity']);
    expect(cli.fake.requests[0]!.body.AuthParameters.SECRET_HASH).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(everythingSent()).not.toContain(SECRET);
  });

  it('a wrong secret fails clearly and saves nothing', async () => {
    const r = await cli.run(setupArgs(SECRET_CLIENT), { stdin: PASSWORD, env: { COGNITO_CLIENT_SECRET: 'wrong' } });
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toBe(
      `cognito-creds: profile "dev": Cognito could not verify the client secret of app client ${SECRET_CLIENT} (NotAuthorizedException)\n` +
        '  Store the right client secret: `cognito-creds setup --profile dev`.\n',
    );
    expect(cli.store.entries.size).toBe(0);
  });

  it('a missing secret fails clearly', async () => {
    const r = await cli.run(setupArgs(SECRET_CLIENT), { stdin: PASSWORD });
    expect(r.code).toBe(4);
    expect(r.stderr.split('\n')[0]).toBe(`cognito-creds: profile "dev": Cognito could not verify the client secret of app client ${SECRET_CLIENT} (NotAuthorizedException)`);
  });
});

describe('refresh-token rotation', () => {
  it('uses GetTokensFromRefreshToken and keeps the new token', async () => {
    const setup = await cli.run(setupArgs(ROTATING_CLIENT), { stdin: PASSWORD });
    expect(setup.code).toBe(0);
    const first = cli.fake.issuedTokens.at(-1)!.refreshToken!;
    await fs.rm(cli.cacheDir, { recursive: true });
    cli.fake.requests.length = 0;
    expect((await cp()).code).toBe(0);
    expect(ops()).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'GetTokensFromRefreshToken', 'GetCredentialsForIdentity']);
    const { getLargeSecret } = await import('../../../src/secrets/large-secret.js');
    const session = JSON.parse((await getLargeSecret(cli.store, 'dev:refresh-token'))!) as { refreshToken: string; rotates: boolean };
    expect(session.rotates).toBe(true);
    expect(session.refreshToken).not.toBe(first);
    expect(session.refreshToken).toBe(cli.fake.issuedTokens.at(-1)!.refreshToken);
    // Next time straight to GetTokensFromRefreshToken, with the rotated token.
    await fs.rm(cli.cacheDir, { recursive: true });
    cli.fake.requests.length = 0;
    expect((await cp()).code).toBe(0);
    expect(ops()).toEqual(['GetTokensFromRefreshToken', 'GetCredentialsForIdentity']);
    expect(cli.fake.requests[0]!.body.RefreshToken).toBe(session.refreshToken);
  });
});

describe('NEW_PASSWORD_REQUIRED', () => {
  const newbieArgs = (extra: string[] = []) => setupArgv('newbie', ids('fakeclient0000000000000001', 'newbie'), extra);

  it('credential-process says to run setup', async () => {
    await cli.writeProfile('cognito_username = newbie\n', 'newbie');
    await fs.writeFile(cli.configFile, (await fs.readFile(cli.configFile, 'utf8')).replace('cognito_username = alice\n', ''));
    await cli.store.set('newbie:password', 'Temp-Passw0rd!');
    const r = await cli.run(['credential-process', '--profile', 'newbie']);
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toBe(
      'cognito-creds: profile "newbie": Cognito requires user "newbie" to choose a new password\n  Run `cognito-creds setup --profile newbie` in a terminal.\n',
    );
  });

  it('scripted setup without a second line explains how to give one', async () => {
    const r = await cli.run(newbieArgs(), { stdin: 'Temp-Passw0rd!\n' });
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toBe(
      'cognito-creds: profile "newbie": Cognito requires a new password and none was given\n' +
        '  Run setup in a terminal, or with --password-stdin put the new password on the second line of standard input.\n',
    );
    expect(cli.store.entries.size).toBe(0);
  });

  it('setup answers it with the second line of stdin and stores the new password', async () => {
    const r = await cli.run(newbieArgs(), { stdin: 'Temp-Passw0rd!\nBrand-New-Passw0rd!\n' });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')[0]).toMatch(/the sign-in was verified \(with the new password\)\.$/);
    expect(cli.store.entries.get('newbie:password')).toBe('Brand-New-Passw0rd!');
    expect(cli.fake.getUser('newbie')!.password).toBe('Brand-New-Passw0rd!');
  });
});

describe('cognito_role_arn', () => {
  it('reaches GetCredentialsForIdentity as CustomRoleArn', async () => {
    const role = 'arn:aws:iam::123456789012:role/cognito-readonly';
    const r = await cli.run(setupArgs('fakeclient0000000000000001', ['--role-arn', role]), { stdin: PASSWORD });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(await fs.readFile(cli.configFile, 'utf8')).toContain(`\ncognito_role_arn = ${role}\n`);
    expect(cli.fake.requests.find((q) => q.operation === 'GetCredentialsForIdentity')!.body.CustomRoleArn).toBe(role);
    expect(cli.fake.issued.at(-1)!.customRoleArn).toBe(role);
  });

  it('a role the identity pool will not give is an error that says so', async () => {
    await cli.writeProfile('cognito_role_arn = arn:aws:iam::123456789012:role/admin\n');
    await cli.store.set('dev:password', PASSWORD);
    cli.fake.failNext('GetCredentialsForIdentity', { code: 'NotAuthorizedException', message: 'Cognito is not authorized to assume the role you have specified.' });
    const r = await cp();
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toBe(
      `cognito-creds: profile "dev": identity pool ${cli.fake.identityPoolId} will not give role arn:aws:iam::123456789012:role/admin to this user: Cognito is not authorized to assume the role you have specified. (NotAuthorizedException)\n` +
        '  Set cognito_role_arn to a role the identity pool maps this user to (or remove it for the default role).\n',
    );
  });
});

describe('MFA challenges', () => {
  const profileFor = async (user: string, secrets: Record<string, string> = {}) => {
    await cli.writeProfile(`cognito_username = ${user}\n`);
    await fs.writeFile(cli.configFile, (await fs.readFile(cli.configFile, 'utf8')).replace('cognito_username = alice\n', ''));
    await cli.store.set('dev:password', PASSWORD);
    for (const [kind, value] of Object.entries(secrets)) await cli.store.set(`dev:${kind}`, value);
  };
  const answered = () => cli.fake.answeredChallenges.slice(-3).map((a) => `${a.challengeName}:${a.outcome}`);

  it('SOFTWARE_TOKEN_MFA: the code comes from the stored secret, with no terminal', async () => {
    await profileFor('totpuser', { 'totp-secret': TOTP_SECRET });
    const r = await cli.run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(ops()).toEqual(['InitiateAuth:USER_SRP_AUTH', 'RespondToAuthChallenge', 'RespondToAuthChallenge', 'GetId', 'GetCredentialsForIdentity']);
    expect(answered().slice(-2)).toEqual(['PASSWORD_VERIFIER:challenge', 'SOFTWARE_TOKEN_MFA:tokens']);
  });

  it('SOFTWARE_TOKEN_MFA without a stored secret asks on the terminal', async () => {
    await profileFor('totpuser');
    cli.advance(30_000); // a code not used by the tests before
    const { totpCode } = await import('../../fake-cognito/server.js');
    const r = await cli.run(['credential-process', '--profile', 'dev'], { tty: [totpCode(TOTP_SECRET, cli.now())] });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('[tty] cognito-creds: profile "dev": the code from your authenticator app: ');
    expect(r.stdout).toMatch(/^\{"Version":1,/);
  });

  it('SOFTWARE_TOKEN_MFA with neither fails and says how to store the secret', async () => {
    await profileFor('totpuser');
    const r = await cli.run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toBe(
      'cognito-creds: profile "dev": Cognito asks for a TOTP code, no TOTP secret is stored and there is no terminal to ask on\n' +
        "  Store the TOTP secret: `COGNITO_TOTP_SECRET=… cognito-creds setup --profile dev` (or answer setup's prompt).\n",
    );
  });

  it('SMS_MFA asks on the terminal, naming where the code went', async () => {
    await profileFor('smsuser');
    const r = await cli.run(['credential-process', '--profile', 'dev'], { tty: ['424242'] });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('[tty] cognito-creds: profile "dev": the SMS code sent to +*******1234: ');
    expect(answered().at(-1)).toBe('SMS_MFA:tokens');
  });

  it('SMS_MFA with no terminal is a clear error', async () => {
    await profileFor('smsuser');
    const r = await cli.run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toBe(
      'cognito-creds: profile "dev": Cognito asks for a code (SMS_MFA) and there is no terminal to ask on\n' +
        '  Run `cognito-creds credential-process --profile dev` in a terminal to sign in; the refresh token then keeps you signed in.\n',
    );
  });

  it('a wrong SMS code is refused clearly', async () => {
    await profileFor('smsuser');
    const r = await cli.run(['credential-process', '--profile', 'dev'], { tty: ['000000'] });
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toBe(
      '[tty] cognito-creds: profile "dev": the SMS code sent to +*******1234: ' +
        'cognito-creds: profile "dev": Cognito refused the MFA code: Invalid code or auth state for the user. (CodeMismatchException)\n' +
        "  If the code came from the stored TOTP secret, store the right one (COGNITO_TOTP_SECRET=… cognito-creds setup --profile dev) and check this computer's clock.\n",
    );
  });

  it('SELECT_MFA_TYPE chooses TOTP when offered', async () => {
    await profileFor('both', { 'totp-secret': TOTP_SECRET });
    const r = await cli.run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(answered()).toEqual(['PASSWORD_VERIFIER:challenge', 'SELECT_MFA_TYPE:challenge', 'SOFTWARE_TOKEN_MFA:tokens']);
    expect(cli.fake.answeredChallenges.at(-2)!.responses.ANSWER).toBe('SOFTWARE_TOKEN_MFA');
  });

  it('MFA_SETUP is named in the error', async () => {
    await profileFor('needsmfa');
    const r = await cli.run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toBe(
      'cognito-creds: profile "dev": Cognito asked for the MFA_SETUP challenge, which cognito-creds cannot answer\n' +
        '  The user must set up MFA first, in your application; then store the TOTP secret with `cognito-creds setup`.\n',
    );
  });

  it('setup stores the TOTP secret, and its cached credentials spare a second code', async () => {
    const r = await cli.run(
      ['setup', '--profile', 'dev', '--user-pool-id', cli.fake.userPoolId, '--client-id', 'fakeclient0000000000000001', '--identity-pool-id', cli.fake.identityPoolId, '--username', 'totpuser', '--password-stdin'],
      { stdin: PASSWORD, env: { COGNITO_TOTP_SECRET: TOTP_SECRET.toLowerCase() } },
    );
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(cli.store.entries.get('dev:totp-secret')).toBe(TOTP_SECRET.toLowerCase());
    cli.fake.requests.length = 0;
    const again = await cli.run(['credential-process', '--profile', 'dev']);
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(cli.fake.requests).toHaveLength(0);
  });

  it('setup refuses a TOTP secret that is not base32, without echoing it', async () => {
    const r = await cli.run(
      ['setup', '--profile', 'dev', '--user-pool-id', cli.fake.userPoolId, '--client-id', 'fakeclient0000000000000001', '--identity-pool-id', cli.fake.identityPoolId, '--username', 'totpuser', '--password-stdin'],
      { stdin: PASSWORD, env: { COGNITO_TOTP_SECRET: '123456' } },
    );
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      'cognito-creds: profile "dev": the TOTP secret is not base32 (letters A-Z and digits 2-7)\n  Copy the secret key your authenticator app was set up with (not a 6-digit code).\n',
    );
    expect(cli.fake.requests).toHaveLength(0);
  });
});

describe('a TOTP code spent already', () => {
  it('waits for the next code when the stored secret\'s code was used within the same 30 s', async () => {
    await cli.writeProfile('cognito_username = totpuser\n');
    await fs.writeFile(cli.configFile, (await fs.readFile(cli.configFile, 'utf8')).replace('cognito_username = alice\n', ''));
    await cli.store.set('dev:password', PASSWORD);
    await cli.store.set('dev:totp-secret', TOTP_SECRET);
    cli.advance(30_000 - (cli.now() % 30_000) + 1_000); // just after a step starts: both calls fall in it
    const first = await cli.run(['credential-process', '--profile', 'dev']);
    expect(first.code).toBe(0);
    await fs.rm(cli.cacheDir, { recursive: true });
    await cli.run(['logout', '--profile', 'dev']);
    const before = cli.now();
    const second = await cli.run(['credential-process', '--profile', 'dev', '--debug']);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/TOTP code already used; waiting \d+ ms for the next one/);
    expect(cli.now() - before).toBeGreaterThan(0);
    expect(cli.now() - before).toBeLessThanOrEqual(30_500);
    expect(cli.fake.answeredChallenges.slice(-2).map((a) => `${a.challengeName}:${a.outcome}`)).toEqual(['PASSWORD_VERIFIER:challenge', 'SOFTWARE_TOKEN_MFA:tokens']);
  });
});
