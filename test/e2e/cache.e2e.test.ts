/**
 * The cache, single flight and refresh tokens end to end: the built binary in many processes,
 * against moto behind a counting proxy, with a real keyring.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { viaAwsCliV2 } from '../support/consumers.js';
import { CountingProxy } from '../support/counting-proxy.js';
import { CLI_BIN, makeTestHome, runCli, type TestHome } from '../support/env.js';
import { keytarInChild, startKeyring, type Keyring } from '../support/keyring.js';
import { createCognitoFixture, MOTO_ACCESS_KEY_ID, startMoto, type CognitoFixture, type Moto } from '../support/moto.js';
import { describeWith } from '../support/tools.js';

describeWith(['moto', 'keyring', 'awscli'], 'cache and single flight end to end (moto, gnome-keyring)', () => {
  let moto: Moto;
  let proxy: CountingProxy;
  let fixture: CognitoFixture;
  let home: TestHome;
  let keyring: Keyring;
  let env: Record<string, string>;
  const cacheDir = () => path.join(home.cacheDir, 'cognito-creds');
  const cp = () => runCli(['credential-process', '--profile', 'dev'], { env });

  beforeAll(async () => {
    moto = await startMoto();
    fixture = await createCognitoFixture(moto.url);
    proxy = new CountingProxy(moto.url);
    await proxy.start();
    home = await makeTestHome();
    keyring = await startKeyring(home.home);
    env = { ...home.env, ...keyring.env, AWS_ENDPOINT_URL: proxy.url };
    const setup = await runCli(
      ['setup', '--profile', 'dev', '--user-pool-id', fixture.userPoolId, '--client-id', fixture.clientId, '--identity-pool-id', fixture.identityPoolId,
        '--username', fixture.username, '--auth-flow', 'USER_PASSWORD_AUTH', '--password-stdin'],
      { env, input: fixture.password },
    );
    expect([setup.code, setup.stderr]).toEqual([0, '']);
  });
  afterAll(async () => {
    await keyring?.stop();
    await proxy?.stop();
    await moto?.stop();
    await home?.cleanup();
  });
  beforeEach(async () => {
    await runCli(['logout', '--profile', 'dev'], { env });
    proxy.requests.length = 0;
  });

  it('the sign-in module compiles through a V8 code cache beside the entries: written by one cold call, used by the next', async () => {
    const codeCaches = async () => (await fs.readdir(cacheDir()).catch(() => [] as string[])).filter((f) => f.startsWith('v8-provider-'));
    for (const f of await codeCaches()) await fs.rm(path.join(cacheDir(), f));
    const debug = () => runCli(['credential-process', '--profile', 'dev', '--debug'], { env });
    const first = await debug();
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/\[debug \+\d+ms\] code cache absent: /);
    const files = await codeCaches();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^v8-provider-${process.version}-${process.arch}-`));
    expect((await fs.stat(path.join(cacheDir(), files[0]!))).mode & 0o777).toBe(0o600);
    await runCli(['logout', '--profile', 'dev'], { env });
    const second = await debug();
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`code cache used: ${path.join(cacheDir(), files[0]!)}`);
    expect(await codeCaches()).toEqual(files);
  });

  it('a cold call signs in once; a warm call sends no request', async () => {
    const cold = await cp();
    expect([cold.code, cold.stderr]).toEqual([0, '']);
    expect(proxy.operations()).toEqual(['InitiateAuth:USER_PASSWORD_AUTH', 'GetId', 'GetCredentialsForIdentity']);
    const warm = await cp();
    expect([warm.code, warm.stderr, warm.stdout]).toEqual([0, '', cold.stdout]);
    expect(proxy.requests).toHaveLength(3);
    expect((await fs.stat(cacheDir())).mode & 0o777).toBe(0o700);
    for (const f of await fs.readdir(cacheDir())) expect((await fs.stat(path.join(cacheDir(), f))).mode & 0o777).toBe(0o600);
  });

  it('24 concurrent cold calls make exactly one InitiateAuth and print identical credentials', async () => {
    const results = await Promise.all(Array.from({ length: 24 }, () => cp()));
    expect(results.map((r) => r.code)).toEqual(Array(24).fill(0));
    expect(results.filter((r) => r.stderr !== '')).toEqual([]);
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(JSON.parse(results[0]!.stdout).AccessKeyId).toBe(MOTO_ACCESS_KEY_ID);
    expect(proxy.count('InitiateAuth')).toBe(1);
    expect(proxy.count('GetCredentialsForIdentity')).toBe(1);
  });

  it('after the cache is deleted, the refresh token signs in, not the password, and GetId is skipped', async () => {
    await cp();
    await fs.rm(cacheDir(), { recursive: true });
    proxy.requests.length = 0;
    const r = await cp();
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(proxy.operations()).toEqual(['InitiateAuth:REFRESH_TOKEN_AUTH', 'GetCredentialsForIdentity']);
  });

  it('a holder killed with kill -9 mid-sign-in does not stop the next call', async () => {
    proxy.holdNext('InitiateAuth');
    const holder = spawn(process.execPath, [CLI_BIN, 'credential-process', '--profile', 'dev'], { env, stdio: 'ignore' });
    const lock = async () => (await fs.readdir(cacheDir()).catch(() => [] as string[])).find((f) => f.endsWith('.lock'));
    for (let i = 0; i < 200 && !(proxy.count('InitiateAuth') === 1 && (await lock())); i++) await new Promise((r) => setTimeout(r, 25));
    expect(await lock()).toBeDefined();
    holder.kill('SIGKILL');
    await new Promise((r) => holder.on('exit', r));
    const r = await cp();
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.ms).toBeLessThan(5_000);
    expect(JSON.parse(r.stdout).AccessKeyId).toBe(MOTO_ACCESS_KEY_ID);
  });

  it('a corrupted cache file is survived and rewritten', async () => {
    await cp();
    const [file] = (await fs.readdir(cacheDir())).filter((f) => f.endsWith('.json'));
    await fs.writeFile(path.join(cacheDir(), file!), '\u0000garbage{');
    const r = await cp();
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(await fs.readFile(path.join(cacheDir(), file!), 'utf8')).accessKeyId).toBe(MOTO_ACCESS_KEY_ID);
  });

  it('the AWS CLI v2 with 90-second credentials signs in once per command, not twice', async () => {
    const creds = await viaAwsCliV2('dev', env);
    expect(creds.accessKeyId).toBe(MOTO_ACCESS_KEY_ID);
    // botocore runs credential_process twice for credentials this short (load, then refresh):
    // the second run is served from the cache.
    expect(proxy.count('InitiateAuth')).toBe(1);
  });

  it('logout keeps the password and drops the refresh token', async () => {
    await cp();
    expect((await keytarInChild(env, 'get', 'cognito-creds', 'dev:refresh-token')).value).toMatch(/^(chunks:\d|\{)/);
    const r = await runCli(['logout', '--profile', 'dev'], { env });
    expect(r.stdout).toBe('profile "dev": cached credentials deleted; refresh token deleted from the keychain; the password stays.\n');
    expect(await keytarInChild(env, 'get', 'cognito-creds', 'dev:refresh-token')).toEqual({ ok: true, value: null });
    expect(await keytarInChild(env, 'get', 'cognito-creds', 'dev:password')).toEqual({ ok: true, value: fixture.password });
  });
});
