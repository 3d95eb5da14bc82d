/**
 * setup at a real terminal (a pseudo-terminal), as a new user meets it: a bad or empty answer is
 * explained and asked again, a second run keeps every value (the stored password too) on Enter,
 * and --password-stdin typed at a terminal is read hidden. The file store keeps this file free
 * of a keyring; the fake Cognito answers.
 */
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCognito } from '../fake-cognito/server.js';
import { CLI_BIN, makeTestHome, runCli, type TestHome } from '../support/env.js';
import { ptyLines, runOnPty, type PtyStep } from '../support/pty.js';

const CLIENT = 'fakeclient0000000000000001';
const PASSWORD = 'Interactive-Pw-1!';

let home: TestHome;
let fake: FakeCognito;
let env: Record<string, string>;
beforeAll(async () => {
  home = await makeTestHome();
  fake = new FakeCognito({ users: [{ username: 'alice', password: PASSWORD }] });
  await fake.start();
  env = { ...home.env, AWS_ENDPOINT_URL: fake.url, COGNITO_CREDS_FILE_PASSPHRASE: 'interactive-test-passphrase' };
});
afterAll(async () => {
  await fake?.stop();
  await home?.cleanup();
});

const setupOnPty = (args: string[], steps: PtyStep[]) =>
  runOnPty({ argv: [process.execPath, CLI_BIN, 'setup', '--profile', 'dev', '--secret-store', 'file', '--auth-flow', 'USER_PASSWORD_AUTH', ...args], env, steps });

/** The optional secrets' prompts, skipped. */
const NO_OPTIONAL_SECRETS: PtyStep[] = [
  { expect: 'App client secret (not shown; Enter if the app client has none): ', send: '\r' },
  { expect: 'TOTP secret (base32) (not shown; Enter if the user has no TOTP MFA): ', send: '\r' },
];

describe('setup at a terminal', () => {
  it('explains a bad or empty answer and asks again, keeping the other answers', async () => {
    await fs.writeFile(home.configFile, '');
    const r = await setupOnPty([], [
      { expect: 'User pool id: ', send: 'bad\r' },
      { expect: 'User pool id: ', send: `${fake.userPoolId}\r` },
      { expect: 'App client id: ', send: '\r' },
      { expect: 'App client id: ', send: `${CLIENT}\r` },
      { expect: 'Identity pool id: ', send: `${fake.identityPoolId}\r` },
      { expect: 'Username: ', send: '#alice\r' },
      { expect: 'Username: ', send: 'alice\r' },
      { expect: 'Role ARN (Enter to skip): ', send: '\r' },
      { expect: 'Password (not shown): ', send: '\r' },
      { expect: 'Password (not shown): ', send: `${PASSWORD}\r` },
      ...NO_OPTIONAL_SECRETS,
    ]);
    expect({ code: r.code, failedStep: r.failedStep }).toEqual({ code: 0, failedStep: null });
    expect(ptyLines(r.output).filter((l) => l.startsWith('  '))).toEqual([
      '  "bad" is not a user pool id (REGION_ID, for example us-east-1_AbCdEf123); type it again (Ctrl-C cancels setup).',
      '  The app client id is needed: type it (Ctrl-C cancels setup).',
      '  "#alice" starts with # or ;, which the config file would read as the start of a comment; type it again (Ctrl-C cancels setup).',
      '  The password is needed: type it (Ctrl-C cancels setup).',
    ]);
    expect(r.output).not.toContain(PASSWORD);
    const config = await fs.readFile(home.configFile, 'utf8');
    expect(config).toContain(`[profile dev]\n`);
    expect(config).toContain(`cognito_user_pool_id = ${fake.userPoolId}\n`);
    expect(config).toContain('cognito_username = alice\n');
  });

  it('a second run keeps each value on Enter, the stored password included, and signs in with it', async () => {
    const before = fake.count('InitiateAuth');
    const r = await setupOnPty([], [
      { expect: `User pool id [${fake.userPoolId}]: `, send: '\r' },
      { expect: `App client id [${CLIENT}]: `, send: '\r' },
      { expect: `Identity pool id [${fake.identityPoolId}]: `, send: '\r' },
      { expect: 'Username [alice]: ', send: '\r' },
      { expect: 'Role ARN (Enter to skip): ', send: '\r' },
      { expect: 'Password (not shown; Enter keeps the stored one): ', send: '\r' },
      ...NO_OPTIONAL_SECRETS,
    ]);
    expect({ code: r.code, failedStep: r.failedStep }).toEqual({ code: 0, failedStep: null });
    expect(fake.count('InitiateAuth')).toBe(before + 1); // verified with the stored password
    expect(ptyLines(r.output).some((l) => l.startsWith('profile "dev" saved in '))).toBe(true);
  });

  it('--password-stdin typed at a terminal is read hidden, not echoed, and needs no Ctrl-D', async () => {
    const r = await setupOnPty(
      ['--user-pool-id', fake.userPoolId, '--client-id', CLIENT, '--identity-pool-id', fake.identityPoolId, '--username', 'alice', '--password-stdin'],
      [{ expect: 'Password (not shown): ', send: `${PASSWORD}\r` }],
    );
    expect({ code: r.code, failedStep: r.failedStep, timedOut: r.timedOut }).toEqual({ code: 0, failedStep: null, timedOut: false });
    expect(r.output).not.toContain(PASSWORD);
  });
});

