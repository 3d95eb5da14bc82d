/**
 * A SecretStore that starts reading some accounts at once and answers later reads of them from
 * those reads. The keychain answers on keytar's own thread, so reads started before the sign-in
 * module loads (on the main thread) are usually done by the time they are needed.
 *
 * The first account is read alone and the others once it has been answered: the first read
 * opens the Secret Service session, and reads that all start together each open one of their own
 * (on this machine, four reads at once took ~18 ms; one, then three, ~12 ms).
 */
import type { SecretStore } from './store.js';

export function prefetching(store: SecretStore, accounts: string[]): SecretStore {
  const pending = new Map<string, Promise<string | null>>();
  const [first, ...rest] = accounts;
  if (first !== undefined) {
    const opened = store.get(first);
    pending.set(first, opened);
    const after = opened.then(() => undefined, () => undefined);
    for (const account of rest) pending.set(account, after.then(() => store.get(account)));
  }
  for (const read of pending.values()) read.catch(() => undefined); // a failure is reported to whoever asks for it
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
    ...(store.absence ? { absence: (account: string) => store.absence!(account) } : {}),
  };
}
