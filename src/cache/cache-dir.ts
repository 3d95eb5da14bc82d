/**
 * The credentials cache on disk: `$XDG_CACHE_HOME/cognito-creds` or `~/.cache/cognito-creds`,
 * a 0700 directory of 0600 files owned by the user. A directory that is a symlink or belongs to
 * someone else is refused: whoever controls it could hand us credentials of their choosing. An
 * entry (or lock) that is not a regular file of the user is never opened, followed or waited on: it
 * is refused, naming it, and left as it is.
 */
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { CredsError, errnoText } from '../errors.js';
import { atomicWriteFile } from '../fs/atomic-write.js';
import { isErrno } from '../fs/lock.js';
import { checkPrivateDirSync, ensurePrivateDir, type PrivateDirProblem } from '../fs/private-dir.js';
import { isNotRegularFile, type NotRegularFileError, withRegularFileSync } from '../fs/regular-file.js';
import { type CacheEntry, parseEntry, serializeEntry } from './entry.js';

/** An entry is a few hundred bytes; a larger file is not one. */
const MAX_ENTRY_BYTES = 64 * 1024;

export function cacheDirPath(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache');
  return path.join(base, 'cognito-creds');
}

export class CredentialsCache {
  constructor(
    readonly dir: string,
    /** The owner every file in the cache must have (undefined: not checked, e.g. on Windows). */
    readonly uid: number | undefined = process.getuid?.(),
  ) {}

  entryPath(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  lockPath(key: string): string {
    return path.join(this.dir, `${key}.lock`);
  }

  /**
   * The entry for `key`, or undefined when there is none or it is damaged (a damaged file is
   * simply replaced by the next write). Throws a CredsError for an unsafe directory, and for an
   * entry that is not a regular file of the user (a FIFO, socket, directory, symbolic link, device
   * or someone else's file), which is left as it is.
   */
  async read(key: string): Promise<CacheEntry | undefined> {
    // Synchronous I/O on purpose: this is the warm path, and node's fs/promises costs to load.
    if (!this.checkDirSync()) return undefined;
    const file = this.entryPath(key);
    try {
      return withRegularFileSync(file, this.uid, (fd, stat) => (stat.size > MAX_ENTRY_BYTES ? undefined : parseEntry(readFileSync(fd, 'utf8'))));
    } catch (err) {
      if (isNotRegularFile(err)) throw refuseEntry(file, err);
      throw cacheError(`cannot read ${file}: ${errnoText(err)}`, err);
    }
  }

  async write(key: string, entry: CacheEntry): Promise<void> {
    await this.checkDir(true);
    try {
      await atomicWriteFile(this.entryPath(key), serializeEntry(entry), 0o600, { durable: false });
    } catch (err) {
      if (isNotRegularFile(err)) throw refuseEntry(err.path, err);
      throw cacheError(`cannot write the credentials cache in ${this.dir}: ${errnoText(err)}`, err);
    }
  }

  /** True when an entry was deleted. */
  async delete(key: string): Promise<boolean> {
    try {
      await fs.unlink(this.entryPath(key));
      return true;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false;
      throw cacheError(`cannot delete ${this.entryPath(key)}: ${errnoText(err)}`, err);
    }
  }

  /**
   * Check (and with `create`, make) the directory. Returns false when it does not exist and
   * was not to be created. A directory with group or other permissions is narrowed to 0700.
   */
  async checkDir(create: boolean): Promise<boolean> {
    return ensurePrivateDir(this.dir, this.uid, create, (problem) => refuseCacheDir(this.dir, problem));
  }

  /** The checks of checkDir on an existing directory; false when there is none. */
  private checkDirSync(): boolean {
    return checkPrivateDirSync(this.dir, this.uid, (problem) => refuseCacheDir(this.dir, problem));
  }
}

/** The cache in its usual place (see cacheDirPath). */
export function openCredentialsCache(env: Readonly<Record<string, string | undefined>>, home: string): CredentialsCache {
  return new CredentialsCache(cacheDirPath(env, home));
}

function refuseCacheDir(dir: string, problem: PrivateDirProblem): CredsError {
  switch (problem.reason) {
    case 'unusable':
      return cacheError(`cannot use the cache directory ${dir}: ${errnoText(problem.cause)}`, problem.cause);
    case 'create-failed':
      return cacheError(`cannot create the cache directory ${dir}: ${errnoText(problem.cause)}`, problem.cause);
    case 'symlink':
      return cacheError(`the cache directory ${dir} is a symbolic link; refusing to use it`);
    case 'not-a-directory':
      return cacheError(`the cache directory ${dir} is not a directory`);
    case 'foreign':
      return cacheError(`the cache directory ${dir} belongs to uid ${problem.uid}, not to you; refusing to use it`);
    case 'chmod-failed':
      return cacheError(`cannot make the cache directory ${dir} private (0700): ${errnoText(problem.cause)}`, problem.cause);
  }
}

/** An entry that is not a regular file of the user: refused, left as it is. */
function refuseEntry(file: string, err: NotRegularFileError): CredsError {
  return new CredsError('cache', `the cache entry ${file} ${err.problem}`, `Delete ${file}; cognito-creds writes a new one.`, { cause: err });
}

function cacheError(message: string, cause?: unknown): CredsError {
  return new CredsError('cache', message, 'Fix or remove that directory (set XDG_CACHE_HOME to use another place).', { cause });
}
