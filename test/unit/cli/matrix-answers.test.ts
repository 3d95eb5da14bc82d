/**
 * The fault matrix, continued (issue 13): answers taken on trust. A fake Cognito on loopback
 * answers each operation as usual and then rewrites the body it sends (FakeFailure 'rewrite'):
 * an Expiration in milliseconds or a century ahead, fields of the wrong type, fields missing. Every
 * row asserts the exit code, an EMPTY stdout, the exact stderr, a bound on the time taken, and
 * that nothing was cached. Then cache entries planted on disk that no sign-in could have written:
 * each is a miss, signed in anew and overwritten, and `status` reads them without failing.
 * In-process, as test/unit/cli/matrix.test.ts (same harness, same style).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../../src/cache/entry.js';
import { resolveCognitoProfile } from '../../../src/config/profile.js';
import type { FakeFailure } from '../../fake-cognito/server.js';
import { setupArgv } from '../../support/argv.js';
import { useInProcessCli, type Run } from '../../support/in-process.js';

const PASSWORD = 'Matrix-Pw-1!';
const CLIENT = 'fakeclient0000000000000001';
const FAST_MS = 3_000;
const HOUR = 3600;

const cli = useInProcessCli({ users: [{ username: 'alice', password: PASSWORD }], clients: [{ clientId: CLIENT }] });

function expectFailure(r: Run, code: number, stderr: string | RegExp, maxMs = FAST_MS): void {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
  if (typeof stderr === 'string') expect(r.stderr).toBe(stderr);
  else expect(r.stderr).toMatch(stderr);
  expect(r.ms).toBeLessThan(maxMs);
}

const unreadable = (operation: string, problem: string) =>
  `cognito-creds: profile "dev": Cognito's answer to ${operation} could not be read (${problem})\n` +
  '  A proxy or a wrong AWS_ENDPOINT_URL may stand between you and Cognito.\n';

const settings = (flow = 'USER_PASSWORD_AUTH') => ({
  cognito_user_pool_id: cli.fake.userPoolId,
  cognito_client_id: CLIENT,
  cognito_identity_pool_id: cli.fake.identityPoolId,
  cognito_username: 'alice',
  cognito_auth_flow: flow,
});

async function arrange(flow = 'USER_PASSWORD_AUTH'): Promise<void> {
  const lines = Object.entries(settings(flow)).map(([k, v]) => `${k} = ${v}`);
  await fs.mkdir(path.dirname(cli.configFile), { recursive: true });
  await fs.writeFile(cli.configFile, `[profile dev]\n${lines.join('\n')}\n`);
  await cli.store.set('dev:password', PASSWORD);
}

const cp = () => cli.run(['credential-process', '--profile', 'dev']);
const entryFile = () => path.join(cli.cacheDir, `${cacheKey(resolveCognitoProfile('dev', settings(), cli.configFile))}.json`);
const nowSeconds = () => Math.floor(cli.now() / 1000);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The cache entries on disk (none after a failed sign-in). */
async function cachedFiles(): Promise<string[]> {
  const names = await fs.readdir(cli.cacheDir).catch(() => [] as string[]);
  return names.filter((f) => f.endsWith('.json'));
}

function issuedJson(): string {
  const issued = cli.fake.issued.at(-1)!;
  return (
    `{"Version":1,"AccessKeyId":"${issued.accessKeyId}","SecretAccessKey":"${issued.secretKey}","SessionToken":"${issued.sessionToken}",` +
    `"Expiration":"${iso(issued.expiration * 1000)}"}\n`
  );
}

/** GetCredentialsForIdentity's real answer, its Credentials changed by `change`. */
const credentials = (change: (c: Record<string, unknown>) => void): FakeFailure => ({
  kind: 'rewrite',
  rewrite: (answer) => {
    change(answer.Credentials);
    return answer;
  },
});

/** InitiateAuth's real answer, its AuthenticationResult changed by `change`. */
const tokens = (change: (r: Record<string, unknown>) => void): FakeFailure => ({
  kind: 'rewrite',
  rewrite: (answer) => {
    change(answer.AuthenticationResult);
    return answer;
  },
});

