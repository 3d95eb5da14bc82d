/**
 * Exercises the e2e harness itself (test/support/*): moto + Cognito fixture,
 * the private keyring, the hermetic runners and the three credential_process
 * consumers (with a stand-in credential process, before the real CLI exists).
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InitiateAuthCommand, NotAuthorizedException } from '@aws-sdk/client-cognito-identity-provider';
import { GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { CONSUMERS, type ConsumerCredentials, type ConsumerName } from '../support/consumers.js';
import { STRIPPED_AWS_VARS, makeTestHome, runCommand, type TestHome } from '../support/env.js';
import { keytarInChild, realKeyringDir, startKeyring, type Keyring } from '../support/keyring.js';
import {
  MOTO_ACCESS_KEY_ID,
  MOTO_CREDENTIALS_LIFETIME_SECONDS,
  MOTO_SECRET_ACCESS_KEY,
  MOTO_SESSION_TOKEN,
  createCognitoFixture,
  motoClients,
  secretHash,
  startMoto,
  type CognitoFixture,
  type Moto,
} from '../support/moto.js';
import { describeWith, requireTools } from '../support/tools.js';

const record = (what: string, value: unknown) => console.log(`[harness] ${what}: ${JSON.stringify(value)}`);

function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (part === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('requireTools', () => {
  it('reports each tool as present or missing with a reason', () => {
    const r = requireTools(['moto', 'keyring', 'awscli', 'boto3']);
    expect(r.ok).toBe(r.missing.length === 0);
    for (const m of r.missing) expect(r.reasons[m]).toBeTruthy();
    record('tools', r);
  });
});

describeWith(['moto', 'keyring', 'awscli', 'boto3'], 'e2e harness', () => {
  describe('makeTestHome / runCommand', () => {
    let th: TestHome;
    beforeAll(async () => {
      th = await makeTestHome();
    });
    afterAll(() => th?.cleanup());

    it('builds a hermetic env', async () => {
      expect(th.env.HOME).toBe(th.home);
      expect(th.env.AWS_CONFIG_FILE).toBe(join(th.home, '.aws', 'config'));
      expect(th.env.AWS_SHARED_CREDENTIALS_FILE).toBe(join(th.home, '.aws', 'credentials'));
      expect(await readFile(th.env.AWS_SHARED_CREDENTIALS_FILE!, 'utf8')).toBe('');
      expect(th.env.XDG_CACHE_HOME).toBe(th.cacheDir);
      expect(th.env.XDG_CONFIG_HOME).toBe(join(th.home, '.config'));
      expect(th.env.AWS_EC2_METADATA_DISABLED).toBe('true');
      for (const name of STRIPPED_AWS_VARS) expect(th.env).not.toHaveProperty(name);
      expect(th.env).not.toHaveProperty('DBUS_SESSION_BUS_ADDRESS');
    });

    it('gives the child exactly the env passed (+PATH), stdin and cwd = HOME', async () => {
      const r = await runCommand(
        process.execPath,
        [
          '-e',
          'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify({env:process.env,cwd:process.cwd(),s})))',
        ],
        { env: { HOME: th.home, ONLY_THIS: '1' }, input: 'hello\n' },
      );
      expect(r.code).toBe(0);
      const o = JSON.parse(r.stdout) as { env: Record<string, string>; cwd: string; s: string };
      expect(Object.keys(o.env).sort()).toEqual(['HOME', 'ONLY_THIS', 'PATH']);
      expect(o.cwd).toBe(th.home);
      expect(o.s).toBe('hello\n');
    });

    it('kills a command (and its children) on timeout and says so', async () => {
      const r = await runCommand('/bin/sh', ['-c', 'sleep 30 & sleep 30'], { env: th.env, timeoutMs: 500 });
      expect(r.timedOut).toBe(true);
      expect(r.code).toBeNull();
      expect(r.signal).toBe('SIGKILL');
      expect(r.stderr).toMatch(/killed after 500 ms timeout/);
      expect(r.ms).toBeLessThan(5_000);
    });
  });

  describe('moto + Cognito fixture', () => {
    let moto: Moto;
    let fx: CognitoFixture;
    beforeAll(async () => {
      const t0 = performance.now();
      moto = await startMoto();
      record('moto start ms', Math.round(performance.now() - t0));
      const t1 = performance.now();
      fx = await createCognitoFixture(moto.url);
      record('fixture ms', Math.round(performance.now() - t1));
    });
    afterAll(() => moto?.stop());

    it('listens on 127.0.0.1 and creates ids in real formats', () => {
      expect(moto.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(fx.region).toBe('us-east-1');
      expect(fx.userPoolId).toMatch(/^us-east-1_[A-Za-z0-9]+$/);
      expect(fx.identityPoolId).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
      expect(fx.clientId).toMatch(/^[a-z0-9]+$/);
      expect(fx.clientSecret).toBeUndefined();
      expect(fx.providerName).toBe(`cognito-idp.us-east-1.amazonaws.com/${fx.userPoolId}`);
      record('fixture', fx);
    });

    it('USER_PASSWORD_AUTH → IdToken → GetId → GetCredentialsForIdentity returns the MOTO_* constants', async () => {
      const { idp, identity } = motoClients(moto.url, fx.region);
      try {
        const auth = await idp.send(
          new InitiateAuthCommand({
            AuthFlow: 'USER_PASSWORD_AUTH',
            ClientId: fx.clientId,
            AuthParameters: { USERNAME: fx.username, PASSWORD: fx.password },
          }),
        );
        expect(auth.ChallengeName).toBeUndefined();
        const idToken = auth.AuthenticationResult?.IdToken;
        expect(idToken).toBeTruthy();
        const claims = jwtPayload(idToken!);
        expect(claims.iss).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${fx.userPoolId}`);
        expect(claims.token_use).toBe('id');
        expect(claims.aud).toBe(fx.clientId);
        record('InitiateAuth AuthenticationResult keys', Object.keys(auth.AuthenticationResult ?? {}));
        record('IdToken claims', claims);

        const logins = { [fx.providerName]: idToken! };
        const id = await identity.send(new GetIdCommand({ IdentityPoolId: fx.identityPoolId, Logins: logins }));
        expect(id.IdentityId).toMatch(/^us-east-1:[0-9a-f-]{36}$/);

        const before = Date.now();
        const creds = await identity.send(
          new GetCredentialsForIdentityCommand({ IdentityId: id.IdentityId, Logins: logins }),
        );
        const c = creds.Credentials;
        record('GetCredentialsForIdentity', { IdentityId: creds.IdentityId, ...c, Expiration: c?.Expiration?.toISOString() });
        expect(c?.AccessKeyId).toBe(MOTO_ACCESS_KEY_ID);
        expect(c?.SecretKey).toBe(MOTO_SECRET_ACCESS_KEY);
        expect(c?.SessionToken).toBe(MOTO_SESSION_TOKEN);
        expect(c?.Expiration).toBeInstanceOf(Date);
        const lifetime = (c!.Expiration!.getTime() - before) / 1000;
        expect(lifetime).toBeGreaterThan(MOTO_CREDENTIALS_LIFETIME_SECONDS - 5);
        expect(lifetime).toBeLessThanOrEqual(MOTO_CREDENTIALS_LIFETIME_SECONDS + 1);
      } finally {
        idp.destroy();
        identity.destroy();
      }
    });

    it('answers a wrong password with NotAuthorizedException', async () => {
      const { idp } = motoClients(moto.url);
      try {
        const err = await idp
          .send(
            new InitiateAuthCommand({
              AuthFlow: 'USER_PASSWORD_AUTH',
              ClientId: fx.clientId,
              AuthParameters: { USERNAME: fx.username, PASSWORD: 'wrong-Passw0rd!' },
            }),
          )
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(NotAuthorizedException);
        record('wrong password error', { name: (err as Error).name, message: (err as Error).message });
      } finally {
        idp.destroy();
      }
    });

    it('with clientSecret: returns the secret; moto checks SECRET_HASH on REFRESH_TOKEN_AUTH', async () => {
      const sfx = await createCognitoFixture(moto.url, { clientSecret: true, username: 'bob', password: 'An0ther-Passw0rd!' });
      // moto's client secret is a UUID (real Cognito: 51 base36 chars); treat it as opaque.
      expect(sfx.clientSecret).toMatch(/^\S{16,}$/);
      const { idp, identity } = motoClients(moto.url, sfx.region);
      identity.destroy();
      try {
        const ok = await idp.send(
          new InitiateAuthCommand({
            AuthFlow: 'USER_PASSWORD_AUTH',
            ClientId: sfx.clientId,
            AuthParameters: {
              USERNAME: 'bob',
              PASSWORD: 'An0ther-Passw0rd!',
              SECRET_HASH: secretHash(sfx.clientSecret!, 'bob', sfx.clientId),
            },
          }),
        );
        expect(ok.AuthenticationResult?.IdToken).toBeTruthy();
        const refreshToken = ok.AuthenticationResult?.RefreshToken;
        expect(refreshToken).toBeTruthy();

        // moto 5 does NOT check SECRET_HASH on USER_PASSWORD_AUTH (only on
        // USER_SRP_AUTH and REFRESH_TOKEN_AUTH): recorded, not relied upon.
        const lax = await idp
          .send(
            new InitiateAuthCommand({
              AuthFlow: 'USER_PASSWORD_AUTH',
              ClientId: sfx.clientId,
              AuthParameters: { USERNAME: 'bob', PASSWORD: 'An0ther-Passw0rd!', SECRET_HASH: 'bm9wZQ==' },
            }),
          )
          .then(
            (r) => `accepted (IdToken: ${Boolean(r.AuthenticationResult?.IdToken)})`,
            (e: unknown) => `rejected: ${(e as Error).name}`,
          );
        record('USER_PASSWORD_AUTH with a wrong SECRET_HASH', lax);

        // REFRESH_TOKEN_AUTH does check it.
        const refresh = (hash: string) =>
          idp.send(
            new InitiateAuthCommand({
              AuthFlow: 'REFRESH_TOKEN_AUTH',
              ClientId: sfx.clientId,
              AuthParameters: { REFRESH_TOKEN: refreshToken!, SECRET_HASH: hash },
            }),
          );
        const good = await refresh(secretHash(sfx.clientSecret!, 'bob', sfx.clientId));
        expect(good.AuthenticationResult?.IdToken).toBeTruthy();
        const bad = await refresh('bm9wZQ==').then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(bad).toBeInstanceOf(NotAuthorizedException);
      } finally {
        idp.destroy();
      }
    });

    it('stop() kills moto', async () => {
      const other = await startMoto();
      const res = await fetch(`${other.url}/moto-api/`);
      expect(res.status).toBeLessThan(500);
      await other.stop();
      expect(isAlive(other.pid)).toBe(false);
      await expect(fetch(`${other.url}/moto-api/`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    });
  });

  describe('private keyring', () => {
    let a: TestHome;
    let b: TestHome;
    let ka: Keyring;
    let kb: Keyring;
    let realBefore: { exists: boolean; mtimeMs?: number };
    beforeAll(async () => {
      const realDir = realKeyringDir();
      realBefore = await stat(realDir).then(
        (s) => ({ exists: true, mtimeMs: s.mtimeMs }),
        () => ({ exists: false }),
      );
      a = await makeTestHome();
      b = await makeTestHome();
      const t0 = performance.now();
      ka = await startKeyring(a.home);
      record('keyring start ms', Math.round(performance.now() - t0));
      kb = await startKeyring(b.home);
    });
    afterAll(async () => {
      await ka?.stop();
      await kb?.stop();
      await a?.cleanup();
      await b?.cleanup();
    });

    it('returns the env a child needs, all inside the temp home / a private runtime dir', () => {
      expect(Object.keys(ka.env).sort()).toEqual([
        'DBUS_SESSION_BUS_ADDRESS',
        'HOME',
        'XDG_CACHE_HOME',
        'XDG_CONFIG_HOME',
        'XDG_DATA_HOME',
        'XDG_RUNTIME_DIR',
      ]);
      expect(ka.env.DBUS_SESSION_BUS_ADDRESS).toMatch(/^unix:path=/);
      expect(ka.env.DBUS_SESSION_BUS_ADDRESS).toContain(ka.env.XDG_RUNTIME_DIR);
      expect(ka.env.HOME).toBe(a.home);
      expect(ka.env.XDG_DATA_HOME!.startsWith(a.home)).toBe(true);
      expect(ka.env.XDG_CACHE_HOME).toBe(a.env.XDG_CACHE_HOME);
      expect(ka.env.XDG_CONFIG_HOME).toBe(a.env.XDG_CONFIG_HOME);
      record('keyring env', ka.env);
    });

    it('keytar in a child can set/get/delete, and only through the private bus', async () => {
      const envA = { ...a.env, ...ka.env };
      const envB = { ...b.env, ...kb.env };
      const service = 'cognito-creds-harness';
      const account = 'alice@us-east-1_test';
      const secret = 'sëcret "with" spaces & $ymbols';

      expect(await keytarInChild(envA, 'set', service, account, secret)).toEqual({ ok: true, value: true });
      expect(await keytarInChild(envA, 'get', service, account)).toEqual({ ok: true, value: secret });
      // Another private keyring does not see it.
      expect(await keytarInChild(envB, 'get', service, account)).toEqual({ ok: true, value: null });
      // Same HOME and keyring files but no bus address: unreachable (error or null, never the secret).
      const noBusRuntime = await mkdtemp(join(tmpdir(), 'ccr-nobus-'));
      try {
        const noBus = await keytarInChild({ ...a.env, XDG_RUNTIME_DIR: noBusRuntime }, 'get', service, account);
        record('keytar without a bus', noBus);
        expect(noBus.value ?? null).toBeNull();
      } finally {
        await rm(noBusRuntime, { recursive: true, force: true });
      }
      // The secret went to the temp home's keyring files.
      expect((await stat(join(ka.keyringDir, 'login.keyring'))).isFile()).toBe(true);

      expect(await keytarInChild(envA, 'delete', service, account)).toEqual({ ok: true, value: true });
      expect(await keytarInChild(envA, 'get', service, account)).toEqual({ ok: true, value: null });

      // The real user's keyring directory was not created or modified.
      const realAfter = await stat(realKeyringDir()).then(
        (s) => ({ exists: true, mtimeMs: s.mtimeMs }),
        () => ({ exists: false }),
      );
      expect(realAfter).toEqual(realBefore);
    });

    it('stop() ends both daemons and removes the runtime dir', async () => {
      const th = await makeTestHome();
      const k = await startKeyring(th.home);
      try {
        expect(k.pids).toHaveLength(2);
        for (const pid of k.pids) expect(isAlive(pid)).toBe(true);
        await k.stop();
        for (const pid of k.pids) expect(isAlive(pid)).toBe(false);
        await expect(stat(k.env.XDG_RUNTIME_DIR!)).rejects.toThrow();
      } finally {
        await k.stop();
        await th.cleanup();
      }
    });
  });

  describe('consumers with a stand-in credential_process', () => {
    let th: TestHome;
    let expiration: string;
    let counterFile: string;
    const names = Object.keys(CONSUMERS) as ConsumerName[];

    beforeAll(async () => {
      th = await makeTestHome();
      // A directory and a file name with spaces, to prove quoting works everywhere.
      const dir = join(th.home, 'stand in');
      await mkdir(dir);
      expiration = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const fixed = join(dir, 'fixed creds.mjs');
      await writeFile(
        fixed,
        `process.stdout.write(JSON.stringify(${JSON.stringify({
          Version: 1,
          AccessKeyId: 'AKIDSTANDIN',
          SecretAccessKey: 's',
          SessionToken: 't',
          Expiration: expiration,
        })}));\n`,
      );
      // Prints credentials expiring <argv[2]> seconds from now and counts its runs.
      counterFile = join(th.home, 'runs.log');
      const shortLived = join(dir, 'short lived.mjs');
      await writeFile(
        shortLived,
        `import { appendFileSync } from 'node:fs';
const seconds = Number(process.argv[2]);
appendFileSync(process.argv[3], 'run\\n');
process.stdout.write(JSON.stringify({
  Version: 1, AccessKeyId: 'AKIDSHORT', SecretAccessKey: 's', SessionToken: 't',
  Expiration: new Date(Date.now() + seconds * 1000).toISOString(),
}));
`,
      );
      const q = (s: string) => `"${s}"`;
      await writeFile(
        th.configFile,
        [
          '[profile standin]',
          `credential_process = ${q(process.execPath)} ${q(fixed)}`,
          '',
          '[profile short90]',
          `credential_process = ${q(process.execPath)} ${q(shortLived)} 90 ${q(counterFile)}`,
          '',
          '[profile expired]',
          `credential_process = ${q(process.execPath)} ${q(shortLived)} -60 ${q(counterFile)}`,
          '',
        ].join('\n'),
      );
    });
    afterAll(() => th?.cleanup());

    for (const name of ['aws-cli-v2', 'botocore', 'js-sdk-fromIni'] as const) {
      it(`${name} returns exactly the stand-in's credentials (paths with spaces)`, async () => {
        const t0 = performance.now();
        const c: ConsumerCredentials = await CONSUMERS[name]('standin', th.env);
        record(`${name} standin (${Math.round(performance.now() - t0)} ms)`, c);
        expect({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }).toEqual({
          accessKeyId: 'AKIDSTANDIN',
          secretAccessKey: 's',
          sessionToken: 't',
        });
        expect(c.expiration).toBeDefined();
        expect(Date.parse(c.expiration!)).toBe(Date.parse(expiration));
      });
    }

    it('records how each consumer treats a 90-second and an already-expired Expiration', async () => {
      const summary: Record<string, unknown> = {};
      for (const name of names) {
        await writeFile(counterFile, '');
        const short = await CONSUMERS[name]('short90', th.env).then(
          (c) => ({ ok: true as const, c }),
          (e: Error) => ({ ok: false as const, error: e.message.slice(0, 300) }),
        );
        const shortRuns = (await readFile(counterFile, 'utf8')).split('\n').filter(Boolean).length;
        await writeFile(counterFile, '');
        const expired = await CONSUMERS[name]('expired', th.env).then(
          (c) => ({ ok: true as const, c }),
          (e: Error) => ({ ok: false as const, error: e.message.slice(0, 300) }),
        );
        const expiredRuns = (await readFile(counterFile, 'utf8')).split('\n').filter(Boolean).length;
        summary[name] = { short90: short, short90Runs: shortRuns, expired, expiredRuns };
        // A 90-second lifetime (what moto issues) must be usable by every consumer.
        expect(short.ok, `${name}: ${JSON.stringify(short)}`).toBe(true);
        expect(shortRuns).toBeGreaterThanOrEqual(1);
      }
      record('expiration behaviour', summary);
    });
  });
});
