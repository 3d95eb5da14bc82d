/**
 * The lock file against what can sit at its path, and against its own failed write: anything but
 * a regular file (of the given uid) is a LockPathNotRegularError at once, never a wait, and is left
 * as it was; a lock whose write failed is removed, so the next caller does not wait.
 */
import { promises as fs, lstatSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, EMPTY_LOCK_GRACE_MS, isLockPathNotRegular, LockPathNotRegularError, LockTimeoutError } from '../../../src/fs/lock.js';
import { SpecialFiles } from '../../support/special-files.js';

let dir: string;
let lock: string;
let special: SpecialFiles;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-lockpath-'));
  lock = path.join(dir, 'k.lock');
  special = new SpecialFiles();
});
afterEach(async () => {
  await special.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Options that would wait 30 s for a held lock: a refusal must come long before. */
const patient = { timeoutMs: 30_000, staleMs: 60_000, pollMs: 5 };

function kind(file: string): string {
  const s = lstatSync(file);
  return s.isFIFO() ? 'fifo' : s.isSocket() ? 'socket' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : s.isFile() ? 'file' : 'other';
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const t0 = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - t0, value };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

describe('a lock path that is not a regular file', () => {
  it.each<[string, (file: string) => Promise<unknown>, string, string]>([
    ['a FIFO', async (f) => special.fifo(f), 'fifo', 'a FIFO'],
    ['a unix socket', (f) => special.socket(f), 'socket', 'a socket'],
    ['a directory', (f) => fs.mkdir(f), 'dir', 'a directory'],
    ['a symbolic link to a lock-like file', async (f) => { await fs.writeFile(`${f}.real`, `1 ${os.hostname()} x\n`); await fs.symlink(`${f}.real`, f); }, 'symlink', 'a symbolic link'],
    ['a symbolic link to a FIFO', async (f) => { special.fifo(`${f}.fifo`); await fs.symlink(`${f}.fifo`, f); }, 'symlink', 'a symbolic link'],
    ['a dangling symbolic link', (f) => fs.symlink(path.join(dir, 'nowhere'), f), 'symlink', 'a symbolic link'],
  ])('%s: refused at once, named, left as it was', async (_name, make, expectedKind, what) => {
    await make(lock);
    const r = await timed(() => acquireLock(lock, patient));
    expect(r.ms).toBeLessThan(1_000);
    expect(r.error).toBeInstanceOf(LockPathNotRegularError);
    expect(isLockPathNotRegular(r.error)).toBe(true);
    expect((r.error as Error).message).toBe(`the lock file ${lock} is ${what}, not a regular file`);
    expect((r.error as LockPathNotRegularError).what).toBe(what);
    expect(kind(lock)).toBe(expectedKind);
  });

  it('a regular lock file of another uid is refused when an owner is required', async () => {
    await fs.writeFile(lock, `${process.pid} ${os.hostname()} theirs\n`);
    const owner = (await fs.stat(lock)).uid;
    const r = await timed(() => acquireLock(lock, { ...patient, uid: (owner + 1) >>> 0 }));
    expect(r.ms).toBeLessThan(1_000);
    expect((r.error as Error).message).toBe(`the lock file ${lock} belongs to uid ${owner}, not to you`);
    expect(await fs.readFile(lock, 'utf8')).toBe(`${process.pid} ${os.hostname()} theirs\n`);
  });

  it('the release never reads a FIFO put in place of the lock, and leaves it', async () => {
    const release = await acquireLock(lock, patient);
    await fs.rm(lock);
    special.fifo(lock);
    const r = await timed(release);
    expect(r.ms).toBeLessThan(1_000);
    expect(r.error).toBeUndefined();
    expect(kind(lock)).toBe('fifo');
  });
});

describe('a lock whose write failed', () => {
  it('is removed before the error goes on; the next acquire does not wait', async () => {
    const r = await timed(() => acquireLock(lock, { ...patient, write: async () => { throw enospc(); } }));
    expect((r.error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(await fs.readdir(dir)).toEqual([]);
    const next = await timed(() => acquireLock(lock, patient));
    expect(next.ms).toBeLessThan(500);
    expect(await fs.readFile(lock, 'utf8')).toMatch(new RegExp(`^${process.pid} ${os.hostname()} \\S+\\n$`));
    await next.value!();
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('a half-written lock is removed too', async () => {
    const r = await timed(() =>
      acquireLock(lock, {
        ...patient,
        write: async (handle, content) => {
          await handle.write(content.slice(0, 3));
          throw enospc();
        },
      }),
    );
    expect((r.error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('a lock created meanwhile by another process at the same path is not removed', async () => {
    const r = await timed(() =>
      acquireLock(lock, {
        ...patient,
        write: async () => {
          // Another waiter broke ours and made its own: a different file at the path.
          await fs.rm(lock);
          await fs.writeFile(lock, 'theirs\n');
          throw enospc();
        },
      }),
    );
    expect((r.error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(await fs.readFile(lock, 'utf8')).toBe('theirs\n');
  });

  it('an empty lock left behind (by an older version) is broken once it is a moment old, not waited on', async () => {
    await fs.writeFile(lock, '');
    const past = new Date(Date.now() - EMPTY_LOCK_GRACE_MS - 5_000);
    await fs.utimes(lock, past, past);
    const r = await timed(() => acquireLock(lock, patient));
    expect(r.ms).toBeLessThan(500);
    await r.value!();
  });

  it('an empty lock just created (its holder about to write) is waited on', async () => {
    await fs.writeFile(lock, '');
    const r = await timed(() => acquireLock(lock, { timeoutMs: 200, staleMs: 60_000, pollMs: 5 }));
    expect(r.error).toBeInstanceOf(LockTimeoutError);
    expect(await fs.readFile(lock, 'utf8')).toBe('');
  });
});
