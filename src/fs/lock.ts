import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { sleep } from '../time.js';
import { uniqueSuffix } from './unique.js';

/**
 * A lock file that many processes on one machine can contend for: created with O_EXCL,
 * holding "pid hostname nonce". A lock whose holder died (kill -9) is broken as soon as a
 * waiter sees that its pid no longer exists on this host, or once it is older than `staleMs`
 * (which also covers a reused pid and a holder on another host sharing the directory).
 */
export interface LockOptions {
  /** Give up waiting after this long. */
  timeoutMs: number;
  /** A lock older than this is taken to be abandoned. */
  staleMs: number;
  /** Poll interval while waiting (a little jitter is added). */
  pollMs?: number;
}

export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
  constructor(readonly lockPath: string, readonly waitedMs: number) {
    super(`timed out after ${waitedMs} ms waiting for lock ${lockPath}`);
  }
}

export type ReleaseLock = () => Promise<void>;

export async function acquireLock(lockPath: string, options: LockOptions): Promise<ReleaseLock> {
  const started = Date.now();
  const pollMs = options.pollMs ?? 25;
  const content = `${process.pid} ${hostname()} ${uniqueSuffix()}\n`;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(content, 'utf8');
      } finally {
        await handle.close();
      }
      return async () => {
        // Remove only our own lock: if it was broken as stale and taken over, leave the new one.
        const now = await fs.readFile(lockPath, 'utf8').catch(() => undefined);
        if (now === content) await fs.rm(lockPath, { force: true });
      };
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    await breakIfStale(lockPath, options.staleMs);
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

async function breakIfStale(lockPath: string, staleMs: number): Promise<void> {
  let seen: string;
  let mtimeMs: number;
  try {
    seen = await fs.readFile(lockPath, 'utf8');
    mtimeMs = (await fs.stat(lockPath)).mtimeMs;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return; // released meanwhile
    throw err;
  }
  const holderGone = holderIsDead(seen);
  const tooOld = Date.now() - mtimeMs > staleMs;
  if (!holderGone && !tooOld) return;
  // Compare again right before removing, so a lock just re-created by another waiter survives.
  const again = await fs.readFile(lockPath, 'utf8').catch(() => undefined);
  if (again === seen) await fs.rm(lockPath, { force: true });
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
