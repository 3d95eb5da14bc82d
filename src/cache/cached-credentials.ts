/**
 * Credentials through the cache: serve a fresh entry; otherwise one caller per identity signs
 * in while the others wait on a lock and then read what it wrote. The cache never stands in the
 * way: when it cannot be used, credentials still come, and the problem is reported as a warning
 * (one line at most: once the cache has failed, it is not used again in this call). An entry or
 * lock that is not a regular file of the user is such a problem: a miss, never a wait.
 */
import type { AwsCredentials } from '../shapes.js';
import { errnoText, isCredsError } from '../errors.js';
import { acquireLock, isLockPathNotRegular, LockTimeoutError, type ReleaseLock } from '../fs/lock.js';
import type { DebugLog } from '../log/debug.js';
import type { CredentialsCache } from './cache-dir.js';
import { type CacheEntry, entryFor } from './entry.js';
import { isFresh } from './freshness.js';

export interface CachedCredentialsOptions {
  cache: CredentialsCache;
  key: string;
  /** identityOf(profile): an entry recorded for another identity is not served. */
  identity: string;
  profile: string;
  minTtlMs: number;
  now: () => number;
  log: DebugLog;
  /** A problem that does not stop the credentials (printed on stderr even on success). */
  warn: (message: string) => void;
  /** How long a caller waits for another's sign-in before signing in itself. */
  lockTimeoutMs: number;
}

export async function cachedCredentials(
  options: CachedCredentialsOptions,
  signIn: () => Promise<AwsCredentials>,
): Promise<CacheEntry> {
  const { cache, key, log } = options;
  let usable = true;
  const read = async (): Promise<CacheEntry | undefined> => {
    if (!usable) return undefined;
    try {
      return await cache.read(key);
    } catch (err) {
      usable = false;
      options.warn(describe(err));
      return undefined;
    }
  };
  const fresh = (entry: CacheEntry | undefined) =>
    entry !== undefined && entry.identity === options.identity && isFresh({ issuedAt: entry.issuedAt, expiresAt: entry.expiresAt }, options.now(), options.minTtlMs);

  const first = await read();
  if (fresh(first)) {
    log(`cache hit: ${cache.entryPath(key)}, expires ${new Date(first!.expiresAt).toISOString()}`);
    return first!;
  }
  log(first ? 'cache entry too old to serve' : 'cache miss');

  let release: ReleaseLock | undefined;
  if (usable) {
    const lockPath = cache.lockPath(key);
    try {
      await cache.checkDir(true);
      release = await log.step('wait for the sign-in lock', () =>
        acquireLock(lockPath, { timeoutMs: options.lockTimeoutMs, staleMs: options.lockTimeoutMs * 2, uid: cache.uid }),
      );
    } catch (err) {
      if (err instanceof LockTimeoutError) log(`lock still held after ${err.waitedMs} ms; signing in without it`);
      else {
        usable = false;
        options.warn(describe(isCredsError(err) || isLockPathNotRegular(err) ? err : new Error(`cannot take the lock file ${lockPath}: ${errnoText(err)}`)));
      }
    }
  }
  try {
    // Another caller may have signed in while this one waited.
    const again = release ? await read() : undefined;
    if (fresh(again)) {
      log('another process signed in meanwhile: cache hit');
      return again!;
    }
    const credentials = await signIn();
    const entry = entryFor(options.profile, options.identity, credentials, options.now());
    if (usable) {
      await cache.write(key, entry).then(
        () => log(`cached in ${cache.entryPath(key)}`),
        (err: unknown) => options.warn(describe(err)),
      );
    }
    return entry;
  } finally {
    await release?.().catch(() => undefined);
  }
}

function describe(err: unknown): string {
  const text = isCredsError(err) ? err.message : err instanceof Error ? err.message : String(err);
  return `${text}; the credentials are not cached`;
}
