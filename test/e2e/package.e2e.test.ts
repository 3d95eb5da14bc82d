/**
 * The package as people install it: `npm pack`, `npm install -g` of the tarball into a temporary
 * prefix, then `cognito-creds --help`, setup and credential-process from there (against the fake
 * Cognito, with a private keyring).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeCognito } from '../fake-cognito/server.js';
import { makeTestHome, REPO_ROOT, runCommand, type TestHome } from '../support/env.js';
import { startKeyring, type Keyring } from '../support/keyring.js';
import { describeWith } from '../support/tools.js';

describeWith(['keyring'], 'the installed package', () => {
  let work: string;
  let bin: string;
  let home: TestHome;
  let keyring: Keyring;
  let fake: FakeCognito;
  let env: Record<string, string>;
  let files: string[];

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-pkg-'));
    // npm needs the machine's own settings (registry, proxy, CA certificates); it reads no AWS
    // or keychain state. The installed CLI runs below in the hermetic test home.
    const npmEnv = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
    // dist/ is built by `npm test` already; --ignore-scripts keeps prepack from rebuilding it under the other tests' feet.
    const pack = await runCommand('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { env: npmEnv, cwd: REPO_ROOT, timeoutMs: 60_000 });
    expect(pack.code, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = info!.files.map((f) => f.path).sort();
    const prefix = path.join(work, 'prefix');
    // npm 11 runs a dependency's install script only when allowed: keytar builds its native module.
    const install = await runCommand(
      'npm',
      ['install', '-g', '--prefix', prefix, '--allow-scripts=keytar', '--no-audit', '--no-fund', '--loglevel=error', path.join(work, info!.filename)],
      { env: npmEnv, cwd: work, timeoutMs: 240_000 },
    );
    expect(install.code, install.stderr).toBe(0);
    bin = path.join(prefix, 'bin', 'cognito-creds');
    fake = new FakeCognito({ users: [{ username: 'alice', password: 'Inst4lled-Pw!' }] });
    await fake.start();
    home = await makeTestHome();
    keyring = await startKeyring(home.home);
    env = { ...home.env, ...keyring.env, AWS_ENDPOINT_URL: fake.url };
  }, 300_000);
  afterAll(async () => {
    await keyring?.stop();
    await fake?.stop();
    await home?.cleanup();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('holds only what is needed', () => {
    expect(files).toContain('bin/cognito-creds.cjs');
    expect(files).toContain('dist/cognito-creds.cjs');
    expect(files).toContain('dist/provider.cjs');
    expect(files).toContain('dist/parser.cjs');
    expect(files).toContain('README.md');
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('dist/test/') || f.startsWith('dist/scripts/') || f.startsWith('dist/src/') || f.startsWith('src/') || f.endsWith('.ts'))).toEqual([]);
  });

  it('runs --help from the prefix', async () => {
    const r = await runCommand(bin, ['--help'], { env });
    expect(r.code).toBe(0);
    for (const command of ['credential-process', 'setup', 'remove', 'logout', 'status', 'exec', 'export', 'doctor', 'completion']) {
      expect(r.stdout).toContain(`cognito-creds ${command}`);
    }
  });

  it('sets up a profile and serves credentials from the prefix', async () => {
    const setup = await runCommand(
      bin,
      ['setup', '--profile', 'inst', '--user-pool-id', fake.userPoolId, '--client-id', fake.clientId, '--identity-pool-id', fake.identityPoolId, '--username', 'alice', '--password-stdin'],
      { env, input: 'Inst4lled-Pw!\n' },
    );
    expect([setup.code, setup.stderr]).toEqual([0, '']);
    const config = await fs.readFile(home.configFile, 'utf8');
    const installed = await fs.realpath(path.join(path.dirname(bin), '..', 'lib', 'node_modules', 'cognito-creds', 'bin', 'cognito-creds.cjs'));
    expect(config).toContain(`credential_process = ${process.execPath} ${installed} credential-process --profile inst\n`);
    await fs.rm(path.join(home.cacheDir, 'cognito-creds'), { recursive: true, force: true });
    const cp = await runCommand(bin, ['credential-process', '--profile', 'inst'], { env });
    expect([cp.code, cp.stderr]).toEqual([0, '']);
    expect(JSON.parse(cp.stdout).AccessKeyId).toBe(fake.issued.at(-1)!.accessKeyId);
  });
});
