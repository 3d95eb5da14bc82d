import { describe, expect, it } from 'vitest';
import { prefetching } from '../../../src/secrets/prefetch.js';
import type { SecretStore } from '../../../src/secrets/store.js';

/** A store whose reads wait until released, recording when each one started. */
function gatedStore(values: Record<string, string>) {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const store: SecretStore = {
    get: (account) => {
      started.push(account);
      return new Promise((resolve) => gates.set(account, () => resolve(values[account] ?? null)));
    },
    set: async () => undefined,
    delete: async () => false,
  };
  const release = async (account: string) => {
    gates.get(account)?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { store, started, release };
}

describe('prefetching', () => {
  it('reads the first account alone, the others once it is answered, and serves later reads from them', async () => {
    const g = gatedStore({ 'dev:refresh-token': 'r', 'dev:password': 'p' });
    const s = prefetching(g.store, ['dev:refresh-token', 'dev:client-secret', 'dev:password']);
    await Promise.resolve();
    expect(g.started).toEqual(['dev:refresh-token']);
    await g.release('dev:refresh-token');
    expect(g.started).toEqual(['dev:refresh-token', 'dev:client-secret', 'dev:password']);
    await g.release('dev:client-secret');
    await g.release('dev:password');
    expect(await Promise.all([s.get('dev:refresh-token'), s.get('dev:client-secret'), s.get('dev:password')])).toEqual(['r', null, 'p']);
    expect(g.started.length).toBe(3); // no second read of a prefetched account
  });

  it('a failed first read still lets the others go, and is reported to whoever asks for it', async () => {
    let calls = 0;
    const store: SecretStore = {
      get: async (account) => {
        calls++;
        if (account === 'a') throw new Error('locked');
        return `${account}!`;
      },
      set: async () => undefined,
      delete: async () => false,
    };
    const s = prefetching(store, ['a', 'b']);
    await expect(s.get('a')).rejects.toThrow('locked');
    expect(await s.get('b')).toBe('b!');
    expect(calls).toBe(2);
  });

  it('a write or delete forgets the prefetched value', async () => {
    const values: Record<string, string> = { a: 'old' };
    const store: SecretStore = {
      get: async (account) => values[account] ?? null,
      set: async (account, secret) => {
        values[account] = secret;
      },
      delete: async (account) => delete values[account],
    };
    const s = prefetching(store, ['a']);
    await s.set('a', 'new');
    expect(await s.get('a')).toBe('new');
    await s.delete('a');
    expect(await s.get('a')).toBe(null);
  });
});
