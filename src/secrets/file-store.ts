/**
 * Secrets in one encrypted file, for hosts with no keychain (headless Linux, WSL, CI). Chosen
 * explicitly (`cognito_secret_store = file`), never as a fallback.
 *
 * The file, `$XDG_DATA_HOME/cognito-creds/secrets.json` (else `~/.local/share/...`), is JSON
 * sealed with AES-256-GCM under a scrypt key: its format and crypto are in file-format.ts; this
 * module is its I/O.
 *
 * The directory is 0700 and must be ours (not a symlink, not another uid's); the file is 0600,
 * replaced atomically, and `set`/`delete` read-modify-write it under a lock file beside it.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { CredsError, errnoText, firstLine } from '../errors.js';
import { atomicWriteFile } from '../fs/atomic-write.js';
import { isErrno, isLockPathNotRegular, LockTimeoutError, withLock } from '../fs/lock.js';
import { NO_BLOCK_NO_FOLLOW } from '../fs/regular-file.js';
import { ensurePrivateDir, type PrivateDirProblem } from '../fs/private-dir.js';
import {
  damaged,
  DEFAULT_KDF_COST,
  type DeriveKey,
  isKeyOf,
  type Kdf,
  newDoc,
  newKdf,
  openEntry,
  parseDoc,
  scryptKey,
  sealEntry,
  type SecretsDoc,
  serializeDoc,
} from './file-format.js';
import type { SecretStore } from './store.js';

export { DEFAULT_KDF_COST, type DeriveKey, SECRETS_FILE_VERSION } from './file-format.js';

/** Generous: a few dozen profiles with 2 KB tokens are some hundred KB. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Where the secrets file lives by default. A relative XDG_DATA_HOME is ignored (XDG spec). */
export function defaultSecretsFile(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'share');
  return path.join(base, 'cognito-creds', 'secrets.json');
}

export interface FileStoreOptions {
  /** The secrets file (see defaultSecretsFile). */
  file: string;
  /** Asked only when a secret is read or written, at most once per instance unless it fails. */
  passphrase: () => Promise<string>;
  /** scrypt's N for a file this instance creates (a power of two); files keep their own. */
  kdfCost?: number;
  /** The key derivation (tests); default: scrypt with the file's parameters. */
  deriveKey?: DeriveKey;
  /** Bound on waiting for another process's write. */
  lockTimeoutMs?: number;
  /** The owner the directory and the file must have (tests); default: this process's uid. */
  uid?: number | undefined;
}

export class FileSecretStore implements SecretStore {
  readonly file: string;
  private readonly askPassphrase: () => Promise<string>;
  private readonly kdfCost: number;
  private readonly deriveKey: DeriveKey;
  private readonly lockTimeoutMs: number;
  private readonly uid: number | undefined;
  private passphrase: Promise<string> | undefined;
  /** Derived keys by KDF parameters: another process may have created the file with its own salt. */
  private readonly keys = new Map<string, Promise<Buffer>>();

  constructor(options: FileStoreOptions) {
    this.file = options.file;
    this.askPassphrase = options.passphrase;
    this.kdfCost = options.kdfCost ?? DEFAULT_KDF_COST;
    if (!Number.isInteger(this.kdfCost) || this.kdfCost < 2 || (this.kdfCost & (this.kdfCost - 1)) !== 0) {
      throw new RangeError(`kdfCost must be a power of two, not ${this.kdfCost}`);
    }
    this.deriveKey = options.deriveKey ?? scryptKey;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.uid = 'uid' in options ? options.uid : process.getuid?.();
  }

  private get dir(): string {
    return path.dirname(this.file);
  }

  private get lockPath(): string {
    return `${this.file}.lock`;
  }

  async get(account: string): Promise<string | null> {
    const doc = await this.read();
    const sealed = doc?.entries.get(account);
    if (!doc || !sealed) return null;
    const key = await this.unlock(doc);
    const value = openEntry(key, account, sealed);
    if (value === undefined) {
      throw damaged(this.file, `its entry "${account}" fails authentication (the passphrase is right)`);
    }
    return value;
  }

  async set(account: string, secret: string): Promise<void> {
    await this.checkDir(true);
    // Ask before taking the lock: a prompt must not hold other processes up.
    await this.getPassphrase();
    const before = await this.read();
    if (before) await this.unlock(before); // derive the key outside the lock too
    await this.locked(async () => {
      let doc = await this.read();
      let key: Buffer;
      if (doc) {
        key = await this.unlock(doc);
      } else {
        const kdf = newKdf(this.kdfCost);
        key = await this.keyFor(kdf);
        doc = newDoc(kdf, key);
      }
      doc.entries.set(account, sealEntry(key, account, secret));
      await this.write(doc);
    });
  }

  /** Whether an entry exists; needs no key, so it asks no passphrase (for `status`). */
  async has(account: string): Promise<boolean> {
    return (await this.read())?.entries.has(account) ?? false;
  }

  /** Removing an entry needs no key, so it asks no passphrase. */
  async delete(account: string): Promise<boolean> {
    const before = await this.read();
    if (!before?.entries.has(account)) return false;
    return this.locked(async () => {
      const doc = await this.read();
      if (!doc?.entries.delete(account)) return false;
      await this.write(doc);
      return true;
    });
  }

  private getPassphrase(): Promise<string> {
    if (!this.passphrase) {
      const asked = this.askPassphrase().then((passphrase) => {
        if (passphrase === '') {
          throw new CredsError(
            'usage',
            `the passphrase for the secrets file ${this.file} is empty`,
            'Set COGNITO_CREDS_FILE_PASSPHRASE to a non-empty passphrase (or type one at the prompt).',
          );
        }
        return passphrase.normalize('NFC');
      });
      // A failed ask (empty, cancelled prompt) is not remembered: a later call asks again.
      asked.catch(() => {
        if (this.passphrase === asked) this.passphrase = undefined;
      });
      this.passphrase = asked;
    }
    return this.passphrase;
  }

