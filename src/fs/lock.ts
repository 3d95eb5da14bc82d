import { promises as fs, readFileSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { sleep } from '../time.js';
import { isNotRegularFile, withRegularFileSync } from './regular-file.js';
import { uniqueSuffix } from './unique.js';

/**
 * A lock file that many processes on one machine can contend for: created with O_EXCL,
 * holding "pid hostname nonce". A lock whose holder died (kill -9) is broken as soon as a
 * waiter sees that its pid no longer exists on this host, or once it is older than `staleMs`
 * (which also covers a reused pid and a holder on another host sharing the directory). A lock
 * file holding no such line (its write failed: a full disk) is broken once it is a moment old.
 *
 * A lock is only ever read when lstat says it is a regular file (of `uid`, when given), and then
 * without blocking: anything else at the path (a FIFO, socket, directory, link, device) is never
 * waited on, read or removed; it is a LockPathNotRegularError at once.
 */
export interface LockOptions {
  /** Give up waiting after this long. */
  timeoutMs: number;
  /** A lock older than this is taken to be abandoned. */
  staleMs: number;
  /** Poll interval while waiting (a little jitter is added). */
  pollMs?: number;
  /** The lock file must belong to this uid (undefined: any owner). */
  uid?: number | undefined;
  /** How the content is written to the new lock file (tests: a full disk). */
  write?: (handle: fs.FileHandle, content: string) => Promise<void>;
}

/** A lock file with no valid content (its write failed) older than this was abandoned. */
export const EMPTY_LOCK_GRACE_MS = 2_000;
/** A lock file is one short line; a larger one is read as no valid content. */
const MAX_LOCK_BYTES = 1024;

export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
  constructor(readonly lockPath: string, readonly waitedMs: number) {
    super(`timed out after ${waitedMs} ms waiting for lock ${lockPath}`);
  }
}

/** Something other than a regular file of ours is at the lock's path; it was left as it was. */
export class LockPathNotRegularError extends Error {
  override readonly name = 'LockPathNotRegularError';
  constructor(
    readonly lockPath: string,
    /** What is there: `a FIFO`, `a directory`, …; `a regular file` when only its owner is wrong. */
    readonly what: string,
    /** `is a FIFO, not a regular file`, `belongs to uid 1000, not to you`. */
    readonly problem: string,
  ) {
    super(`the lock file ${lockPath} ${problem}`);
  }
}

/** By name, not `instanceof`, as for CredsError (src/errors.ts). */
export function isLockPathNotRegular(err: unknown): err is LockPathNotRegularError {
  return err instanceof Error && err.name === 'LockPathNotRegularError' && typeof (err as LockPathNotRegularError).lockPath === 'string';
}

export type ReleaseLock = () => Promise<void>;

export async function acquireLock(lockPath: string, options: LockOptions): Promise<ReleaseLock> {
  const started = Date.now();
  const pollMs = options.pollMs ?? 25;
  const content = `${process.pid} ${hostname()} ${uniqueSuffix()}\n`;
  for (;;) {
    let handle: fs.FileHandle | undefined;
    try {
      // O_EXCL: an existing path of any kind (a link too) is EEXIST; nothing is opened or followed.
      handle = await fs.open(lockPath, 'wx', 0o600);
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    if (handle) {
      await writeLock(lockPath, handle, content, options.write ?? ((h, text) => h.writeFile(text, 'utf8')));
      return async () => {
        // Remove only our own lock: if it was broken as stale and taken over, leave the new one.
        const now = safeRead(lockPath, options.uid);
        if (now?.text === content) await fs.rm(lockPath, { force: true });
      };
    }
    await breakIfStale(lockPath, options.staleMs, options.uid);
    const waited = Date.now() - started;
    if (waited >= options.timeoutMs) throw new LockTimeoutError(lockPath, waited);
    await sleep(pollMs + Math.floor(Math.random() * pollMs));
  }
}

export async function withLock<T>(lockPath: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(lockPath, options);
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * Write the content into the lock just created. If that fails (a full disk), the lock file is
 * removed before the error goes on, so that no empty lock makes the next caller wait.
 */
async function writeLock(
  lockPath: string,
  handle: fs.FileHandle,
  content: string,
  write: (handle: fs.FileHandle, content: string) => Promise<void>,
): Promise<void> {
  const ours = await handle.stat().catch(() => undefined);
  const failures: unknown[] = [];
  await write(handle, content).catch((err: unknown) => failures.push(err));
  await handle.close().catch((err: unknown) => failures.push(err));
  if (failures.length === 0) return;
  // Only the file this call created: compare its inode with what is at the path now.
  const there = await fs.lstat(lockPath).catch(() => undefined);
  if (ours && there && sameFile(ours, there)) await fs.rm(lockPath, { force: true }).catch(() => undefined);
  throw failures[0];
}

async function breakIfStale(lockPath: string, staleMs: number, uid: number | undefined): Promise<void> {
  const seen = readLock(lockPath, uid);
  if (!seen) return; // released meanwhile
  const age = Date.now() - seen.stat.mtimeMs;
  const abandoned = age > staleMs || (isLockLine(seen.text) ? holderIsDead(seen.text) : age > EMPTY_LOCK_GRACE_MS);
  if (!abandoned) return;
  // Look again right before removing, so a lock just re-created by another waiter survives.
  const again = safeRead(lockPath, uid);
  if (again && again.text === seen.text && sameFile(again.stat, seen.stat)) await fs.rm(lockPath, { force: true });
}

/** The lock's content and stat, undefined when it is gone; a LockPathNotRegularError for anything but a regular file. */
function readLock(lockPath: string, uid: number | undefined): { text: string; stat: Stats } | undefined {
  try {
    return withRegularFileSync(lockPath, uid, (fd, stat) => ({ stat, text: stat.size > MAX_LOCK_BYTES ? '' : readFileSync(fd, 'utf8') }));
  } catch (err) {
    if (isNotRegularFile(err)) throw new LockPathNotRegularError(lockPath, err.what, err.problem);
    throw err;
  }
}

function safeRead(lockPath: string, uid: number | undefined): { text: string; stat: Stats } | undefined {
  try {
    return readLock(lockPath, uid);
  } catch {
    return undefined;
  }
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

/** "pid hostname nonce\n", as acquireLock writes it. */
function isLockLine(content: string): boolean {
  return /^\d+ \S+ \S+\n$/.test(content);
}

/** True when the lock names a pid on this host that no longer runs. */
function holderIsDead(content: string): boolean {
  const [pidText, host] = content.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || host !== hostname()) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return isErrno(err, 'ESRCH');
  }
}

export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}
