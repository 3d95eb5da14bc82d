/**
 * The secrets file's format and crypto, with no I/O (the file itself is file-store.ts's). It is JSON:
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
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { CredsError } from '../errors.js';

export const SECRETS_FILE_VERSION = 1;
/** scrypt's N for a new file: 2^15 (with r=8, p=1 about 32 MiB and 50–100 ms). */
export const DEFAULT_KDF_COST = 2 ** 15;
const KDF_R = 8;
const KDF_P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** What `check` seals. */
const CHECK_TEXT = 'cognito-creds secrets file';
const CHECK_AAD = Buffer.from('cognito-creds/check', 'utf8');
const entryAad = (account: string) => Buffer.from(`cognito-creds/entry\0${account}`, 'utf8');

export interface Sealed {
  iv: Buffer;
  ct: Buffer;
  tag: Buffer;
}

/** The scrypt parameters of one file. */
export interface Kdf {
  salt: Buffer;
  N: number;
  r: number;
  p: number;
}

export interface SecretsDoc {
  kdf: Kdf;
  check: Sealed;
  entries: Map<string, Sealed>;
}

/** Derives the 32-byte key from the passphrase with the file's parameters. */
export type DeriveKey = (passphrase: string, kdf: Kdf) => Promise<Buffer>;

/** The production DeriveKey: scrypt. */
export const scryptKey: DeriveKey = (passphrase, kdf) => {
  // scrypt needs about 128·N·r bytes; Node's default cap (32 MiB) is too tight for N=2^15, r=8.
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: Math.max(64 * 1024 * 1024, 256 * kdf.N * kdf.r) };
  return new Promise((resolve, reject) => {
    scrypt(passphrase, kdf.salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
};

/** Parameters for a new file: a fresh salt, scrypt's N = `cost`. */
export function newKdf(cost: number): Kdf {
  return { salt: randomBytes(SALT_BYTES), N: cost, r: KDF_R, p: KDF_P };
}

/** A new, empty document whose `check` is sealed under `key`. */
export function newDoc(kdf: Kdf, key: Buffer): SecretsDoc {
  return { kdf, check: seal(key, CHECK_TEXT, CHECK_AAD), entries: new Map() };
}

/** Whether `key` is this document's key (its `check` opens). */
export function isKeyOf(doc: SecretsDoc, key: Buffer): boolean {
  return open(key, doc.check, CHECK_AAD) === CHECK_TEXT;
}

export function sealEntry(key: Buffer, account: string, secret: string): Sealed {
  return seal(key, secret, entryAad(account));
}

/** The entry's value, or undefined when it fails authentication. */
export function openEntry(key: Buffer, account: string, sealed: Sealed): string | undefined {
  return open(key, sealed, entryAad(account));
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

/** The document in `text`; `file` only names it in the error when it is damaged. */
export function parseDoc(text: string, file: string): SecretsDoc {
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
  const kdf = parseKdf(raw.kdf, file);
  const check = sealed(raw.check);
  if (!check) throw damaged(file, 'its "check" is missing or malformed');
  if (!isObject(raw.entries)) throw damaged(file, 'its "entries" is missing or not an object');
  const entries = new Map<string, Sealed>();
  for (const [account, value] of Object.entries(raw.entries)) {
    const entry = sealed(value);
    if (!entry) throw damaged(file, `its entry "${account}" is malformed`);
    entries.set(account, entry);
  }
  return { kdf, check, entries };
}

function parseKdf(kdf: unknown, file: string): Kdf {
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
  return { salt, N, r, p };
}

export function serializeDoc(doc: SecretsDoc): string {
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

/** The error for a secrets file that cannot be used as it is: its hint is to remove it. */
export function damaged(file: string, what: string, cause?: unknown): CredsError {
  return new CredsError(
    'keychain',
    `the secrets file ${file} is damaged: ${what}`,
    `Remove ${file} and run \`cognito-creds setup\` again to store your secrets anew.`,
    cause === undefined ? undefined : { cause },
  );
}