  private keyFor(kdf: Kdf): Promise<Buffer> {
    const id = `${kdf.salt.toString('base64')}:${kdf.N}:${kdf.r}:${kdf.p}`;
    let key = this.keys.get(id);
    if (!key) {
      key = this.getPassphrase().then((passphrase) =>
        this.deriveKey(passphrase, kdf).catch((err: unknown) => {
          throw damaged(this.file, `its key cannot be derived (${firstLine(err)})`, err);
        }),
      );
      key.catch(() => this.keys.delete(id));
      this.keys.set(id, key);
    }
    return key;
  }

  /** The key for this file, after checking that it is the right one. */
  private async unlock(doc: SecretsDoc): Promise<Buffer> {
    const key = await this.keyFor(doc.kdf);
    if (!isKeyOf(doc, key)) {
      // Forget it, so that an instance asked again (another prompt) can do better.
      this.passphrase = undefined;
      this.keys.clear();
      throw new CredsError(
        'keychain',
        `the passphrase for the secrets file ${this.file} is wrong`,
        'Set COGNITO_CREDS_FILE_PASSPHRASE to the passphrase you chose at setup (or type it at the prompt).',
      );
    }
    return key;
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await withLock(this.lockPath, { timeoutMs: this.lockTimeoutMs, staleMs: 30_000 }, fn);
    } catch (err) {
      if (err instanceof LockTimeoutError) {
        throw new CredsError(
          'keychain',
          `timed out after ${Math.round(err.waitedMs / 1000)} s waiting for the lock on the secrets file ${this.file}`,
          `Another cognito-creds is writing it; if none is running, remove ${this.lockPath}.`,
          { cause: err },
        );
      }
      if (isErrno(err, 'EACCES') || isErrno(err, 'EPERM') || isErrno(err, 'EROFS') || isErrno(err, 'ENOSPC')) {
        throw fileError(`cannot lock the secrets file ${this.file}: ${errnoText(err)}`, err);
      }
      if (isLockPathNotRegular(err)) {
        throw new CredsError('keychain', `cannot lock the secrets file ${this.file}: ${err.message}; it was left as it was`, `Remove ${this.lockPath} if it is not a lock file of a running cognito-creds.`, { cause: err });
      }
      throw err;
    }
  }

  /** The parsed file, or undefined when it (or its directory) does not exist. */
  private async read(): Promise<SecretsDoc | undefined> {
    if (!(await this.checkDir(false))) return undefined;
    let handle;
    try {
      // Never blocks on a FIFO planted there, nor follows a link; fstat below refuses what is not a file.
      handle = await fs.open(this.file, constants.O_RDONLY | NO_BLOCK_NO_FOLLOW);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      if (isErrno(err, 'ELOOP')) throw fileError(`the secrets file ${this.file} is a symbolic link; refusing to use it`, err);
      throw fileError(`cannot read the secrets file ${this.file}: ${errnoText(err)}`, err);
    }
    let text: string;
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw fileError(`the secrets file ${this.file} is not a regular file; it was left as it was`);
      if (this.uid !== undefined && stat.uid !== this.uid) {
        throw fileError(`the secrets file ${this.file} belongs to uid ${stat.uid}, not to you; refusing to use it`);
      }
      if (stat.size > MAX_FILE_BYTES) throw damaged(this.file, `it is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
      if ((stat.mode & 0o077) !== 0) await handle.chmod(0o600).catch(() => undefined);
      text = await handle.readFile('utf8');
    } catch (err) {
      if (err instanceof CredsError) throw err;
      throw fileError(`cannot read the secrets file ${this.file}: ${errnoText(err)}`, err);
    } finally {
      await handle.close();
    }
    return parseDoc(text, this.file);
  }

  private async write(doc: SecretsDoc): Promise<void> {
    try {
      await atomicWriteFile(this.file, serializeDoc(doc), 0o600);
    } catch (err) {
      throw fileError(`cannot write the secrets file ${this.file}: ${errnoText(err)}`, err);
    }
  }

  /**
   * Check (and with `create`, make) the directory, as the credentials cache does. Returns false
   * when it does not exist and was not to be created; narrows a wider one to 0700.
   */
  private checkDir(create: boolean): Promise<boolean> {
    return ensurePrivateDir(this.dir, this.uid, create, (problem) => refuseDir(this.dir, problem));
  }
}

function refuseDir(dir: string, problem: PrivateDirProblem): CredsError {
  switch (problem.reason) {
    case 'unusable':
      return fileError(`cannot use the directory ${dir} of the secrets file: ${errnoText(problem.cause)}`, problem.cause);
    case 'create-failed':
      return fileError(`cannot create the directory ${dir} of the secrets file: ${errnoText(problem.cause)}`, problem.cause);
    case 'symlink':
      return fileError(`the directory ${dir} of the secrets file is a symbolic link; refusing to use it`);
    case 'not-a-directory':
      return fileError(`the directory ${dir} of the secrets file is not a directory`);
    case 'foreign':
      return fileError(`the directory ${dir} of the secrets file belongs to uid ${problem.uid}, not to you; refusing to use it`);
    case 'chmod-failed':
      return fileError(`cannot make the directory ${dir} of the secrets file private (0700): ${errnoText(problem.cause)}`, problem.cause);
  }
}

function fileError(message: string, cause?: unknown): CredsError {
  return new CredsError(
    'keychain',
    message,
    'Fix or remove it (set XDG_DATA_HOME to keep the secrets file elsewhere).',
    cause === undefined ? undefined : { cause },
  );
}