// -------------------------------------------------------------------------------------------------

describe("GetCredentialsForIdentity's answer: exit 6, nothing printed, nothing cached", () => {
  // Each row: the rewrite, and the problem the message names given the credentials the fake issued.
  const rows: Array<[string, FakeFailure, (expirationSeconds: number) => string]> = [
    [
      'Expiration in milliseconds (year 58887)',
      credentials((c) => void (c.Expiration = (c.Expiration as number) * 1000)),
      (s) => `Credentials.Expiration ${new Date(s * 1_000_000).toISOString()} is more than 12 hours ahead`,
    ],
    [
      'Expiration a century ahead',
      credentials((c) => void (c.Expiration = (c.Expiration as number) + 100 * 365 * 24 * HOUR)),
      (s) => `Credentials.Expiration ${new Date((s + 100 * 365 * 24 * HOUR) * 1000).toISOString()} is more than 12 hours ahead`,
    ],
    [
      'Expiration 12 h 6 min ahead (past the 5 min allowance)',
      credentials((c) => void (c.Expiration = nowSeconds() + 12 * HOUR + 6 * 60)),
      () => `Credentials.Expiration ${new Date((nowSeconds() + 12 * HOUR + 6 * 60) * 1000).toISOString()} is more than 12 hours ahead`,
    ],
    ['Expiration beyond what a Date holds', credentials((c) => void (c.Expiration = 1e300)), () => 'Credentials.Expiration is not a time'],
    ['Expiration missing', credentials((c) => void delete c.Expiration), () => 'Credentials.Expiration is missing'],
    // The SDK itself refuses an Expiration that is not epoch seconds: src/cognito/errors.ts reads its error.
    ['Expiration an ISO string', credentials((c) => void (c.Expiration = '2030-01-01T00:00:00Z')), () => 'HTTP 200, TypeError'],
    ['Expiration true', credentials((c) => void (c.Expiration = true)), () => 'HTTP 200, TypeError'],
    ['AccessKeyId a number', credentials((c) => void (c.AccessKeyId = 12345)), () => 'Credentials.AccessKeyId is a number, not a string'],
    ['AccessKeyId an object', credentials((c) => void (c.AccessKeyId = { id: 'ASIA' })), () => 'Credentials.AccessKeyId is an object, not a string'],
    ['SecretKey empty', credentials((c) => void (c.SecretKey = '')), () => 'Credentials.SecretKey is empty'],
    ['SessionToken missing', credentials((c) => void delete c.SessionToken), () => 'Credentials.SessionToken is missing'],
    ['Credentials missing', { kind: 'rewrite', rewrite: (a) => ({ IdentityId: a.IdentityId }) }, () => 'Credentials is missing'],
    // The SDK makes an array an object of its indexes.
    ['Credentials an array', { kind: 'rewrite', rewrite: (a) => ({ ...a, Credentials: [1, 2] }) }, () => 'Credentials.AccessKeyId is missing'],
    ['IdentityId a number', { kind: 'rewrite', rewrite: (a) => ({ ...a, IdentityId: 7 }) }, () => 'IdentityId is a number, not a string'],
  ];

  it.each(rows)('%s', async (_name, failure, problem) => {
    await arrange();
    cli.fake.failNext('GetCredentialsForIdentity', failure);
    const r = await cp();
    expectFailure(r, 6, unreadable('GetCredentialsForIdentity', problem(cli.fake.issued.at(-1)!.expiration)));
    expect(cli.fake.count('GetCredentialsForIdentity')).toBe(1);
    expect(await cachedFiles()).toEqual([]);
    for (const secret of [cli.fake.issued.at(-1)!.secretKey, cli.fake.issued.at(-1)!.sessionToken, cli.fake.issued.at(-1)!.accessKeyId]) {
      expect(r.stderr).not.toContain(secret);
    }
    // Nothing of the bad answer stays: the next call signs in and is served.
    const again = await cp();
    expect([again.code, again.stderr, again.stdout]).toEqual([0, '', issuedJson()]);
    expect(await cachedFiles()).toHaveLength(1);
  });

  it('setup fails the same way and saves nothing', async () => {
    cli.fake.failNext('GetCredentialsForIdentity', credentials((c) => void (c.Expiration = (c.Expiration as number) * 1000)));
    const ids = { userPoolId: cli.fake.userPoolId, clientId: CLIENT, identityPoolId: cli.fake.identityPoolId, username: 'alice' };
    const r = await cli.run(setupArgv('dev', ids, ['--auth-flow', 'USER_PASSWORD_AUTH']), { stdin: `${PASSWORD}\n` });
    const s = cli.fake.issued.at(-1)!.expiration;
    expectFailure(r, 6, unreadable('GetCredentialsForIdentity', `Credentials.Expiration ${new Date(s * 1_000_000).toISOString()} is more than 12 hours ahead`));
    expect(await fs.stat(cli.configFile).catch(() => undefined)).toBeUndefined();
    expect(cli.store.entries.size).toBe(0);
    expect(await cachedFiles()).toEqual([]);
  });
});

