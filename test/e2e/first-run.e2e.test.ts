/**
 * A new user's first hour, against the built binary (the fake Cognito, the file store, no
 * keyring needed): the messages that carry the fix, doctor's labelled and stricter lines, what
 * setup says about the profile as it stands, and exec keeping cognito-creds' own secrets to itself.
 */
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCognito } from '../fake-cognito/server.js';
import { makeTestHome, runCli, type TestHome } from '../support/env.js';

const CLIENT = 'fakeclient0000000000000001';
const PASSWORD_ONLY = 'passwordonly00000000000001';
const PASSWORD = 'First-Run-Pw-1!';

let home: TestHome;
let fake: FakeCognito;
let env: Record<string, string>;
beforeAll(async () => {
  home = await makeTestHome();
  fake = new FakeCognito({
    users: [{ username: 'alice', password: PASSWORD }],
    clients: [{ clientId: CLIENT }, { clientId: PASSWORD_ONLY, authFlows: ['USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH'] }],
  });
  await fake.start();
  env = { ...home.env, AWS_ENDPOINT_URL: fake.url, COGNITO_CREDS_FILE_PASSPHRASE: 'first-run-passphrase' };
});
afterAll(async () => {
  await fake?.stop();
  await home?.cleanup();
});

const setup = (profile: string, extra: string[] = [], client = CLIENT) =>
  runCli(['setup', '--profile', profile, '--user-pool-id', fake.userPoolId, '--client-id', client, '--identity-pool-id', fake.identityPoolId,
    '--username', 'alice', '--secret-store', 'file', '--password-stdin', ...extra], { env, input: `${PASSWORD}\n` });

describe('first run, the built binary', () => {
  it('an app client without SRP: Cognito\'s words, and the fix names ALLOW_USER_SRP_AUTH and USER_PASSWORD_AUTH; nothing saved', async () => {
    await fs.writeFile(home.configFile, '');
    const r = await setup('nosrp', [], PASSWORD_ONLY);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 4,
      stdout: '',
      stderr:
        `cognito-creds: profile "nosrp": app client ${PASSWORD_ONLY}: USER_SRP_AUTH is not enabled for the client. (InvalidParameterException)\n` +
        "  Allow ALLOW_USER_SRP_AUTH in the app client's authentication flows, or set cognito_auth_flow = USER_PASSWORD_AUTH if it allows that (`cognito-creds setup --profile nosrp --auth-flow USER_PASSWORD_AUTH`).\n",
    });
    expect(await fs.readFile(home.configFile, 'utf8')).toBe('');
    // The fix works.
    const fixed = await setup('nosrp', ['--auth-flow', 'USER_PASSWORD_AUTH'], PASSWORD_ONLY);
    expect([fixed.code, fixed.stderr]).toEqual([0, '']);
  });

  it('setup warns about a misspelt key and a same-named credentials-file section, and doctor fails what cannot work', async () => {
    await fs.writeFile(home.configFile, '[profile dev]\ncognito_min_tll = 600\n');
    await fs.writeFile(home.credentialsFile, '[dev]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = not-shown\n');
    const r = await setup('dev');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `cognito-creds: warning: [dev] in ${home.credentialsFile} has aws_access_key_id, aws_secret_access_key: the AWS CLI and SDKs use those instead of cognito-creds for this profile\n` +
        `  Remove the [dev] section from ${home.credentialsFile} (or those keys), or use another profile name.\n` +
        'cognito-creds: warning: profile "dev" has cognito_min_tll (did you mean cognito_min_ttl?), which cognito-creds does not know; setup leaves it as it is, and it is ignored\n' +
        '  Fix the spelling, or remove the line; the keys are listed in docs/configuration.md.\n',
    );
    // Without the credential_process line, too: doctor fails both, names the key meant, labels the endpoints.
    await fs.writeFile(home.configFile, (await fs.readFile(home.configFile, 'utf8')).replace(/^credential_process = .*\n/m, ''));
    const doctor = await runCli(['doctor', '--profile', 'dev'], { env });
    expect([doctor.code, doctor.stderr]).toEqual([1, '']);
    const lines = doctor.stdout.split('\n');
    expect(lines).toContain('warn  profile "dev": cognito-creds does not know cognito_min_tll (did you mean cognito_min_ttl?); it is ignored');
    expect(lines).toContain('FAIL  profile "dev" has no credential_process line: the AWS CLI and SDKs will not call cognito-creds');
    expect(lines).toContain(`FAIL  [dev] in ${home.credentialsFile} has aws_access_key_id, aws_secret_access_key: the AWS CLI and SDKs use those instead of cognito-creds for this profile`);
    expect(lines).toContain(`ok    user pool endpoint ${fake.url} answers (HTTP 400)`);
    expect(lines).toContain(`ok    identity pool endpoint ${fake.url} answers (HTTP 400)`);
    expect(doctor.stdout).not.toContain('not-shown');
    await fs.writeFile(home.credentialsFile, '');
  });

  it('logout and remove word the store in use (the encrypted file, not the keychain)', async () => {
    expect((await setup('filed', ['--auth-flow', 'USER_PASSWORD_AUTH'])).code).toBe(0);
    const logout = await runCli(['logout', '--profile', 'filed'], { env });
    expect([logout.code, logout.stderr]).toEqual([0, '']);
    expect(logout.stdout).toContain('refresh token deleted from the secrets file');
    expect(logout.stdout).not.toContain('keychain');
    const removed = await runCli(['remove', '--profile', 'filed'], { env });
    expect([removed.code, removed.stderr]).toEqual([0, '']);
    expect(removed.stdout).toContain('deleted from the secrets file');
  });

  it('exec hands the command AWS credentials, never cognito-creds\' own secrets', async () => {
    const secrets = { COGNITO_CLIENT_SECRET: 'client-secret-value', COGNITO_TOTP_SECRET: 'JBSWY3DPEHPK3PXP' };
    const r = await runCli(['exec', '--profile', 'dev', '--', process.execPath, '-e', 'process.stdout.write(JSON.stringify(Object.keys(process.env)))'], {
      env: { ...env, ...secrets },
    });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const names = JSON.parse(r.stdout) as string[];
    expect(names).toEqual(expect.arrayContaining(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION']));
    expect(names.filter((n) => /^COGNITO_(CLIENT_SECRET|TOTP_SECRET|CREDS_FILE_PASSPHRASE)$/.test(n))).toEqual([]);
  });
});
