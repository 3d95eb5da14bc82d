/**
 * The real KeytarSecretStore over a keytar stand-in that answers as keytar 7 (libsecret) answers
 * against gnome-keyring, as measured on the private keyring (test/e2e/keychain-locked.e2e.test.ts
 * checks the same against the real one): while the collection is locked, getPassword of a stored
 * item gives null, deletePassword gives false, setPassword fails with "Cannot create an item in a
 * locked collection", and the Secret Service's SearchItems lists the item as locked.
 */
import { KeytarSecretStore } from '../../src/secrets/keytar-store.js';

export interface LockableKeychain {
  store: KeytarSecretStore;
  /** The entries, whatever the lock (the test's view of the keyring). */
  entries: Map<string, string>;
  locked: boolean;
  /** keytar calls made, by name. */
  calls: string[];
}

export function lockableKeychain(initial: Record<string, string> = {}): LockableKeychain {
  const state: LockableKeychain = { entries: new Map(Object.entries(initial)), locked: false, calls: [], store: undefined as unknown as KeytarSecretStore };
  const keytar = {
    async getPassword(_service: string, account: string) {
      state.calls.push('getPassword');
      return state.locked ? null : (state.entries.get(account) ?? null);
    },
    async setPassword(_service: string, account: string, password: string) {
      state.calls.push('setPassword');
      if (state.locked) throw new Error('Cannot create an item in a locked collection');
      state.entries.set(account, password);
    },
    async deletePassword(_service: string, account: string) {
      state.calls.push('deletePassword');
      return state.locked ? false : state.entries.delete(account);
    },
  };
  state.store = new KeytarSecretStore({
    platform: 'linux',
    load: async () => keytar,
    search: async ({ account }) => {
      state.calls.push('SearchItems');
      const found = account !== undefined && state.entries.has(account) ? ['/org/freedesktop/secrets/collection/login/1'] : [];
      return state.locked ? { unlocked: [], locked: found } : { unlocked: found, locked: [] };
    },
  });
  return state;
}
