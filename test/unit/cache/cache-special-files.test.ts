/**
 * A cache entry or lock that is not a regular file of the user (a FIFO, socket, directory,
 * symbolic link, someone else's file): never opened, followed or waited on. The cache refuses it
 * naming the path and leaves it as it is; through cachedCredentials it is a miss, one sign-in and
 * exactly one warning line, quickly. Real FIFOs and sockets in a temporary directory.
 */
import { promises as fs, lstatSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialsCache } from '../../../src/cache/cache-dir.js';
import { cachedCredentials } from '../../../src/cache/cached-credentials.js';
import { type CacheEntry, serializeEntry } from '../../../src/cache/entry.js';
import { isCredsError } from '../../../src/errors.js';
import { createDebugLog } from '../../../src/log/debug.js';
import type { AwsCredentials } from '../../../src/shapes.js';
import { SpecialFiles } from '../../support/special-files.js';

const NOW = 1_800_000_000_000;
const AS_ROOT = process.getuid?.() === 0;
/** A uid that is not ours (nobody, on most systems). */
const OTHER_UID = 65534;
const IDENTITY = '["us-east-1","us-east-1_A","c","alice","us-east-1:1",""]';
const entry: CacheEntry = {
  version: 2,
  identity: IDENTITY,
  profile: 'dev',
  identityId: 'us-east-1:0000',
  accessKeyId: 'ASIACACHED',
  secretAccessKey: 'secret',
  sessionToken: 'token',
  expiresAt: NOW + 3_600_000,
  issuedAt: NOW - 60_000,
};
const fresh: AwsCredentials = {
  accessKeyId: 'ASIAFRESH',
  secretAccessKey: 'fresh-secret',
  sessionToken: 'fresh-token',
  expiration: new Date(NOW + 3_600_000),
  identityId: 'us-east-1:0000',
};

