/** exec and export, in-process against the fake Cognito. */
import { describe, expect, it, beforeEach } from 'vitest';
import { shSingleQuote } from '../../../src/output/env-exports.js';
import { useInProcessCli } from '../../support/in-process.js';

const cli = useInProcessCli({ users: [{ username: 'alice', password: 'Passw0rd!' }] });

beforeEach(async () => {
  await cli.writeProfile('region = eu-central-1\n');
  await cli.store.set('dev:password', 'Passw0rd!');
});


describe('exec', () => {
  it('runs the command with the credentials and the region, without AWS_PROFILE', async () => {
    // exec's child inherits the real stdout: capture what it writes through a file instead.
    const out = `${cli.tmp}/child.json`;
    const r = await cli.run(['exec', '--profile', 'dev', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_') || k.startsWith('COGNITO_')))))`], {
      env: {
        AWS_PROFILE: 'dev', AWS_DEFAULT_PROFILE: 'dev', AWS_ACCESS_KEY_ID: 'AKIAOLD',
        COGNITO_CREDS_FILE_PASSPHRASE: 'file-passphrase', COGNITO_CLIENT_SECRET: 'client-secret', COGNITO_TOTP_SECRET: 'JBSWY3DPEHPK3PXP', COGNITO_CREDS_MIN_TTL: '300',
      },
    });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const env = JSON.parse(await (await import('node:fs/promises')).readFile(out, 'utf8')) as Record<string, string>;
    const issued = cli.fake.issued.at(-1)!;
    expect(env.AWS_ACCESS_KEY_ID).toBe(issued.accessKeyId);
    expect(env.AWS_SECRET_ACCESS_KEY).toBe(issued.secretKey);
    expect(env.AWS_SESSION_TOKEN).toBe(issued.sessionToken);
    expect(env.AWS_CREDENTIAL_EXPIRATION).toBe(new Date(issued.expiration * 1000).toISOString().replace('.000Z', 'Z'));
    expect([env.AWS_REGION, env.AWS_DEFAULT_REGION]).toEqual(['eu-central-1', 'eu-central-1']);
    expect(env.COGNITO_CREDS_PROFILE).toBe('dev');
    expect(env).not.toHaveProperty('AWS_PROFILE');
    expect(env).not.toHaveProperty('AWS_DEFAULT_PROFILE');
    // The tool's own secrets stay with the tool; its settings go on.
    for (const name of ['COGNITO_CREDS_FILE_PASSPHRASE', 'COGNITO_CLIENT_SECRET', 'COGNITO_TOTP_SECRET']) expect(env).not.toHaveProperty(name);
    expect(env.COGNITO_CREDS_MIN_TTL).toBe('300');
  });

  it('returns the command\'s exit code', async () => {
    const r = await cli.run(['exec', '--profile', 'dev', '--', process.execPath, '-e', 'process.exit(42)']);
    expect([r.code, r.stderr]).toEqual([42, '']);
  });

  it('a command that does not exist is a clear error', async () => {
    const r = await cli.run(['exec', '--profile', 'dev', '--', 'no-such-command-xyz']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('cognito-creds: profile "dev": cannot run "no-such-command-xyz": command not found\n  Check the command and your PATH.\n');
  });

  it('no command is a usage error, before any sign-in', async () => {
    const r = await cli.run(['exec', '--profile', 'dev', '--']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cognito-creds: exec needs a command to run after --\n  For example: `cognito-creds exec --profile dev -- aws sts get-caller-identity`.\n');
    expect(cli.fake.requests).toHaveLength(0);
  });
});

describe('export', () => {
  it('sh: lines that eval applies, values single-quoted', async () => {
    const r = await cli.run(['export', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const issued = cli.fake.issued.at(-1)!;
    const exp = new Date(issued.expiration * 1000).toISOString().replace('.000Z', 'Z');
    expect(r.stdout).toBe(
      `export AWS_ACCESS_KEY_ID='${issued.accessKeyId}'\nexport AWS_SECRET_ACCESS_KEY='${issued.secretKey}'\nexport AWS_SESSION_TOKEN='${issued.sessionToken}'\n` +
        `export AWS_CREDENTIAL_EXPIRATION='${exp}'\nexport AWS_REGION='eu-central-1'\nexport AWS_DEFAULT_REGION='eu-central-1'\n`,
    );
    // A real sh applies it.
    const { execFileSync } = await import('node:child_process');
    const seen = execFileSync('sh', ['-c', `eval "$1"; printf '%s|%s' "$AWS_SECRET_ACCESS_KEY" "$AWS_REGION"`, 'sh', r.stdout], { encoding: 'utf8' });
    expect(seen).toBe(`${issued.secretKey}|eu-central-1`);
  });

  it.each([
    ['fish', /^set -gx AWS_ACCESS_KEY_ID 'ASIA[A-Z0-9]+';$/m],
    ['powershell', /^\$Env:AWS_ACCESS_KEY_ID = 'ASIA[A-Z0-9]+'$/m],
    ['dotenv', /^AWS_ACCESS_KEY_ID=ASIA[A-Z0-9]+$/m],
  ])('%s', async (format, line) => {
    const r = await cli.run(['export', '--profile', 'dev', '--format', format]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(line);
    expect(r.stdout.trim().split('\n')).toHaveLength(6);
  });

  it('json is the credential_process document', async () => {
    const r = await cli.run(['export', '--profile', 'dev', '--format', 'json']);
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
  });

  it('shSingleQuote survives quotes', () => {
    expect(shSingleQuote(`a'b"$c`)).toBe(`'a'\\''b"$c'`);
  });
});
