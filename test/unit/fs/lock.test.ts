import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWriteFile } from '../../../src/fs/atomic-write.js';
import { acquireLock, LockTimeoutError, withLock } from '../../../src/fs/lock.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-lock-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('file lock', () => {
  it('lets one holder in at a time', async () => {
    const lock = path.join(dir, 'l');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withLock(lock, { timeoutMs: 5000, staleMs: 30_000, pollMs: 2 }, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    await expect(fs.stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('times out while a live holder keeps it', async () => {
    const lock = path.join(dir, 'l');
    const release = await acquireLock(lock, { timeoutMs: 100, staleMs: 30_000 });
    await expect(acquireLock(lock, { timeoutMs: 100, staleMs: 30_000, pollMs: 10 })).rejects.toBeInstanceOf(LockTimeoutError);
    await release();
  });

  it('breaks the lock of a holder killed with SIGKILL at once', async () => {
    const lock = path.join(dir, 'l');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    child.kill('SIGKILL');
    // Simulate what a killed holder leaves: its pid (now dead) in the lock file.
    await new Promise((r) => child.on('exit', r));
    await fs.writeFile(lock, `${child.pid} ${os.hostname()} deadbeef\n`);
    const t0 = Date.now();
    const release = await acquireLock(lock, { timeoutMs: 2000, staleMs: 60_000, pollMs: 5 });
    expect(Date.now() - t0).toBeLessThan(1000);
    await release();
  });

  it('breaks a lock older than staleMs even if the pid looks alive', async () => {
    const lock = path.join(dir, 'l');
    await fs.writeFile(lock, `${process.pid} ${os.hostname()} old\n`);
    const past = new Date(Date.now() - 120_000);
    await fs.utimes(lock, past, past);
    const release = await acquireLock(lock, { timeoutMs: 1000, staleMs: 60_000, pollMs: 5 });
    expect(await fs.readFile(lock, 'utf8')).not.toContain(' old');
    await release();
  });
});

describe('atomicWriteFile', () => {
  it('writes with the given mode and leaves no temporary file', async () => {
    const file = path.join(dir, 'f');
    await atomicWriteFile(file, 'one', 0o600);
    await atomicWriteFile(file, 'two', 0o640);
    expect(await fs.readFile(file, 'utf8')).toBe('two');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o640);
    expect(await fs.readdir(dir)).toEqual(['f']);
  });
});