let tmp: string;
let cache: CredentialsCache;
let special: SpecialFiles;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-cache-special-'));
  cache = new CredentialsCache(path.join(tmp, 'cognito-creds'));
  await cache.checkDir(true);
  special = new SpecialFiles();
});
afterEach(async () => {
  await special.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

function kind(file: string): string {
  const s = lstatSync(file);
  return s.isFIFO() ? 'fifo' : s.isSocket() ? 'socket' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : s.isFile() ? 'file' : 'other';
}

/** Each thing that is not a regular file: how to make it at a path, its kind, and what the message calls it. */
const planted: Array<[string, (file: string) => Promise<unknown>, string, string]> = [
  ['a FIFO', async (f) => special.fifo(f), 'fifo', 'is a FIFO, not a regular file'],
  ['a unix socket', (f) => special.socket(f), 'socket', 'is a socket, not a regular file'],
  ['a directory', (f) => fs.mkdir(f), 'dir', 'is a directory, not a regular file'],
  ['a symbolic link to a planted entry', async (f) => { await fs.writeFile(path.join(tmp, 'planted.json'), serializeEntry(entry)); await fs.symlink(path.join(tmp, 'planted.json'), f); }, 'symlink', 'is a symbolic link, not a regular file'],
  ['a symbolic link to a FIFO', async (f) => { special.fifo(path.join(tmp, 'fifo')); await fs.symlink(path.join(tmp, 'fifo'), f); }, 'symlink', 'is a symbolic link, not a regular file'],
];

/** cachedCredentials with a counting sign-in and the warnings collected. */
async function run(): Promise<{ result: CacheEntry; signIns: number; warnings: string[]; ms: number }> {
  const warnings: string[] = [];
  let signIns = 0;
  const t0 = performance.now();
  const result = await cachedCredentials(
    { cache, key: 'k', identity: IDENTITY, profile: 'dev', minTtlMs: 15 * 60_000, now: () => NOW, log: createDebugLog(false), warn: (m) => warnings.push(m), lockTimeoutMs: 45_000 },
    async () => {
      signIns += 1;
      return fresh;
    },
  );
  return { result, signIns, warnings, ms: performance.now() - t0 };
}

describe('CredentialsCache with an entry that is not a regular file of the user', () => {
  it.each(planted)('%s: read refuses it naming the path (kind cache), write does not replace it', async (_name, make, expectedKind, problem) => {
    const file = cache.entryPath('k');
    await make(file);
    const t0 = performance.now();
    const err = await cache.read('k').then(() => undefined, (e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(isCredsError(err) && err.kind).toBe('cache');
    expect((err as Error).message).toBe(`the cache entry ${file} ${problem}`);
    await expect(cache.write('k', entry)).rejects.toThrow(`the cache entry ${file} ${problem}`);
    expect(kind(file)).toBe(expectedKind);
    expect((await fs.readdir(cache.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  // Giving a file away needs root, as CI runs (.ci/run); a developer's non-root run skips it.
  it.runIf(AS_ROOT)('an entry of another uid is refused, not served, and left as it is', async () => {
    const file = cache.entryPath('k');
    await fs.writeFile(file, serializeEntry(entry), { mode: 0o600 });
    await fs.chown(file, OTHER_UID, OTHER_UID);
    await expect(cache.read('k')).rejects.toThrow(`the cache entry ${file} belongs to uid ${OTHER_UID}, not to you`);
    expect((await fs.stat(file)).uid).toBe(OTHER_UID);
  });
});

describe('cachedCredentials: such an entry or lock is a miss, one sign-in, exactly one warning, no wait', () => {
  it.each(planted)('%s at the entry path', async (_name, make, expectedKind, problem) => {
    const file = cache.entryPath('k');
    await make(file);
    const r = await run();
    expect(r.ms).toBeLessThan(1_000);
    expect(r.signIns).toBe(1);
    expect(r.result.accessKeyId).toBe('ASIAFRESH');
    expect(r.warnings).toEqual([`the cache entry ${file} ${problem}; the credentials are not cached`]);
    expect(kind(file)).toBe(expectedKind);
    expect((await fs.readdir(cache.dir)).sort()).toEqual(['k.json']); // no lock left, nothing written beside it
  });

  it.each(planted)('%s at the lock path', async (_name, make, expectedKind, problem) => {
    const lock = cache.lockPath('k');
    await make(lock);
    const r = await run();
    expect(r.ms).toBeLessThan(1_000);
    expect(r.signIns).toBe(1);
    expect(r.result.accessKeyId).toBe('ASIAFRESH');
    expect(r.warnings).toEqual([`the lock file ${lock} ${problem}; the credentials are not cached`]);
    expect(kind(lock)).toBe(expectedKind);
    expect(await fs.stat(cache.entryPath('k')).catch(() => 'absent')).toBe('absent');
  });

  it.runIf(AS_ROOT)('a lock file of another uid: a miss and one warning, not a 45 s wait', async () => {
    const lock = cache.lockPath('k');
    await fs.writeFile(lock, `${process.pid} ${os.hostname()} theirs\n`);
    await fs.chown(lock, OTHER_UID, OTHER_UID);
    const r = await run();
    expect(r.ms).toBeLessThan(1_000);
    expect([r.signIns, r.warnings]).toEqual([1, [`the lock file ${lock} belongs to uid ${OTHER_UID}, not to you; the credentials are not cached`]]);
    expect(await fs.readFile(lock, 'utf8')).toBe(`${process.pid} ${os.hostname()} theirs\n`);
  });

  it('a regular entry and lock still work as before: sign in once, cache, then serve', async () => {
    const first = await run();
    expect([first.signIns, first.warnings, first.result.accessKeyId]).toEqual([1, [], 'ASIAFRESH']);
    expect((await fs.readdir(cache.dir)).sort()).toEqual(['k.json']);
    const second = await run();
    expect([second.signIns, second.warnings, second.result.accessKeyId]).toEqual([0, [], 'ASIAFRESH']);
  });
});
