/**
 * Reading and replacing only regular files: a FIFO, socket, directory or symbolic link at the path
 * is refused at once, named, and left as it was; nothing blocks. Real FIFOs and sockets in a temp
 * directory (see test/support/special-files.ts for why a wrong open cannot hang this file).
 */
import { promises as fs, lstatSync, readFileSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWriteFile } from '../../../src/fs/atomic-write.js';
import { isNotRegularFile, NotRegularFileError, withRegularFileSync } from '../../../src/fs/regular-file.js';
import { SpecialFiles } from '../../support/special-files.js';

let dir: string;
let special: SpecialFiles;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-regular-'));
  special = new SpecialFiles();
});
afterEach(async () => {
  await special.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** The kind of thing at `file`, without following a link. */
function kind(file: string): string {
  const s = lstatSync(file);
  return s.isFIFO() ? 'fifo' : s.isSocket() ? 'socket' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : s.isFile() ? 'file' : 'other';
}

/** Each thing that is not a regular file, made at `file`; returns its kind and the expected problem. */
const makers: Array<[string, (file: string) => Promise<unknown>, string, string]> = [
  ['a FIFO', async (f) => special.fifo(f), 'fifo', 'is a FIFO, not a regular file'],
  ['a unix socket', (f) => special.socket(f), 'socket', 'is a socket, not a regular file'],
  ['a directory', (f) => fs.mkdir(f), 'dir', 'is a directory, not a regular file'],
  ['a symbolic link to a regular file', async (f) => { await fs.writeFile(`${f}.real`, 'planted'); await fs.symlink(`${f}.real`, f); }, 'symlink', 'is a symbolic link, not a regular file'],
  ['a symbolic link to a FIFO', async (f) => { special.fifo(`${f}.fifo`); await fs.symlink(`${f}.fifo`, f); }, 'symlink', 'is a symbolic link, not a regular file'],
  ['a dangling symbolic link', (f) => fs.symlink(path.join(dir, 'nowhere'), f), 'symlink', 'is a symbolic link, not a regular file'],
];

describe('withRegularFileSync', () => {
  it('reads a regular file through its descriptor, with its fstat', async () => {
    const file = path.join(dir, 'f');
    await fs.writeFile(file, 'hello');
    const got = withRegularFileSync(file, process.getuid?.(), (fd, stat: Stats) => ({ text: readFileSync(fd, 'utf8'), size: stat.size }));
    expect(got).toEqual({ text: 'hello', size: 5 });
  });

  it('is undefined when nothing is there', () => {
    expect(withRegularFileSync(path.join(dir, 'absent'), undefined, () => 'opened')).toBeUndefined();
  });

  it.each(makers)('refuses %s at once, naming it, and leaves it as it was', async (_name, make, expectedKind, problem) => {
    const file = path.join(dir, 'entry');
    await make(file);
    const t0 = performance.now();
    let thrown: unknown;
    try {
      withRegularFileSync(file, undefined, () => 'opened');
    } catch (err) {
      thrown = err;
    }
    expect(performance.now() - t0).toBeLessThan(500);
    expect(thrown).toBeInstanceOf(NotRegularFileError);
    expect(isNotRegularFile(thrown)).toBe(true);
    expect((thrown as NotRegularFileError).message).toBe(`${file} ${problem}`);
    expect(kind(file)).toBe(expectedKind);
  });

  it('refuses a regular file of another uid when an owner is required', async () => {
    const file = path.join(dir, 'f');
    await fs.writeFile(file, 'x');
    const owner = (await fs.stat(file)).uid;
    const other = (owner + 1) >>> 0;
    expect(() => withRegularFileSync(file, other, () => 'opened')).toThrow(`${file} belongs to uid ${owner}, not to you`);
    expect(withRegularFileSync(file, owner, () => 'opened')).toBe('opened');
    expect(withRegularFileSync(file, undefined, () => 'opened')).toBe('opened');
  });

  it('refuses a character device without opening it (read-only: /dev/null is only looked at)', () => {
    expect(() => withRegularFileSync('/dev/null', undefined, () => 'opened')).toThrow('/dev/null is a character device, not a regular file');
  });
});

describe('atomicWriteFile never replaces what is not a regular file', () => {
  it.each(makers)('%s at the target: refused, left as it was, no temporary file left', async (_name, make, expectedKind, problem) => {
    const file = path.join(dir, 'target');
    await make(file);
    const before = (await fs.readdir(dir)).sort();
    const t0 = performance.now();
    await expect(atomicWriteFile(file, 'new bytes', 0o600)).rejects.toThrow(`${file} ${problem}`);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(kind(file)).toBe(expectedKind);
    expect((await fs.readdir(dir)).sort()).toEqual(before);
    if (expectedKind === 'symlink' && (await fs.stat(file).catch(() => undefined))?.isFile()) {
      expect(await fs.readFile(file, 'utf8')).toBe('planted'); // the link's target is untouched too
    }
  });

  it('replaces a regular file and creates a missing one', async () => {
    const file = path.join(dir, 'target');
    await atomicWriteFile(file, 'one', 0o600);
    await atomicWriteFile(file, 'two', 0o600);
    expect(await fs.readFile(file, 'utf8')).toBe('two');
    expect(await fs.readdir(dir)).toEqual(['target']);
  });
});