describe('the lifetime bounds: after now, at most 12 h (+5 min) ahead', () => {
  it('90 s ahead (as moto issues) is printed and cached', async () => {
    await arrange();
    const expiration = nowSeconds() + 90;
    cli.fake.failNext('GetCredentialsForIdentity', credentials((c) => void (c.Expiration = expiration)));
    const r = await cp();
    const issued = cli.fake.issued.at(-1)!;
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ AccessKeyId: issued.accessKeyId, Expiration: iso(expiration * 1000) });
    expect(JSON.parse(await fs.readFile(entryFile(), 'utf8')).expiresAt).toBe(expiration * 1000);
  });

  it('12 h ahead is printed and cached, and served from the cache', async () => {
    await arrange();
    const expiration = nowSeconds() + 12 * HOUR;
    cli.fake.failNext('GetCredentialsForIdentity', credentials((c) => void (c.Expiration = expiration)));
    const r = await cp();
    expect([r.code, r.stderr, JSON.parse(r.stdout).Expiration]).toEqual([0, '', iso(expiration * 1000)]);
    const again = await cp();
    expect([again.code, again.stdout]).toEqual([0, r.stdout]);
    expect(cli.fake.count('GetCredentialsForIdentity')).toBe(1);
  });

  it('already expired keeps its own message (exit 7, check the clock) and caches nothing', async () => {
    await arrange();
    const expiration = nowSeconds() - 10;
    cli.fake.failNext('GetCredentialsForIdentity', credentials((c) => void (c.Expiration = expiration)));
    const r = await cp();
    expectFailure(
      r,
      7,
      `cognito-creds: profile "dev": Cognito issued credentials that expired already (${new Date(expiration * 1000).toISOString()})\n` +
        "  Check this computer's clock (it must be within a few minutes of the real time).\n",
    );
    expect(await cachedFiles()).toEqual([]);
  });
});

// -------------------------------------------------------------------------------------------------

