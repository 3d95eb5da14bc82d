/**
 * Fault-matrix rows for config files that botocore and the JS SDK read differently (issue 13), in
 * process against the fake Cognito. setup and remove refuse to edit such a file, naming the line
 * and why, and leave it byte for byte as it was, the keychain too; reading follows botocore. Each
 * failing row asserts the exit code, an EMPTY stdout, the exact stderr and a bound on the time.
 * The rows for a config path that is no regular file are in test/e2e/matrix-config-files.e2e.test.ts.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useInProcessCli, type Run } from '../../support/in-process.js';
import { setupArgv } from '../../support/argv.js';

const PASSWORD = 'Matrix-Pw-1!';
const CLIENT = 'fakeclient0000000000000001';
const FAST_MS = 3_000;

const cli = useInProcessCli({ users: [{ username: 'alice', password: PASSWORD }], clients: [{ clientId: CLIENT }] });

function expectFailure(r: Run, code: number, stderr: string, maxMs = FAST_MS): void {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
  expect(r.stderr).toBe(stderr);
  expect(r.ms).toBeLessThan(maxMs);
}

function settings(): string {
  return (
    `cognito_user_pool_id = ${cli.fake.userPoolId}\ncognito_client_id = ${CLIENT}\n` +
    `cognito_identity_pool_id = ${cli.fake.identityPoolId}\ncognito_username = alice\n`
  );
}

async function writeConfig(content: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(cli.configFile), { recursive: true });
  await fs.writeFile(cli.configFile, content);
}

const setup = () =>
  cli.run(setupArgv('dev', { userPoolId: cli.fake.userPoolId, clientId: CLIENT, identityPoolId: cli.fake.identityPoolId, username: 'alice' }), {
    stdin: `${PASSWORD}\n`,
  });

const awsDir = async () => (await fs.readdir(path.dirname(cli.configFile))).sort();

describe('a header botocore and the JS SDK read differently: setup and remove refuse, the file and the keychain as they were', () => {
  // Each used to make setup append a second [profile dev], after which botocore refused the file.
  const FORMS: [string, string][] = [
    ['[profile  dev]', 'botocore reads the header of profile "dev", the JS SDK a header that holds no profile'],
    ['[profile dev]# mine', 'botocore reads the header of profile "dev", the JS SDK no section header'],
    ['[profile dev] ; mine ]', 'botocore reads the header of section "profile dev] ; mine ", which holds no profile, the JS SDK the header of profile "dev"'],
  ];

  it.each(FORMS)('setup with %s: exit 3 after the sign-in, nothing changed', async (header, why) => {
    const before = `# mine\n[default]\nregion = eu-west-1\n\n${header}\n${settings()}`;
    await writeConfig(before);
    await cli.store.set('dev:password', 'old-password');
    const r = await setup();
    expectFailure(r, 3, `cognito-creds: profile "dev": cannot write the profile: line 5 ${JSON.stringify(header)}: ${why}\n  Nothing was changed; see docs/troubleshooting.md.\n`);
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe(before);
    expect(await awsDir()).toEqual(['config']);
    expect(Object.fromEntries(cli.store.entries)).toEqual({ 'dev:password': 'old-password' });
  });

  it('setup into a file botocore refuses (a section named twice): exit 3, the line named', async () => {
    const before = `[profile dev]\n${settings()}\n[profile dev]\nregion = us-east-1\n`;
    await writeConfig(before);
    const r = await setup();
    expectFailure(
      r,
      3,
      'cognito-creds: profile "dev": cannot write the profile: line 7 "[profile dev]": it repeats the section [profile dev] of line 1, ' +
        'so botocore (the AWS CLI, boto3) refuses the whole file\n  Nothing was changed; see docs/troubleshooting.md.\n',
    );
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe(before);
    expect(cli.store.entries.size).toBe(0);
    // Found before the verifying sign-in: no request was spent on it.
    expect(cli.fake.requests).toHaveLength(0);
  });

  it('remove with a header the two read differently: exit 3, the section and the password kept', async () => {
    const before = `[profile\t dev]\n${settings()}`;
    await writeConfig(before);
    await cli.store.set('dev:password', PASSWORD);
    const r = await cli.run(['remove', '--profile', 'dev']);
    expectFailure(
      r,
      3,
      `cognito-creds: cannot edit the AWS config file ${cli.configFile}: line 1 "[profile\\t dev]": botocore reads the header of profile "dev", ` +
        'the JS SDK a header that holds no profile; it was left as it was\n' +
        '  Fix that line by hand (docs/configuration.md lists the header forms both read), then run the command again.\n',
    );
    expect(await fs.readFile(cli.configFile, 'utf8')).toBe(before);
    expect(Object.fromEntries(cli.store.entries)).toEqual({ 'dev:password': PASSWORD });
  });
});

describe('the config file read as botocore reads it, every other byte kept', () => {
  it('credential-process reads [profile dev] with text after the `]` as botocore does', async () => {
    await writeConfig(`[profile dev]# the team's\n${settings()}`);
    await cli.store.set('dev:password', PASSWORD);
    const r = await cli.run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ Version: 1 });
  });

  it('credential-process does not take [profile dev] # … ] (botocore reads no profile "dev" there)', async () => {
    await writeConfig(`[profile dev] # the team's ]\n${settings()}`);
    const r = await cli.run(['credential-process', '--profile', 'dev']);
    expectFailure(
      r,
      3,
      `cognito-creds: profile "dev" is not in ${cli.configFile}\n  Run \`cognito-creds setup --profile dev\`, or check the name (--profile, AWS_PROFILE).\n`,
    );
    expect(cli.fake.requests).toHaveLength(0);
  });

  it('setup keeps invalid UTF-8 and every other byte of the file', async () => {
    const before = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\n[profile other]\nk = '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    await writeConfig(before);
    const r = await setup();
    expect([r.code, r.stderr]).toEqual([0, '']);
    const after = await fs.readFile(cli.configFile);
    expect(after.subarray(0, before.length)).toEqual(before);
    expect(after.subarray(before.length).toString('utf8')).toMatch(/^\n\[profile dev\]\ncredential_process = .*\ncognito_user_pool_id = /);
  });
});
