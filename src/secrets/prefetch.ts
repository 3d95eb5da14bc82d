/**
 * A SecretStore that starts reading some accounts at once and answers later reads of them from
 * those reads. The keychain answers on keytar's own thread, so reads started before the sign-in
 * module and the AWS SDK load (on the main thread) are usually done by the time they are needed.
 */
import type { SecretStore } from './store.js';

export function prefetching(store: SecretStore, accounts: string[]): SecretStore {
  const pending = new Map<string, Promise<string | null>>();
  for (const account of accounts) {
    const read = store.get(account);
    read.catch(() => undefined); // a failure is reported to whoever asks for it
    pending.set(account, read);
  }
  return {
    get: (account) => pending.get(account) ?? store.get(account),
    set: async (account, secret) => {
      pending.delete(account);
      await store.set(account, secret);
    },
    delete: async (account) => {
      pending.delete(account);
      return store.delete(account);
    },
    ...(store.has ? { has: (account: string) => store.has!(account) } : {}),
  };
}
