/**
 * Setup never takes what the user had: a section with credentials of its own is refused (or, with
 * --force, taken over and said so); a section setup merged into gets back exactly its bytes from
 * remove; a same-named section of the shared credentials file and unknown cognito_* keys are said.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setupArgv } from '../../support/argv.js';
import { SELF_COMMAND, useInProcessCli } from '../../support/in-process.js';

const PASSWORD = 'Ownership-Pw-1!';
const CLIENT = 'fakeclient0000000000000001';
const cli = useInProcessCli({ users: [{ username: 'alice', password: PASSWORD }] });

const setup = (profile: string, extra: string[] = []) =>
  cli.run(
    setupArgv(profile, { userPoolId: cli.fake.userPoolId, clientId: CLIENT, identityPoolId: cli.fake.identityPoolId, username: 'alice' }, ['--auth-flow', 'USER_PASSWORD_AUTH', ...extra]),
    { stdin: `${PASSWORD}\n` },
  );

async function writeConfig(text: string): Promise<void> {
  await fs.mkdir(path.dirname(cli.configFile), { recursive: true });
  await fs.writeFile(cli.configFile, text);
}
const config = () => fs.readFile(cli.configFile, 'utf8');

const STATIC = '[default]\nregion = eu-west-1\n\n[profile work]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = not-a-real-secret\nregion = eu-west-1\noutput = json\n';

describe('a section with credentials of its own', () => {
  it('is refused before any question or request, naming its keys and the way out; nothing changes', async () => {
    await writeConfig(STATIC);
    const r = await setup('work');
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 3,
      stdout: '',
      stderr:
        `cognito-creds: profile "work" in ${cli.configFile} already has aws_access_key_id, aws_secret_access_key, which setup did not write; beside a credential_process line the AWS CLI and SDKs would disagree on which credentials apply\n` +
        '  Choose another profile name (--profile), or pass --force to remove aws_access_key_id, aws_secret_access_key from that section and use cognito-creds there.\n',
    });
    expect(cli.fake.requests).toHaveLength(0);
    expect(await config()).toBe(STATIC);
    expect(cli.store.entries.size).toBe(0);
  });

  it.each([
    ['source_profile = base\nrole_arn = arn:aws:iam::123456789012:role/r\n', 'role_arn, source_profile'],
    ['sso_session = corp\nsso_account_id = 123456789012\n', 'sso_session, sso_account_id'],
    ['credential_process = /usr/local/bin/other-helper --x\n', 'credential_process'],
  ])('%j is refused the same way', async (keys, named) => {
    const text = `[profile work]\n${keys}`;
    await writeConfig(text);
    const r = await setup('work');
    expect(r.code).toBe(3);
    expect(r.stderr.split('\n')[0]).toBe(`cognito-creds: profile "work" in ${cli.configFile} already has ${named}, which setup did not write; beside a credential_process line the AWS CLI and SDKs would disagree on which credentials apply`);
    expect(await config()).toBe(text);
  });

  it('--force takes the section over, removing those keys and saying so; the rest stays', async () => {
    await writeConfig(STATIC);
    const r = await setup('work', ['--force']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')[1]).toBe('Removed from the section (--force): aws_access_key_id, aws_secret_access_key.');
    const text = await config();
    expect(text).not.toContain('aws_access_key_id');
    expect(text).toContain('[profile work]\nregion = eu-west-1\noutput = json\ncredential_process = ');
    expect(text).toContain('cognito_setup_added = credential_process\n');
  });

  it('doctor fails such a profile instead of calling it well', async () => {
    await cli.writeProfile(`credential_process = ${SELF_COMMAND} credential-process --profile dev\naws_access_key_id = AKIAEXAMPLE\n`);
    await cli.store.set('dev:password', PASSWORD);
    const r = await cli.run(['doctor', '--profile', 'dev']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'FAIL  profile "dev" also has aws_access_key_id: beside credential_process, the AWS CLI and SDKs disagree on which credentials apply\n' +
        '      Remove aws_access_key_id from the section, or keep them under another profile name.\n',
    );
  });
});

describe('a section the user had, without credentials', () => {
  it.each([
    ['with its own region', '# mine\n[profile work]\nregion = eu-west-1\noutput = json\n\n[profile other]\noutput = text\n', 'credential_process'],
    ['without a region', '[profile work]\noutput = json\n', 'credential_process region'],
    ['with only a header', '[profile work]\n', 'credential_process region'],
  ])('%s: setup merges and records what it added; remove gives back exactly the bytes it had', async (_, before, added) => {
    await writeConfig(before);
    const r = await setup('work');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(await config()).toContain(`cognito_setup_added = ${added}\n`);
    // Setup again: the record stays what it was.
    expect((await setup('work')).code).toBe(0);
    expect((await config()).match(/^cognito_setup_added = .*$/gm)).toEqual([`cognito_setup_added = ${added}`]);
    const removed = await cli.run(['remove', '--profile', 'work']);
    expect([removed.code, removed.stderr]).toEqual([0, '']);
    expect(removed.stdout).toBe(
      `profile "work": its cognito-creds keys removed from ${cli.configFile} (the section and its other keys stay); password, refresh token deleted from the keychain; cached credentials deleted.\n`,
    );
    expect(await config()).toBe(before);
    expect(cli.store.entries.size).toBe(0);
  });

  it('a section setup created has no record, and remove deletes it whole', async () => {
    await writeConfig('[profile other]\noutput = text\n');
    expect((await setup('fresh')).code).toBe(0);
    expect(await config()).not.toContain('cognito_setup_added');
    const removed = await cli.run(['remove', '--profile', 'fresh']);
    expect(removed.stdout.startsWith(`profile "fresh": section removed from ${cli.configFile}; `)).toBe(true);
    expect(await config()).toBe('[profile other]\noutput = text\n');
  });
});

describe('what setup says about the profile as it stands', () => {
  it('names a same-named section of the shared credentials file, which wins, and still sets up', async () => {
    await writeConfig('');
    const credentials = path.join(cli.tmp, 'credentials');
    await fs.writeFile(credentials, '[dev]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = not-shown\n');
    const r = await setup('dev');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `cognito-creds: warning: [dev] in ${credentials} has aws_access_key_id, aws_secret_access_key: the AWS CLI and SDKs use those instead of cognito-creds for this profile\n` +
        `  Remove the [dev] section from ${credentials} (or those keys), or use another profile name.\n`,
    );
    expect(r.stderr).not.toContain('not-shown');
  });

  it('names cognito_* keys it does not know, with the one meant', async () => {
    await writeConfig('[profile dev]\ncognito_min_tll = 600\n');
    const r = await setup('dev');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'cognito-creds: warning: profile "dev" has cognito_min_tll (did you mean cognito_min_ttl?), which cognito-creds does not know; setup leaves it as it is, and it is ignored\n' +
        '  Fix the spelling, or remove the line; the keys are listed in docs/configuration.md.\n',
    );
  });
});
