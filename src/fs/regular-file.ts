/**
 * Opening a file that must be a regular file, so that whatever else sits at its path can neither
 * block us nor be followed. A FIFO blocks an ordinary open until someone writes to it, forever if
 * nobody does; opening a device can have effects of its own; a symbolic link leads elsewhere. So:
 * lstat first, and anything but a regular file (of `uid`, when given) is refused without being
 * opened; then open it with O_NOFOLLOW | O_NONBLOCK | O_NOCTTY (whatever replaced it meanwhile
 * cannot block or be followed either) and check with fstat that the file opened is the one looked
 * at. The refusal (NotRegularFileError) names the path and what is there; nothing is changed.
 *
 * Synchronous on purpose: the cache reads its entry on the warm path, where node's fs/promises
 * costs to load; and with these flags nothing here can wait on another process.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';

/** Flags of an open that neither blocks on a FIFO nor follows a link (those unknown on this platform are 0). */
export const NO_BLOCK_NO_FOLLOW = (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** What the path holds instead of a regular file of ours. */
export class NotRegularFileError extends Error {
  override readonly name = 'NotRegularFileError';
  constructor(
    readonly path: string,
    /** What is there: `a FIFO`, `a directory`, …; `a regular file` when only its owner is wrong. */
    readonly what: string,
    /** `is a FIFO, not a regular file`, `belongs to uid 1000, not to you`. */
    readonly problem: string,
  ) {
    super(`${path} ${problem}`);
  }
}

/** By name, not `instanceof`: each bundle of the program has its own copy of this module. */
export function isNotRegularFile(err: unknown): err is NotRegularFileError {
  return err instanceof Error && err.name === 'NotRegularFileError' && typeof (err as NotRegularFileError).problem === 'string';
}

/** The refusal of `stat` at `file` when it is not a regular file of `uid` (undefined: no owner check). */
export function notRegular(file: string, stat: Stats, uid: number | undefined): NotRegularFileError | undefined {
  if (!stat.isFile()) {
    const what = fileType(stat);
    return new NotRegularFileError(file, what, `is ${what}, not a regular file`);
  }
  if (uid !== undefined && stat.uid !== uid) return new NotRegularFileError(file, 'a regular file', `belongs to uid ${stat.uid}, not to you`);
  return undefined;
}

function fileType(stat: Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'an unknown kind of file';
}

/**
 * Open `file` read-only when it is a regular file (of `uid`, when given), pass the descriptor and
 * its fstat to `use`, and close it. Undefined when nothing is there; throws NotRegularFileError for
 * anything else at the path, and the file system's error when it cannot be looked at or opened.
 */
export function withRegularFileSync<T>(file: string, uid: number | undefined, use: (fd: number, stat: Stats) => T): T | undefined {
  let seen: Stats;
  try {
    seen = lstatSync(file);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  refuseUnlessRegular(file, seen, uid);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | NO_BLOCK_NO_FOLLOW);
  } catch (err) {
    if (isNotFound(err)) return undefined; // removed meanwhile
    const code = (err as NodeJS.ErrnoException).code;
    // Replaced meanwhile by a link (ELOOP) or a socket (ENXIO): refused as if it had been there.
    if (code === 'ELOOP') throw new NotRegularFileError(file, 'a symbolic link', 'is a symbolic link, not a regular file');
    if (code === 'ENXIO') throw new NotRegularFileError(file, 'a socket', 'is a socket, not a regular file');
    throw err;
  }
  try {
    const stat = fstatSync(fd);
    refuseUnlessRegular(file, stat, uid);
    if (stat.ino !== seen.ino || stat.dev !== seen.dev) throw new NotRegularFileError(file, 'a replaced file', 'was replaced while it was being opened');
    return use(fd, stat);
  } finally {
    closeSync(fd);
  }
}

/**
 * Throws NotRegularFileError when something other than a regular file is at `file` (a link is not
 * followed); nothing there is fine. For a write that would replace what is there (a rename).
 */
export function refuseNonRegularAtSync(file: string): void {
  let stat: Stats;
  try {
    stat = lstatSync(file);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  refuseUnlessRegular(file, stat, undefined);
}

function refuseUnlessRegular(file: string, stat: Stats, uid: number | undefined): void {
  const refusal = notRegular(file, stat, uid);
  if (refusal) throw refusal;
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