describe("GetId's and the user pool's answers: exit 6, nothing printed, nothing cached", () => {
  it.each<[string, string, FakeFailure, string]>([
    ['GetId: IdentityId a number', 'GetId', { kind: 'rewrite', rewrite: () => ({ IdentityId: 7 }) }, 'IdentityId is a number, not a string'],
    ['GetId: IdentityId missing', 'GetId', { kind: 'rewrite', rewrite: () => ({}) }, 'IdentityId is missing'],
    ['GetId: IdentityId not an identity id', 'GetId', { kind: 'rewrite', rewrite: () => ({ IdentityId: 'us-east-1:\u001b[2J' }) }, 'IdentityId is not an identity id'],
    ['IdToken a number', 'InitiateAuth', tokens((t) => void (t.IdToken = 42)), 'AuthenticationResult.IdToken is a number, not a string'],
    ['IdToken empty', 'InitiateAuth', tokens((t) => void (t.IdToken = '')), 'AuthenticationResult.IdToken is empty'],
    ['IdToken missing beside an AccessToken', 'InitiateAuth', tokens((t) => void delete t.IdToken), 'AuthenticationResult.IdToken is missing'],
    ['AccessToken an object', 'InitiateAuth', tokens((t) => void (t.AccessToken = { a: 1 })), 'AuthenticationResult.AccessToken is an object, not a string'],
    ['RefreshToken a number', 'InitiateAuth', tokens((t) => void (t.RefreshToken = 1)), 'AuthenticationResult.RefreshToken is a number, not a string'],
    ['ExpiresIn a string', 'InitiateAuth', tokens((t) => void (t.ExpiresIn = '3600')), 'AuthenticationResult.ExpiresIn is a string, not a number'],
    ['AuthenticationResult missing', 'InitiateAuth', { kind: 'rewrite', rewrite: () => ({ ChallengeParameters: {} }) }, 'it holds neither tokens nor a challenge'],
    ['AuthenticationResult a string', 'InitiateAuth', { kind: 'rewrite', rewrite: () => ({ AuthenticationResult: 'tokens' }) }, 'AuthenticationResult is a string, not an object'],
    ['ChallengeName a number', 'InitiateAuth', { kind: 'rewrite', rewrite: () => ({ ChallengeName: 5, Session: 'x' }) }, 'ChallengeName is a number, not a string'],
    ['Session a number', 'InitiateAuth', { kind: 'rewrite', rewrite: () => ({ ChallengeName: 'SMS_MFA', Session: 7 }) }, 'Session is a number, not a string'],
  ])('%s', async (_name, operation, failure, problem) => {
    await arrange();
    cli.fake.failNext(operation, failure);
    const r = await cp();
    expectFailure(r, 6, unreadable(operation, problem));
    expect(cli.fake.count('GetCredentialsForIdentity')).toBe(0);
    expect(await cachedFiles()).toEqual([]);
  });

  it.each<[string, (p: Record<string, unknown>) => void, string]>([
    ['SALT missing', (p) => void delete p.SALT, 'ChallengeParameters.SALT is missing'],
    ['SRP_B a number', (p) => void (p.SRP_B = 5), 'ChallengeParameters.SRP_B is a number, not a string'],
  ])('USER_SRP_AUTH, PASSWORD_VERIFIER with %s', async (_name, change, problem) => {
    await arrange('USER_SRP_AUTH');
    cli.fake.failNext('InitiateAuth', {
      kind: 'rewrite',
      rewrite: (answer) => {
        change(answer.ChallengeParameters);
        return answer;
      },
    });
    const r = await cp();
    expectFailure(r, 6, unreadable('InitiateAuth', problem));
    expect(cli.fake.count('RespondToAuthChallenge')).toBe(0);
    expect(await cachedFiles()).toEqual([]);
  });

  it('the refresh: an IdToken that is not a string leaves the cache as it was and keeps no session', async () => {
    await arrange();
    expect((await cp()).code).toBe(0);
    const before = await fs.readFile(entryFile(), 'utf8');
    const stored = Object.fromEntries(cli.store.entries);
    expect(Object.keys(stored)).toContain('dev:refresh-token');
    cli.advance(2 * HOUR * 1000); // the cached credentials have expired; the refresh token has not
    cli.fake.failNext('InitiateAuth', tokens((t) => void (t.IdToken = ['not', 'a', 'token'])));
    const r = await cp();
    expectFailure(r, 6, unreadable('InitiateAuth', 'AuthenticationResult.IdToken is an array, not a string'));
    expect(cli.fake.requests.at(-1)!.body.AuthFlow).toBe('REFRESH_TOKEN_AUTH');
    expect(await fs.readFile(entryFile(), 'utf8')).toBe(before);
    expect(Object.fromEntries(cli.store.entries)).toEqual(stored);
  });
});

// -------------------------------------------------------------------------------------------------

