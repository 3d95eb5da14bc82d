/**
 * A directory that must be ours alone: owned by this user, not a symbolic link, mode 0700 (a wider
 * one is narrowed). Whoever controls such a directory could read or plant what is in it, so
 * anything else is refused. Shared by the credentials cache and the secrets file; each words
 * the refusal itself, from the reason given here.
 *
 * Synchronous checks on purpose: the cache checks on the warm path, where node's fs/promises
 * costs to load; only creating the directory is asynchronous.
 */
import { chmodSync, lstatSync, promises as fs, type Stats } from 'node:fs';

/** Why the directory cannot be used; `cause` is the file system error, when there is one. */
export type PrivateDirProblem =
  | { reason: 'unusable'; cause: unknown } // it cannot even be looked at (lstat failed)
  | { reason: 'create-failed'; cause: unknown }
  | { reason: 'symlink' }
  | { reason: 'not-a-directory' }
  | { reason: 'foreign'; uid: number } // it belongs to that uid
  | { reason: 'chmod-failed'; cause: unknown }; // it is wider than 0700 and cannot be narrowed

/** Turns a problem into the error the caller throws, in the caller's words. */
export type RefusePrivateDir = (problem: PrivateDirProblem) => Error;

/**
 * Check an existing directory: false when there is none, true when it is usable (narrowed to
 * 0700 if it was wider); otherwise throws `refuse(problem)`. `uid` undefined: no owner check.
 */
export function checkPrivateDirSync(dir: string, uid: number | undefined, refuse: RefusePrivateDir): boolean {
  let stat: Stats;
  try {
    stat = lstatSync(dir);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw refuse({ reason: 'unusable', cause: err });
  }
  checkStat(dir, stat, uid, refuse);
  return true;
}

/**
 * checkPrivateDirSync, and with `create` make a missing directory (0700, parents too) first.
 * False only when it does not exist and was not to be created.
 */
export async function ensurePrivateDir(
  dir: string,
  uid: number | undefined,
  create: boolean,
  refuse: RefusePrivateDir,
): Promise<boolean> {
  if (checkPrivateDirSync(dir, uid, refuse)) return true;
  if (!create) return false;
  let stat: Stats;
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    stat = lstatSync(dir);
  } catch (err) {
    throw refuse({ reason: 'create-failed', cause: err });
  }
  checkStat(dir, stat, uid, refuse);
  return true;
}

function checkStat(dir: string, stat: Stats, uid: number | undefined, refuse: RefusePrivateDir): void {
  if (stat.isSymbolicLink()) throw refuse({ reason: 'symlink' });
  if (!stat.isDirectory()) throw refuse({ reason: 'not-a-directory' });
  if (uid !== undefined && stat.uid !== uid) throw refuse({ reason: 'foreign', uid: stat.uid });
  if ((stat.mode & 0o077) !== 0) {
    try {
      chmodSync(dir, 0o700);
    } catch (err) {
      throw refuse({ reason: 'chmod-failed', cause: err });
    }
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
