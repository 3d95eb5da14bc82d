import { CredsError } from '../errors.js';

/** Where a profile's secrets live. Production: the OS keychain; tests: memory. */
export interface SecretStore {
  /** The secret, or null when none is stored. */
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>;
  /** Whether a secret is stored, when the store can tell without unlocking (the encrypted file). */
  has?(account: string): Promise<boolean>;
  /**
   * Why `get` found nothing or `delete` deleted nothing, asked only then (it may cost a round
   * trip): stores that can be locked implement it.
   */
  absence?(account: string): Promise<Absence>;
}

/** Whether a secret is stored, without reading it where the store allows. */
export async function hasSecret(store: SecretStore, account: string): Promise<boolean> {
  return store.has ? store.has(account) : (await store.get(account)) !== null;
}

/** The keychain's service name for every entry cognito-creds stores. */
export const KEYCHAIN_SERVICE = 'cognito-creds';

/** Every kind of secret a profile can have, with its name in messages, in the order they are listed. */
export const SECRET_KINDS = [
  { kind: 'password', label: 'password' },
  { kind: 'client-secret', label: 'client secret' },
  { kind: 'totp-secret', label: 'TOTP secret' },
  { kind: 'refresh-token', label: 'refresh token' },
  { kind: 'device', label: 'remembered device' },
] as const;

export type SecretKind = (typeof SECRET_KINDS)[number]['kind'];

/** Where a store of this choice keeps the secrets, for messages: "the keychain" or "the secrets file". */
export function storeName(choice: 'keychain' | 'file'): string {
  return choice === 'file' ? 'the secrets file' : 'the keychain';
}

/** The keychain account of one kind of secret of one profile: `dev:password`. */
export function secretAccount(profile: string, kind: SecretKind): string {
  return `${profile}:${kind}`;
}

/**
 * Why a store answered "nothing" (`get` null, `delete` false): nothing is stored under the
 * account, or something is, behind a lock the store cannot open (a locked keyring: libsecret
 * answers a locked item exactly as a missing one).
 */
export type Absence = 'missing' | 'locked';

/** Why the store holds no readable secret under the account; a store that cannot tell: missing. */
export async function absenceOf(store: SecretStore, account: string): Promise<Absence> {
  return store.absence ? store.absence(account) : 'missing';
}

/** The mark a store's error carries when it failed because the store is locked. */
const LOCKED = Symbol.for('cognito-creds.secrets-locked');

/** A store's "it is locked" failure (kind keychain), with what to do about it. */
export function lockedError(message: string, platform: NodeJS.Platform, cause?: unknown): CredsError {
  const err = new CredsError('keychain', message, unlockHint(platform), cause === undefined ? undefined : { cause });
  Object.defineProperty(err, LOCKED, { value: true });
  return err;
}

export function isLockedError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[LOCKED] === true;
}

/** How to unlock the keychain of this platform (one line). */
export function unlockHint(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Unlock your login keychain (Keychain Access, or `security unlock-keychain` in a terminal), then try again.';
  return (
    'Unlock your keyring (log in to the desktop session, or unlock "Login" in Passwords and Keys), then try again; ' +
    'on a headless box see "The keychain is locked" in docs/troubleshooting.md.'
  );
}
