/** doctor and completion, in-process against the fake Cognito. */
import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keychainError } from '../../../src/secrets/keytar-store.js';
import { useInProcessCli } from '../../support/in-process.js';

const cli = useInProcessCli({ users: [{ username: 'alice', password: 'Passw0rd!' }] });

describe('doctor', () => {
  it('passes every check of a working profile, one line each', async () => {
    await cli.writeProfile('credential_process = cognito-creds credential-process --profile dev\n');
    await cli.store.set('dev:password', 'Passw0rd!');
    const r = await cli.run(['doctor', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      [
        `ok    config file ${cli.configFile} is readable`,
        'ok    profile "dev": every cognito_* key is present and well-formed (user alice, flow USER_SRP_AUTH)',
        'ok    profile "dev": credential_process runs cognito-creds',
        'ok    keychain reachable (D-Bus Secret Service)',
        'ok    profile "dev": password stored',
        'ok    profile "dev": client secret not stored (needed only if the app client has a secret / the user has TOTP MFA)',
        'ok    profile "dev": TOTP secret not stored (needed only if the app client has a secret / the user has TOTP MFA)',
        `ok    cache directory ${cli.cacheDir} does not exist yet (created on the first sign-in)`,
        `ok    user pool endpoint ${cli.fake.url} answers (HTTP 400)`,
        `ok    identity pool endpoint ${cli.fake.url} answers (HTTP 400)`,
        '',
        'All checks passed.',
        '',
      ].join('\n'),
    );
    expect(r.stdout).not.toContain('Passw0rd!');
  });

  it('fails, names the Secret Service and the dead endpoint, and exits non-zero', async () => {
    await cli.writeProfile('cognito_user_pool_id = bad\n');
    const failing = {
      get: async () => {
        throw keychainError('read', new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'), 'linux');
      },
      set: async () => undefined,
      delete: async () => false,
    };
    const r = await cli.run(['doctor', '--profile', 'dev'], { secrets: async () => failing, env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('FAIL  cannot read the keychain: no usable D-Bus Secret Service (Cannot autolaunch D-Bus without X11 $DISPLAY)');
    expect(lines.some((l) => l.startsWith('      Unlock your desktop keyring. With none (a headless box, WSL): run `dbus-run-session -- bash`'))).toBe(true);
    expect(lines).toContain('FAIL  profile "dev" has no credential_process line: the AWS CLI and SDKs will not call cognito-creds');
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ check\(s\) failed\.$/);
  });

  it('names a dead endpoint', async () => {
    await cli.writeProfile();
    await cli.store.set('dev:password', 'Passw0rd!');
    const r = await cli.run(['doctor', '--profile', 'dev'], { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL  user pool endpoint http://127.0.0.1:9 does not answer: connection refused\n      Check your network or proxy (HTTPS_PROXY, NO_PROXY), and AWS_ENDPOINT_URL if you set it.\n');
  });

  it('probes through the proxy the sign-in would use, and names it', async () => {
    await cli.writeProfile();
    await cli.store.set('dev:password', 'Passw0rd!');
    // The endpoint is dead; the "proxy" (the fake, which answers any request) is not.
    const r = await cli.run(['doctor', '--profile', 'dev'], { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', HTTP_PROXY: cli.fake.url } });
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.includes('127.0.0.1:9'))).toEqual([
      `ok    user pool endpoint http://127.0.0.1:9 through the proxy ${cli.fake.url}/ answers (HTTP 400)`,
      `ok    identity pool endpoint http://127.0.0.1:9 through the proxy ${cli.fake.url}/ answers (HTTP 400)`,
    ]);
  });

  it('names cognito_* keys it does not know, with the one meant, as a warning', async () => {
    await cli.writeProfile('credential_process = cognito-creds credential-process --profile dev\ncognito_min_tll = 600\ncognito_colour = blue\n');
    await cli.store.set('dev:password', 'Passw0rd!');
    const r = await cli.run(['doctor', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(
      'warn  profile "dev": cognito-creds does not know cognito_min_tll (did you mean cognito_min_ttl?), cognito_colour; they are ignored\n' +
        '      Fix the spelling, or remove the line; the keys are listed in docs/configuration.md.\n',
    );
  });

  it('fails when the shared credentials file has keys for the same profile, which win over credential_process', async () => {
    await cli.writeProfile('credential_process = cognito-creds credential-process --profile dev\n');
    await cli.store.set('dev:password', 'Passw0rd!');
    const credentials = `${cli.tmp}/credentials`;
    await fs.writeFile(credentials, '[other]\naws_access_key_id = AKIAOTHER\n[dev]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = not-shown\n');
    const r = await cli.run(['doctor', '--profile', 'dev']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `FAIL  [dev] in ${credentials} has aws_access_key_id, aws_secret_access_key: the AWS CLI and SDKs use those instead of cognito-creds for this profile\n` +
        `      Remove the [dev] section from ${credentials} (or those keys), or use another profile name.\n`,
    );
    expect(r.stdout).not.toContain('not-shown');
    expect(r.stdout).not.toContain('AKIA');
    // Other keys only: a warning.
    await fs.writeFile(credentials, '[dev]\nregion = eu-west-1\n');
    const warned = await cli.run(['doctor', '--profile', 'dev']);
    expect(warned.stdout).toContain(`warn  [dev] in ${credentials} sets region for this profile too (they override the config file's)\n`);
  });

  it('flags cache files others can read', async () => {
    await cli.writeProfile();
    await fs.mkdir(cli.cacheDir, { recursive: true, mode: 0o700 });
    await fs.writeFile(`${cli.cacheDir}/x.json`, '{}', { mode: 0o644 });
    await fs.chmod(`${cli.cacheDir}/x.json`, 0o644);
    const r = await cli.run(['doctor', '--profile', 'dev']);
    expect(r.stdout).toContain(`FAIL  cache directory ${cli.cacheDir}: 1 file(s) readable by others (x.json)\n`);
  });
});

describe('completion', () => {
  it('prints a completion script naming cognito-creds', async () => {
    // yargs reads $SHELL from the process itself.
    process.env.SHELL = '/bin/bash';
    const r = await cli.run(['completion']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complete -o bashdefault -o default -F _cognito-creds_yargs_completions cognito-creds');
    process.env.SHELL = '/usr/bin/zsh';
    const zsh = await cli.run(['completion']);
    expect(zsh.stdout.startsWith('#compdef cognito-creds\n')).toBe(true);
  });

  it('completes profile names after --profile, and commands', async () => {
    await cli.writeProfile('\n[profile team.dev-1]\nregion = x\n[default]\nregion = y\n');
    const profiles = await cli.run(['--get-yargs-completions', 'cognito-creds', 'credential-process', '--profile', '']);
    expect(profiles.stdout).toBe('default\ndev\nteam.dev-1\n');
    const commands = await cli.run(['--get-yargs-completions', 'cognito-creds', '']);
    expect(commands.stdout.split('\n')).toEqual(expect.arrayContaining(['credential-process', 'setup', 'exec', 'export', 'doctor', 'status', 'logout', 'remove']));
  });
});
