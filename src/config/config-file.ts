/**
 * I/O for the AWS config file: read it with clear errors, edit one section under a lock. The
 * path must name a regular file (or a symlink to one): a FIFO, device, socket or directory is
 * refused, never read from, waited on or replaced.
 */
import { closeSync, constants, promises as fs, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CredsError, errnoText, profileLabel } from '../errors.js';
import { atomicWriteFile } from '../fs/atomic-write.js';
import { acquireLock, isErrno, isLockPathNotRegular, LockTimeoutError } from '../fs/lock.js';
import { isIniEditRefused } from './ini-agree.js';
import { profilesFromIni, sectionsOf } from './ini-parse.js';
import { type CognitoProfile, resolveCognitoProfile } from './profile.js';

/** The file-type tests of fs.Stats. */
interface FileType {
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}

/** What a path that is not a regular file is, in words; undefined for a regular file. */
export function notRegularKind(stats: FileType): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSocket()) return 'a socket';
  return 'of another type';
}

function notRegular(file: string, kind: string): CredsError {
  return new CredsError(
    'config',
    `the AWS config file ${file} is ${kind}, not a regular file; it was left as it was`,
    'Point AWS_CONFIG_FILE at a regular file (a symlink to one is fine), or unset it to use ~/.aws/config.',
  );
}

function readError(file: string, err: unknown): CredsError {
  return new CredsError(
    'config',
    `cannot read the AWS config file ${file}: ${errnoText(err)}`,
    'Check the path in AWS_CONFIG_FILE and the file\'s permissions.',
    { cause: err },
  );
}

/**
 * The config file's bytes, or undefined when it does not exist. Opened without blocking (a FIFO
 * with no writer would otherwise hang) and checked with fstat before a byte is read.
 * Synchronous on purpose: the warm path then never loads node's fs/promises.
 */
export function readConfigBytes(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    // open(2) of a unix socket fails with ENXIO: say what it is.
    const kind = isErrno(err, 'ENXIO') ? kindAt(file) : undefined;
    throw kind ? notRegular(file, kind) : readError(file, err);
  }
  try {
    const kind = notRegularKind(fstatSync(fd));
    if (kind) throw notRegular(file, kind);
    return readFileSync(fd);
  } catch (err) {
    throw err instanceof CredsError ? err : readError(file, err);
  } finally {
    closeSync(fd);
  }
}

function kindAt(file: string): string | undefined {
  try {
    return notRegularKind(statSync(file));
  } catch {
    return undefined;
  }
}

/** The config file's text (UTF-8), or undefined when it does not exist. */
export async function readConfigText(file: string): Promise<string | undefined> {
  return readConfigBytes(file)?.toString('utf8');
}

/** Read the config file and resolve one profile's Cognito settings. */
export async function loadCognitoProfile(file: string, profile: string): Promise<CognitoProfile> {
  const text = await readConfigText(file);
  if (text === undefined) {
    throw new CredsError(
      'config',
      `${profileLabel(profile)}: the AWS config file ${file} does not exist`,
      `Run \`cognito-creds setup --profile ${profile}\`, or point AWS_CONFIG_FILE at your config file.`,
    );
  }
  const settings = profilesFromIni(text).get(profile);
  if (!settings) {
    throw new CredsError(
      'config',
      `${profileLabel(profile)} is not in ${file}`,
      `Run \`cognito-creds setup --profile ${profile}\`, or check the name (--profile, AWS_PROFILE).`,
    );
  }
  return resolveCognitoProfile(profile, settings, file, profileServices(text, settings));
}

/**
 * The sub-settings of the `[services NAME]` section a profile's `services` names, as botocore
 * finds it (of several sections for NAME the last one wins), else nothing.
 */
export function profileServices(text: string, settings: Readonly<Record<string, string>>): Record<string, Record<string, string>> {
  const name = settings.services;
  if (!name) return {};
  return sectionsOf(text, 'services').get(name)?.subsections ?? {};
}

/**
 * Apply `edit` to the config file's bytes under a lock, and write the result atomically with the
 * file's mode kept (0600 for a new file). A symlinked config file (dotfile managers) is edited
 * where it points, so the link stays a link. The target must be a regular file or absent: else
 * nothing is created beside it, not even the lock. An edit the editor refuses (IniEditRefused)
 * becomes a config error naming the file. Returns the bytes written.
 */
export async function editConfigFile(
  file: string,
  edit: (bytes: Buffer) => Buffer,
  options: { lockTimeoutMs?: number } = {},
): Promise<Buffer> {
  const target = await realTarget(file);
  await assertRegularOrAbsent(target);
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const lockPath = `${target}.cognito-creds.lock`;
  let release;
  try {
    release = await acquireLock(lockPath, { timeoutMs: options.lockTimeoutMs ?? 10_000, staleMs: 30_000 });
  } catch (err) {
    if (err instanceof LockTimeoutError) {
      throw new CredsError(
        'config',
        `another cognito-creds process has been editing ${target} for ${Math.round(err.waitedMs / 1000)} s`,
        `Try again; if no other cognito-creds runs, delete ${lockPath}.`,
      );
    }
    // A FIFO, socket, directory or link at the lock's path is refused at once, never waited on.
    throw writeError(target, isLockPathNotRegular(err) ? new Error(`it is ${err.what}`, { cause: err }) : err, lockPath);
  }
  try {
    const before = readConfigBytes(target) ?? Buffer.alloc(0);
    const mode = await fs.stat(target).then((s) => s.mode & 0o7777, () => 0o600);
    const after = applyEdit(target, edit, before);
    if (!after.equals(before)) {
      await atomicWriteFile(target, after, mode).catch((err: unknown) => {
        throw writeError(target, err);
      });
    }
    return after;
  } finally {
    await release();
  }
}

function applyEdit(target: string, edit: (bytes: Buffer) => Buffer, before: Buffer): Buffer {
  try {
    return edit(before);
  } catch (err) {
    if (!isIniEditRefused(err)) throw err;
    throw new CredsError(
      'config',
      `cannot edit the AWS config file ${target}: ${err.message}; it was left as it was`,
      'Fix that line by hand (docs/configuration.md lists the header forms both read), then run the command again.',
      { cause: err },
    );
  }
}

/** Before anything is created beside it: the target is a regular file, or nothing yet. */
async function assertRegularOrAbsent(target: string): Promise<void> {
  const stats = await fs.stat(target).catch((err: unknown) => {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw writeError(target, err);
  });
  const kind = stats && notRegularKind(stats);
  if (kind) throw notRegular(target, kind);
}

async function realTarget(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw writeError(file, err);
    // A dangling symlink: write where it points.
    const link = await fs.readlink(file).catch(() => undefined);
    return link === undefined ? path.resolve(file) : path.resolve(path.dirname(file), link);
  }
}

/** The config file could not be written; `lockPath` when the failure was at its lock file. */
function writeError(file: string, err: unknown, lockPath?: string): CredsError {
  return new CredsError(
    'config',
    `cannot write the AWS config file ${file}: ${lockPath ? `its lock file ${lockPath}: ` : ''}${errnoText(err)}; it was left as it was`,
    lockPath
      ? `Check the permissions of the directory; remove ${lockPath} if it is not a lock file of a running cognito-creds.`
      : 'Check the permissions of the file and its directory.',
    { cause: err },
  );
}

