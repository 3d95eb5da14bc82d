/**
 * The command line's small edges, against the built binary: a closed stdout, exec without `--`,
 * suggestions for misspelt commands and flags, help at the terminal's width, completion of the
 * documented flags, and Ctrl-C and a new passphrase at real prompts (a pseudo-terminal).
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCognito } from '../fake-cognito/server.js';
import { CLI_BIN, makeTestHome, runCli, type TestHome } from '../support/env.js';
import { ptyLines, runOnPty } from '../support/pty.js';

const CLIENT = 'fakeclient0000000000000001';
const PASSWORD = 'Usage-Pw-1!';
const USAGE_HINT = '  Run `cognito-creds --help` for the commands and their options.\n';

let home: TestHome;
let fake: FakeCognito;
beforeAll(async () => {
  home = await makeTestHome();
  fake = new FakeCognito({ users: [{ username: 'alice', password: PASSWORD }] });
  await fake.start();
});
afterAll(async () => {
  await fake?.stop();
  await home?.cleanup();
});

/** Run the CLI with the read end of its stdout closed before it writes: every write meets EPIPE. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env: home.env, cwd: home.home, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a reader that closed the pipe (`cognito-creds doctor | head -1`)', () => {
  it('ends every command quietly, with the exit code it would have had', async () => {
    await fs.writeFile(home.configFile, '[profile other]\nregion = eu-west-1\n');
    expect(await withClosedStdout(['--help'])).toEqual({ code: 0, stderr: '' });
    expect(await withClosedStdout(['completion'])).toEqual({ code: 0, stderr: '' });
    expect(await withClosedStdout(['status'])).toEqual({ code: 0, stderr: '' });
    // doctor fails (no such profile) but says nothing of the pipe.
    const doctor = await withClosedStdout(['doctor', '--profile', 'nope']);
    expect(doctor).toEqual({ code: 1, stderr: '' }); // 1: checks failed, as with an open stdout
  });
});

describe('usage mistakes, each with the fix', () => {
  const env = () => home.env;
  it('exec without -- says where the -- goes, and runs nothing', async () => {
    const r = await runCli(['exec', '--profile', 'dev', 'ls', '-la'], { env: env() });
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cognito-creds: exec runs the command written after `--`; "ls" comes before it\n  Run `cognito-creds exec --profile dev -- ls -la`.\n',
    });
    const quoted = await runCli(['exec', 'echo', "it's"], { env: env() });
    expect(quoted.stderr).toBe(`cognito-creds: exec runs the command written after \`--\`; "echo" comes before it\n  Run \`cognito-creds exec -- echo 'it'\\''s'\`.\n`);
  });

  it('a misspelt command or flag gets a suggestion; one far from any gets none', async () => {
    const cases: [string[], string][] = [
      [['stup'], 'cognito-creds: unknown command "stup"; did you mean setup?\n'],
      [['xyz'], 'cognito-creds: unknown command "xyz"\n'],
      [['setup', '--verfy'], 'cognito-creds: Unknown argument: verfy; did you mean --verify?\n'],
      [['setup', '--no-verfy'], 'cognito-creds: Unknown argument: verfy; did you mean --no-verify?\n'],
      [['setup', '--user-pol-id', 'x'], 'cognito-creds: Unknown argument: user-pol-id; did you mean --user-pool-id?\n'],
      [['credential-process', '--profil', 'dev'], 'cognito-creds: Unknown argument: profil; did you mean --profile?\n'],
      [['doctor', '--bogus'], 'cognito-creds: Unknown argument: bogus\n'],
    ];
    for (const [argv, line] of cases) {
      const r = await runCli(argv, { env: env() });
      expect({ argv, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ argv, code: 2, stdout: '', stderr: line + USAGE_HINT });
    }
  });

  it('completion offers the documented flags (--no-verify), and `completion --help` is help, not the script', async () => {
    const r = await runCli(['--get-yargs-completions', 'cognito-creds', 'setup', '--'], { env: env() });
    const offered = r.stdout.trim().split('\n');
    expect(offered).toContain('--no-verify');
    expect(offered).not.toContain('--verify');
    expect(offered).toContain('--password-stdin');
    const help = await runCli(['completion', '--help'], { env: env() });
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n').slice(0, 3)).toEqual(['cognito-creds completion', '', 'Print a bash or zsh completion script (zsh when $SHELL is zsh)']);
    expect(help.stdout).not.toContain('###-begin');
  });

  it('help fits the terminal: 80 columns into a pipe, the full width of a wide terminal', async () => {
    const piped = await runCli(['setup', '--help'], { env: env() });
    const pipedWidth = Math.max(...piped.stdout.split('\n').map((l) => l.length));
    expect(pipedWidth).toBeLessThanOrEqual(80);
    const wide = await runOnPty({ argv: [process.execPath, CLI_BIN, 'setup', '--help'], env: env(), cols: 160 });
    expect(wide.code).toBe(0);
    const wideWidth = Math.max(...ptyLines(wide.output).map((l) => l.length));
    expect(wideWidth).toBeGreaterThan(100);
    expect(wideWidth).toBeLessThanOrEqual(160);
  });
});

describe('prompts on a terminal', () => {
  const ids = () => ({ pool: fake.userPoolId, identity: fake.identityPoolId });
  const cancelledLines = ['cognito-creds: setup was cancelled', '  Nothing was saved; run setup again when you are ready.'];

  it('Ctrl-C at a shown prompt and at the hidden password prompt: the same message, exit 130, nothing saved', async () => {
    await fs.writeFile(home.configFile, '');
    const shown = await runOnPty({
      argv: [process.execPath, CLI_BIN, 'setup', '--profile', 'dev'],
      env: { ...home.env, AWS_ENDPOINT_URL: fake.url },
      steps: [{ expect: 'User pool id: ', send: '\u0003' }],
    });
    const hidden = await runOnPty({
      // The file store (no keyring in this file): the store is opened before the password is asked.
      argv: [process.execPath, CLI_BIN, 'setup', '--profile', 'dev', '--user-pool-id', ids().pool, '--client-id', CLIENT, '--identity-pool-id', ids().identity, '--username', 'alice', '--secret-store', 'file'],
      env: { ...home.env, AWS_ENDPOINT_URL: fake.url, COGNITO_CREDS_FILE_PASSPHRASE: 'usage-test-passphrase' },
      steps: [
        { expect: 'Role ARN (Enter to skip): ', send: '\r' },
        { expect: 'Password (not shown): ', send: '\u0003' },
      ],
    });
    for (const r of [shown, hidden]) {
      expect({ code: r.code, failedStep: r.failedStep, timedOut: r.timedOut }).toEqual({ code: 130, failedStep: null, timedOut: false });
      expect(ptyLines(r.output).filter((l) => l.startsWith('cognito-creds:') || l.startsWith('  '))).toEqual(cancelledLines);
    }
    expect(await fs.readFile(home.configFile, 'utf8')).toBe('');
  });

  it('a new secrets file asks its passphrase twice; two that differ save nothing', async () => {
    const secretsFile = path.join(home.home, '.local', 'share', 'cognito-creds', 'secrets.json');
    const argv = [process.execPath, CLI_BIN, 'setup', '--profile', 'filed', '--user-pool-id', ids().pool, '--client-id', CLIENT,
      '--identity-pool-id', ids().identity, '--username', 'alice', '--secret-store', 'file', '--auth-flow', 'USER_PASSWORD_AUTH'];
    const env = { ...home.env, AWS_ENDPOINT_URL: fake.url };
    delete (env as Record<string, string | undefined>).XDG_DATA_HOME;
    const typed = (again: string) => [
      { expect: 'Role ARN (Enter to skip): ', send: '\r' },
      { expect: 'Password (not shown): ', send: `${PASSWORD}\r` },
      { expect: 'App client secret (not shown; Enter if the app client has none): ', send: '\r' },
      { expect: 'TOTP secret (base32) (not shown; Enter if the user has no TOTP MFA): ', send: '\r' },
      { expect: `a new passphrase for ${secretsFile}: `, send: 'correct horse\r' },
      { expect: 'the same passphrase again: ', send: `${again}\r` },
    ];
    await fs.writeFile(home.configFile, '');
    const differ = await runOnPty({ argv, env, steps: typed('correct h0rse') });
    expect({ code: differ.code, failedStep: differ.failedStep }).toEqual({ code: 2, failedStep: null });
    expect(ptyLines(differ.output).filter((l) => l.startsWith('cognito-creds: the two') || l.startsWith('  Run'))).toEqual([
      `cognito-creds: the two passphrases for the new secrets file ${secretsFile} differ; nothing was saved`,
      '  Run setup again and type the same passphrase twice.',
    ]);
    await expect(fs.stat(secretsFile)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.readFile(home.configFile, 'utf8')).toBe('');

    const same = await runOnPty({ argv, env, steps: typed('correct horse') });
    expect({ code: same.code, failedStep: same.failedStep }).toEqual({ code: 0, failedStep: null });
    expect((await fs.stat(secretsFile)).mode & 0o777).toBe(0o600);
    expect(await fs.readFile(home.configFile, 'utf8')).toContain('[profile filed]');
  });
});
