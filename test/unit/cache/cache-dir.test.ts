import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheDirPath, CredentialsCache } from '../../../src/cache/cache-dir.js';
import { cacheKey, type CacheEntry, parseEntry, serializeEntry } from '../../../src/cache/entry.js';
import { CredsError } from '../../../src/errors.js';

const entry: CacheEntry = {
  version: 2,
  identity: '["us-east-1","us-east-1_A","c","alice","us-east-1:1",""]',
  profile: 'dev',
  identityId: 'us-east-1:0000',
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'secret',
  sessionToken: 'token',
  expiresAt: 1_800_000_000_000,
  issuedAt: 1_799_996_400_000,
};

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-cache-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('cache location and key', () => {
  it('uses XDG_CACHE_HOME when absolute, else ~/.cache', () => {
    expect(cacheDirPath({ XDG_CACHE_HOME: '/x/cache' }, '/home/u')).toBe('/x/cache/cognito-creds');
    expect(cacheDirPath({ XDG_CACHE_HOME: 'relative' }, '/home/u')).toBe('/home/u/.cache/cognito-creds');
    expect(cacheDirPath({}, '/home/u')).toBe('/home/u/.cache/cognito-creds');
  });

  it('keys by identity: pool, client, user, identity pool, role, region', () => {
    const base = { region: 'us-east-1', userPoolId: 'us-east-1_A', clientId: 'c', username: 'alice', identityPoolId: 'us-east-1:1' };
    const k = cacheKey(base);
    expect(k).toMatch(/^[0-9a-f]{32}$/);
    expect(cacheKey({ ...base })).toBe(k);
    for (const change of [{ userPoolId: 'us-east-1_B' }, { clientId: 'd' }, { username: 'bob' }, { identityPoolId: 'us-east-1:2' }, { roleArn: 'arn:aws:iam::123456789012:role/x' }, { region: 'eu-west-1' }]) {
      expect(cacheKey({ ...base, ...change })).not.toBe(k);
    }
  });
});

describe('parseEntry', () => {
  it('round-trips an entry', () => {
    expect(parseEntry(serializeEntry(entry))).toEqual(entry);
  });

  it.each([
    ['truncated', serializeEntry(entry).slice(0, 40)],
    ['empty', ''],
    ['not an object', '[1,2]'],
    ['wrong version', JSON.stringify({ ...entry, version: 1 })],
    ['no identity', JSON.stringify({ ...entry, identity: undefined })],
    ['missing key', JSON.stringify({ ...entry, sessionToken: undefined })],
    ['expiry as text', JSON.stringify({ ...entry, expiresAt: '2026-11-26T00:00:00Z' })],
    ['NUL bytes', '\u0000\u0000\u0000'],
  ])('rejects %s', (_name, text) => {
    expect(parseEntry(text)).toBeUndefined();
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const result = parseEntry(Buffer.from(bytes).toString('utf8'));
        expect(result === undefined || typeof result.accessKeyId === 'string').toBe(true);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(() => parseEntry(JSON.stringify(value))).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});

describe('CredentialsCache', () => {
  it('creates a 0700 directory and 0600 files, atomically', async () => {
    const cache = new CredentialsCache(path.join(tmp, 'a', 'cognito-creds'));
    expect(await cache.read('k')).toBeUndefined();
    await cache.write('k', entry);
    expect((await fs.stat(cache.dir)).mode & 0o777).toBe(0o700);
    expect((await fs.stat(cache.entryPath('k'))).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(cache.dir)).toEqual(['k.json']);
    expect(await cache.read('k')).toEqual(entry);
    expect(await cache.delete('k')).toBe(true);
    expect(await cache.delete('k')).toBe(false);
  });

  it('narrows a directory others can read to 0700', async () => {
    const dir = path.join(tmp, 'cognito-creds');
    await fs.mkdir(dir, { mode: 0o755 });
    await fs.chmod(dir, 0o755);
    await new CredentialsCache(dir).write('k', entry);
    expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('refuses a directory that is a symlink', async () => {
    const real = path.join(tmp, 'elsewhere');
    await fs.mkdir(real, { mode: 0o700 });
    const dir = path.join(tmp, 'cognito-creds');
    await fs.symlink(real, dir);
    const cache = new CredentialsCache(dir);
    await expect(cache.read('k')).rejects.toThrow(`the cache directory ${dir} is a symbolic link; refusing to use it`);
    await expect(cache.write('k', entry)).rejects.toBeInstanceOf(CredsError);
    expect(await fs.readdir(real)).toEqual([]);
  });

  it('refuses a directory owned by someone else', async () => {
    const dir = path.join(tmp, 'cognito-creds');
    await fs.mkdir(dir, { mode: 0o700 });
    // Pretend to be another user: the directory's owner is not "us".
    const cache = new CredentialsCache(dir, ((await fs.stat(dir)).uid + 1) >>> 0);
    await expect(cache.read('k')).rejects.toThrow(/belongs to uid \d+, not to you; refusing to use it/);
  });

  it('refuses an entry file that is a symlink (never followed, left as it is), and ignores a damaged one', async () => {
    const cache = new CredentialsCache(path.join(tmp, 'cognito-creds'));
    await cache.write('k', entry);
    const planted = path.join(tmp, 'planted.json');
    await fs.writeFile(planted, serializeEntry({ ...entry, accessKeyId: 'ASIAPLANTED' }));
    await fs.rm(cache.entryPath('k'));
    await fs.symlink(planted, cache.entryPath('k'));
    await expect(cache.read('k')).rejects.toThrow(`the cache entry ${cache.entryPath('k')} is a symbolic link, not a regular file`);
    expect(await fs.readlink(cache.entryPath('k'))).toBe(planted);
    await fs.rm(cache.entryPath('k'));
    await fs.writeFile(cache.entryPath('k'), '{"version":1,"acc');
    expect(await cache.read('k')).toBeUndefined();
    await cache.write('k', entry);
    expect(await cache.read('k')).toEqual(entry);
  });
});
