/**
 * Secrets larger than one keychain entry comfortably holds. Windows Credential Manager caps an
 * entry at 2,560 bytes and keytar stores UTF-16 there, so a Cognito refresh token (about 1.8 KB)
 * plus its metadata does not fit in one. Such a value is split: the entry itself holds
 * `chunks:N`, and `ACCOUNT#1` … `ACCOUNT#N` hold the parts.
 */
import type { SecretStore } from './store.js';

export const CHUNK_CHARS = 1000;
const HEADER = /^chunks:(\d{1,3})$/;

const part = (account: string, i: number) => `${account}#${i}`;

export async function getLargeSecret(store: SecretStore, account: string): Promise<string | null> {
  const head = await store.get(account);
  const m = head === null ? null : HEADER.exec(head);
  if (!m) return head;
  const parts = await Promise.all(Array.from({ length: Number(m[1]) }, (_, i) => store.get(part(account, i + 1))));
  // A part missing (a write cut short) makes the whole value unusable, not wrong.
  return parts.every((p) => p !== null) ? parts.join('') : null;
}

export async function setLargeSecret(store: SecretStore, account: string, value: string): Promise<void> {
  const old = await chunkCount(store, account);
  if (value.length <= CHUNK_CHARS && !HEADER.test(value)) {
    await store.set(account, value);
    await deleteParts(store, account, 1, old);
    return;
  }
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += CHUNK_CHARS) parts.push(value.slice(i, i + CHUNK_CHARS));
  // Parts first, header last: a reader never sees a header whose parts are not written yet.
  for (let i = 0; i < parts.length; i++) await store.set(part(account, i + 1), parts[i] as string);
  await store.set(account, `chunks:${parts.length}`);
  await deleteParts(store, account, parts.length + 1, old);
}

/** True when something was deleted. */
export async function deleteLargeSecret(store: SecretStore, account: string): Promise<boolean> {
  const count = await chunkCount(store, account);
  const deleted = await store.delete(account);
  await deleteParts(store, account, 1, count);
  return deleted;
}

async function chunkCount(store: SecretStore, account: string): Promise<number> {
  const head = await store.get(account);
  const m = head === null ? null : HEADER.exec(head);
  return m ? Number(m[1]) : 0;
}

async function deleteParts(store: SecretStore, account: string, from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++) await store.delete(part(account, i));
}

/** A JSON value kept as a (large) secret: undefined when absent, not JSON, or not of the shape `is` accepts. */
export async function getJsonSecret<T>(store: SecretStore, account: string, is: (value: unknown) => value is T): Promise<T | undefined> {
  const text = await getLargeSecret(store, account);
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return is(value) ? value : undefined;
}
