/**
 * Secrets in one encrypted file, for hosts with no keychain (headless Linux, WSL, CI). Chosen
 * explicitly (`cognito_secret_store = file`), never as a fallback.
 *
 * The file, `$XDG_DATA_HOME/cognito-creds/secrets.json` (else `~/.local/share/...`), is JSON:
 *
 *   { "version": 1,
 *     "kdf": { "name": "scrypt", "salt": b64, "N": 32768, "r": 8, "p": 1 },
 *     "check": { "iv": b64, "ct": b64, "tag": b64 },
 *     "entries": { "<account>": { "iv": b64, "ct": b64, "tag": b64 } } }
 *
 * The key is scrypt(passphrase, salt) with the parameters in the file; every value is sealed with
 * AES-256-GCM under a fresh 12-byte IV, the account name bound in as additional authenticated
 * data, so an entry moved to another account does not open. `check` seals a known text: when it
 * does not open the passphrase is wrong; when it opens and an entry does not, the entry is damaged.
 * Account names are in plain text; values, the passphrase and the key never are.
 *
 * The directory is 0700 and must be ours (not a symlink, not another uid's); the file is 0600,
 * replaced atomically, and `set`/`delete` read-modify-write it under a lock file beside it.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { CredsError, errnoText, firstLine } from '../errors.js';
import { atomicWriteFile } from '../fs/atomic-write.js';
import { isErrno, LockTimeoutError, withLock } from '../fs/lock.js';
import type { SecretStore } from './store.js';

export const SECRETS_FILE_VERSION = 1;
/** scrypt's N for a new file: 2^15 (with r=8, p=1 about 32 MiB and 50–100 ms). */
export const DEFAULT_KDF_COST = 2 ** 15;
const KDF_R = 8;
const KDF_P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Generous: a few dozen profiles with 2 KB tokens are some hundred KB. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** What `check` seals. */
const CHECK_TEXT = 'cognito-creds secrets file';
const CHECK_AAD = Buffer.from('cognito-creds/check', 'utf8');
const entryAad = (account: string) => Buffer.from(`cognito-creds/entry\0${account}`, 'utf8');

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
  /** Accepted for symmetry with the other dependencies; nothing in the file depends on time. */
  now?: () => number;
  /** scrypt's N for a file this instance creates (a power of two); files keep their own. */
  kdfCost?: number;
  /** Bound on waiting for another process's write. */
  lockTimeoutMs?: number;
  /** The owner the directory and the file must have (tests); default: this process's uid. */
  uid?: number | undefined;
}

interface Sealed {
  iv: Buffer;
  ct: Buffer;
  tag: Buffer;
}

interface Kdf {
  salt: Buffer;
  N: number;
  r: number;
  p: number;
}

interface SecretsDoc {
  kdf: Kdf;
  check: Sealed;
  entries: Map<string, Sealed>;
}

