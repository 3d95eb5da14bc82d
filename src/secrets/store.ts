/** Where a profile's secrets live. Production: the OS keychain; tests: memory. */
export interface SecretStore {
  /** The secret, or null when none is stored. */
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>;
  /** Whether a secret is stored, when the store can tell without unlocking (the encrypted file). */
  has?(account: string): Promise<boolean>;
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
