/** I/O for the AWS config file: read it with clear errors, edit one section under a lock. */
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { CredsError, errnoText, profileLabel } from '../errors.js';
import { atomicWriteFile } from '../fs/atomic-write.js';
import { acquireLock, isErrno, isLockPathNotRegular, LockTimeoutError } from '../fs/lock.js';
import { parseIni, profilesFromIni } from './ini-parse.js';
import { type CognitoProfile, resolveCognitoProfile } from './profile.js';

/** The config file's text, or undefined when it does not exist. */
export async function readConfigText(file: string): Promise<string | undefined> {
  try {
    // Synchronous on purpose: the warm path then never loads node's fs/promises.
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw new CredsError(
      'config',
      `cannot read the AWS config file ${file}: ${errnoText(err)}`,
      'Check the path in AWS_CONFIG_FILE and the file\'s permissions.',
      { cause: err },
    );
  }
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
 * The sub-settings of the `[services NAME]` section a profile's `services` names (sections of
 * that name merged, later ones winning), else nothing.
 */
export function profileServices(text: string, settings: Readonly<Record<string, string>>): Record<string, Record<string, string>> {
  const name = settings.services;
  if (!name) return {};
  const merged: Record<string, Record<string, string>> = {};
  for (const section of parseIni(text)) {
    if (section.name.replace(/\s+/g, ' ') !== `services ${name}`) continue;
    for (const [key, sub] of Object.entries(section.subsections)) merged[key] = { ...merged[key], ...sub };
  }
  return merged;
}

/**
 * Apply `edit` to the config file's text under a lock, and write the result atomically with the
 * file's mode kept (0600 for a new file). A symlinked config file (dotfile managers) is edited
 * where it points, so the link stays a link. Returns the text written.
 */
export async function editConfigFile(
  file: string,
  edit: (text: string) => string,
  options: { lockTimeoutMs?: number } = {},
): Promise<string> {
  const target = await realTarget(file);
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
    const before = (await readConfigText(target)) ?? '';
    const mode = await fs.stat(target).then((s) => s.mode & 0o7777, () => 0o600);
    const after = edit(before);
    if (after !== before) {
      await atomicWriteFile(target, after, mode).catch((err: unknown) => {
        throw writeError(target, err);
      });
    }
    return after;
  } finally {
    await release();
  }
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