describe('a verification that fails at a terminal', () => {
  it('shows the refusal and lets the person correct the answers instead of starting over', async () => {
    await fs.writeFile(home.configFile, '');
    const r = await setupOnPty(['--user-pool-id', fake.userPoolId, '--client-id', CLIENT, '--identity-pool-id', fake.identityPoolId], [
      { expect: 'Username: ', send: 'alcie\r' },
      { expect: 'Role ARN (Enter to skip): ', send: '\r' },
      { expect: 'Password (not shown): ', send: 'wrong-password\r' },
      ...NO_OPTIONAL_SECRETS,
      { expect: 'Correct the answers and sign in again? [Y/n] ', send: '\r' },
      { expect: 'Username [alcie]: ', send: 'alice\r' },
      { expect: 'Role ARN (Enter to skip): ', send: '\r' },
      { expect: 'Password (not shown; Enter keeps the one typed before): ', send: '\r' },
      ...NO_OPTIONAL_SECRETS,
      { expect: 'Correct the answers and sign in again? [Y/n] ', send: 'y\r' },
      { expect: 'Username [alice]: ', send: '\r' },
      { expect: 'Role ARN (Enter to skip): ', send: '\r' },
      { expect: 'Password (not shown; Enter keeps the one typed before): ', send: `${PASSWORD}\r` },
      ...NO_OPTIONAL_SECRETS,
    ]);
    expect({ code: r.code, failedStep: r.failedStep }).toEqual({ code: 0, failedStep: null });
    const lines = ptyLines(r.output).filter((l) => l.startsWith('cognito-creds:'));
    expect(lines).toEqual([
      'cognito-creds: profile "dev": user "alcie" does not exist in user pool ' + fake.userPoolId + ' (UserNotFoundException)',
      'cognito-creds: profile "dev": Cognito refused the sign-in of "alice": Incorrect username or password. (NotAuthorizedException)',
    ]);
    expect(await fs.readFile(home.configFile, 'utf8')).toContain('cognito_username = alice\n');
  });

  it('"n" ends setup with the refusal\'s exit code, nothing saved', async () => {
    await fs.writeFile(home.configFile, '');
    const r = await setupOnPty(['--user-pool-id', fake.userPoolId, '--client-id', CLIENT, '--identity-pool-id', fake.identityPoolId, '--username', 'alice'], [
      { expect: 'Role ARN (Enter to skip): ', send: '\r' },
      { expect: 'Password (not shown): ', send: 'wrong-password\r' },
      ...NO_OPTIONAL_SECRETS,
      { expect: 'Correct the answers and sign in again? [Y/n] ', send: 'n\r' },
    ]);
    expect({ code: r.code, failedStep: r.failedStep }).toEqual({ code: 4, failedStep: null });
    expect(ptyLines(r.output).filter((l) => l.startsWith('cognito-creds:'))).toEqual([
      'cognito-creds: profile "dev": Cognito refused the sign-in of "alice": Incorrect username or password. (NotAuthorizedException)',
      'cognito-creds: profile "dev": setup stopped after the refusal above; nothing was saved',
    ]);
    expect(await fs.readFile(home.configFile, 'utf8')).toBe('');
  });
});

describe('the built binary never takes what the user had', () => {
  const scripted = (profile: string, extra: string[] = []) =>
    runCli(['setup', '--profile', profile, '--user-pool-id', fake.userPoolId, '--client-id', CLIENT, '--identity-pool-id', fake.identityPoolId,
      '--username', 'alice', '--auth-flow', 'USER_PASSWORD_AUTH', '--secret-store', 'file', '--password-stdin', ...extra], { env, input: `${PASSWORD}\n` });

  it('refuses a section with static keys, and gives back the bytes of one it merged into after remove', async () => {
    const mine = '[profile work]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = not-a-secret\n\n[profile plain]\noutput = json\nregion = eu-west-1\n';
    await fs.writeFile(home.configFile, mine);
    const refused = await scripted('work');
    expect({ code: refused.code, stdout: refused.stdout }).toEqual({ code: 3, stdout: '' });
    expect(refused.stderr.split('\n')[0]).toBe(
      `cognito-creds: profile "work" in ${home.configFile} already has aws_access_key_id, aws_secret_access_key, which setup did not write; beside a credential_process line the AWS CLI and SDKs would disagree on which credentials apply`,
    );
    expect(await fs.readFile(home.configFile, 'utf8')).toBe(mine);

    const merged = await scripted('plain');
    expect([merged.code, merged.stderr]).toEqual([0, '']);
    expect(await fs.readFile(home.configFile, 'utf8')).toContain('cognito_setup_added = credential_process\n');
    const removed = await runCli(['remove', '--profile', 'plain'], { env });
    expect([removed.code, removed.stderr]).toEqual([0, '']);
    expect(await fs.readFile(home.configFile, 'utf8')).toBe(mine);
  });
});