describe('cache entries no sign-in writes: a miss, signed in anew and overwritten; status reads them', () => {
  const good = () => ({
    version: 2,
    identity: JSON.stringify(['us-east-1', cli.fake.userPoolId, CLIENT, 'alice', cli.fake.identityPoolId, '']),
    profile: 'dev',
    identityId: 'us-east-1:00000000-0000-4000-8000-000000000001',
    accessKeyId: 'ASIAPLANTED',
    secretAccessKey: 'planted-secret',
    sessionToken: 'planted-token',
    expiresAt: cli.now() + HOUR * 1000,
    issuedAt: cli.now(),
  });

  it('the control: a well-formed entry is served as it is', async () => {
    await arrange();
    await fs.mkdir(cli.cacheDir, { recursive: true, mode: 0o700 });
    const entry = good();
    await fs.writeFile(entryFile(), JSON.stringify(entry), { mode: 0o600 });
    const r = await cp();
    expect([r.code, r.stderr, JSON.parse(r.stdout).AccessKeyId]).toEqual([0, '', 'ASIAPLANTED']);
    expect(cli.fake.requests).toHaveLength(0);
  });

  it.each<[string, (e: Record<string, unknown>, now: number) => void]>([
    ['expiresAt beyond what a Date holds (once "Invalid time value")', (e) => void (e.expiresAt = 8.64e15 + 1)],
    ['expiresAt in year 58887 (an Expiration in milliseconds)', (e, now) => void (e.expiresAt = now * 1000)],
    ['expiresAt in year 10000', (e) => void (e.expiresAt = Date.UTC(10000, 0, 1))],
    ['expiresAt and issuedAt a century ahead', (e, now) => Object.assign(e, { issuedAt: now + 3e12, expiresAt: now + 3e12 + 3600_000 })],
    ['a 13-hour lifetime', (e, now) => Object.assign(e, { issuedAt: now, expiresAt: now + 13 * HOUR * 1000 })],
    ['expiring 12 h 8 min from now, issued 4 min ahead', (e, now) => Object.assign(e, { issuedAt: now + 4 * 60_000, expiresAt: now + (12 * HOUR + 8 * 60) * 1000 })],
    ['issued after it expires', (e, now) => Object.assign(e, { issuedAt: now + 60_000, expiresAt: now + 30_000 })],
    ['expiresAt a float', (e, now) => void (e.expiresAt = now + 3600_000.5)],
    ['expiresAt an ISO string', (e) => void (e.expiresAt = '2030-01-01T00:00:00Z')],
    ['expiresAt Infinity (written as null)', (e) => void (e.expiresAt = Infinity)],
    ['accessKeyId a number', (e) => void (e.accessKeyId = 12345)],
    ['sessionToken null', (e) => void (e.sessionToken = null)],
    ['secretAccessKey empty', (e) => void (e.secretAccessKey = '')],
    ['version "2"', (e) => void (e.version = '2')],
  ])('%s', async (_name, plant) => {
    await arrange();
    await fs.mkdir(cli.cacheDir, { recursive: true, mode: 0o700 });
    const entry: Record<string, unknown> = good();
    plant(entry, cli.now());
    await fs.writeFile(entryFile(), JSON.stringify(entry), { mode: 0o600 });

    const status = await cli.run(['status', '--profile', 'dev']);
    expect([status.code, status.stderr]).toEqual([0, '']);
    // Never a crash, never a time without a 4-digit year, never "served until".
    expect(status.stdout.split('\n').at(-2)).toMatch(/^ {2}credentials: (none cached|cached, expire \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in .+\); renewed on the next call)$/);

    const r = await cp();
    expect([r.code, r.stderr, r.stdout]).toEqual([0, '', issuedJson()]);
    expect(r.ms).toBeLessThan(FAST_MS);
    expect(cli.fake.count('GetCredentialsForIdentity')).toBe(1);
    const written = JSON.parse(await fs.readFile(entryFile(), 'utf8'));
    expect([written.accessKeyId, written.expiresAt]).toEqual([cli.fake.issued.at(-1)!.accessKeyId, cli.fake.issued.at(-1)!.expiration * 1000]);
  });
});