export class FileSecretStore implements SecretStore {
  readonly file: string;
  private readonly askPassphrase: () => Promise<string>;
  private readonly kdfCost: number;
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
    const value = open(key, sealed, entryAad(account));
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
        const kdf: Kdf = { salt: randomBytes(SALT_BYTES), N: this.kdfCost, r: KDF_R, p: KDF_P };
        key = await this.keyFor(kdf);
        doc = { kdf, check: seal(key, CHECK_TEXT, CHECK_AAD), entries: new Map() };
      }
      doc.entries.set(account, seal(key, secret, entryAad(account)));
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
        deriveKey(passphrase, kdf).catch((err: unknown) => {
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
    if (open(key, doc.check, CHECK_AAD) !== CHECK_TEXT) {
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
      throw err;
    }
  }

  /** The parsed file, or undefined when it (or its directory) does not exist. */
  private async read(): Promise<SecretsDoc | undefined> {
    if (!(await this.checkDir(false))) return undefined;
    let handle;
    try {
      handle = await fs.open(this.file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      if (isErrno(err, 'ELOOP')) throw fileError(`the secrets file ${this.file} is a symbolic link; refusing to use it`, err);
      throw fileError(`cannot read the secrets file ${this.file}: ${errnoText(err)}`, err);
    }
    let text: string;
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw fileError(`the secrets file ${this.file} is not a regular file`);
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
  private async checkDir(create: boolean): Promise<boolean> {
    const dir = this.dir;
    let stat;
    try {
      stat = await fs.lstat(dir);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw fileError(`cannot use the directory ${dir} of the secrets file: ${errnoText(err)}`, err);
      if (!create) return false;
      try {
        await fs.mkdir(dir, { recursive: true, mode: 0o700 });
        stat = await fs.lstat(dir);
      } catch (mkdirErr) {
        throw fileError(`cannot create the directory ${dir} of the secrets file: ${errnoText(mkdirErr)}`, mkdirErr);
      }
    }
    if (stat.isSymbolicLink()) throw fileError(`the directory ${dir} of the secrets file is a symbolic link; refusing to use it`);
    if (!stat.isDirectory()) throw fileError(`the directory ${dir} of the secrets file is not a directory`);
    if (this.uid !== undefined && stat.uid !== this.uid) {
      throw fileError(`the directory ${dir} of the secrets file belongs to uid ${stat.uid}, not to you; refusing to use it`);
    }
    if ((stat.mode & 0o077) !== 0) {
      await fs.chmod(dir, 0o700).catch((err: unknown) => {
        throw fileError(`cannot make the directory ${dir} of the secrets file private (0700): ${errnoText(err)}`, err);
      });
    }
    return true;
  }
}

function deriveKey(passphrase: string, kdf: Kdf): Promise<Buffer> {
  // scrypt needs about 128·N·r bytes; Node's default cap (32 MiB) is too tight for N=2^15, r=8.
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: Math.max(64 * 1024 * 1024, 256 * kdf.N * kdf.r) };
  return new Promise((resolve, reject) => {
    scrypt(passphrase, kdf.salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function seal(key: Buffer, plaintext: string, aad: Buffer): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv, ct, tag: cipher.getAuthTag() };
}

/** The plaintext, or undefined when it fails authentication. */
function open(key: Buffer, sealed: Sealed, aad: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ct), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function parseDoc(text: string, file: string): SecretsDoc {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw damaged(file, 'it is not valid JSON');
  }
  if (!isObject(raw)) throw damaged(file, 'it is not a JSON object');
  if (raw.version !== SECRETS_FILE_VERSION) {
    const version = typeof raw.version === 'number' ? String(raw.version) : 'no';
    throw damaged(file, `it has ${version === 'no' ? 'no version' : `version ${version}`}; this cognito-creds reads version ${SECRETS_FILE_VERSION}`);
  }
  const kdf = raw.kdf;
  if (!isObject(kdf) || kdf.name !== 'scrypt') throw damaged(file, 'its "kdf" is missing or not scrypt');
  const salt = bytes(kdf.salt);
  if (!salt || salt.length < SALT_BYTES || salt.length > 64) throw damaged(file, 'its scrypt salt is missing or malformed');
  const { N, r, p } = kdf;
  if (
    !isInt(N, 2, 2 ** 20) || (N & (N - 1)) !== 0 ||
    !isInt(r, 1, 32) || !isInt(p, 1, 16) ||
    128 * N * r > 1024 * 1024 * 1024
  ) {
    throw damaged(file, 'its scrypt parameters are missing or out of range');
  }
  const check = sealed(raw.check);
  if (!check) throw damaged(file, 'its "check" is missing or malformed');
  if (!isObject(raw.entries)) throw damaged(file, 'its "entries" is missing or not an object');
  const entries = new Map<string, Sealed>();
  for (const [account, value] of Object.entries(raw.entries)) {
    const entry = sealed(value);
    if (!entry) throw damaged(file, `its entry "${account}" is malformed`);
    entries.set(account, entry);
  }
  return { kdf: { salt, N, r, p }, check, entries };
}

function serializeDoc(doc: SecretsDoc): string {
  const b64 = (s: Sealed) => ({ iv: s.iv.toString('base64'), ct: s.ct.toString('base64'), tag: s.tag.toString('base64') });
  const out = {
    version: SECRETS_FILE_VERSION,
    kdf: { name: 'scrypt', salt: doc.kdf.salt.toString('base64'), N: doc.kdf.N, r: doc.kdf.r, p: doc.kdf.p },
    check: b64(doc.check),
    // Object.fromEntries defines own properties, so even an account named "__proto__" is kept.
    entries: Object.fromEntries([...doc.entries].map(([account, s]) => [account, b64(s)])),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function sealed(value: unknown): Sealed | undefined {
  if (!isObject(value)) return undefined;
  const iv = bytes(value.iv);
  const ct = bytes(value.ct);
  const tag = bytes(value.tag);
  if (!iv || iv.length !== IV_BYTES || !ct || !tag || tag.length !== TAG_BYTES) return undefined;
  return { iv, ct, tag };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function bytes(value: unknown): Buffer | undefined {
  return typeof value === 'string' && BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function damaged(file: string, what: string, cause?: unknown): CredsError {
  return new CredsError(
    'keychain',
    `the secrets file ${file} is damaged: ${what}`,
    `Remove ${file} and run \`cognito-creds setup\` again to store your secrets anew.`,
    cause === undefined ? undefined : { cause },
  );
}

function fileError(message: string, cause?: unknown): CredsError {
  return new CredsError(
    'keychain',
    message,
    'Fix or remove it (set XDG_DATA_HOME to keep the secrets file elsewhere).',
    cause === undefined ? undefined : { cause },
  );
}

