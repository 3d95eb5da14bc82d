/**
 * `setup` and `remove` of one profile take turns. Each holds the profile's lock while it changes
 * the profile's secrets and its config section, so that in whatever order they run the profile
 * ends with both (setup last) or with neither (remove last): never a section whose password is
 * gone, never a password left behind without its section.
 *
 * The lock file sits beside the config file (`config.cognito-creds.profile.NAME.lock`): wherever
 * the config can be edited, it can be created, and it is removed when released.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CredsError, errnoText, profileLabel } from '../errors.js';
import { acquireLock, LockTimeoutError } from '../fs/lock.js';

/** Longer than one keychain call may take (its 30 s bound): the holder may be waiting on one. */
const WAIT_MS = 40_000;
/** A live holder keeps it at most this long; a dead one's lock is broken at once. */
const STALE_MS = 120_000;

export function profileLockPath(target: string, profile: string): string {
  const safe = /^[A-Za-z0-9._@+-]{1,64}$/.test(profile) ? profile : createHash('sha256').update(profile).digest('hex').slice(0, 32);
  return `${target}.cognito-creds.profile.${safe}.lock`;
}

export async function withProfileLock<T>(configFile: string, profile: string, fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  const target = await fs.realpath(configFile).catch(() => path.resolve(configFile));
  const lockPath = profileLockPath(target, profile);
  let release;
  try {
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    release = await acquireLock(lockPath, { timeoutMs: options.timeoutMs ?? WAIT_MS, staleMs: STALE_MS });
  } catch (err) {
    if (err instanceof LockTimeoutError) {
      throw new CredsError(
        'config',
        `another cognito-creds process has been changing ${profileLabel(profile)} for ${Math.round(err.waitedMs / 1000)} s; nothing was changed`,
        `Try again; if no other cognito-creds runs, delete ${lockPath}.`,
      );
    }
    throw new CredsError(
      'config',
      `cannot lock ${profileLabel(profile)}: its lock file ${lockPath}: ${errnoText(err)}; nothing was changed`,
      `Check the permissions of the directory; remove ${lockPath} if it is not a lock file of a running cognito-creds.`,
      { cause: err },
    );
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
