import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_TTL_SECONDS, isFresh, renewalWindowMs } from '../../../src/cache/freshness.js';
import { MAX_CREDENTIALS_LIFETIME_MS } from '../../../src/time.js';

const MIN = 60_000;
const window = DEFAULT_MIN_TTL_SECONDS * 1000;

describe('freshness rule', () => {
  it('serves one-hour credentials until 15 minutes remain', () => {
    const lifetime = { issuedAt: 0, expiresAt: 60 * MIN };
    expect(renewalWindowMs(lifetime, window)).toBe(15 * MIN);
    expect(isFresh(lifetime, 44 * MIN, window)).toBe(true);
    expect(isFresh(lifetime, 45 * MIN, window)).toBe(false);
    expect(isFresh(lifetime, 45 * MIN - 1, window)).toBe(true);
  });

  it('serves short credentials for the first half of their life (moto: 90 s)', () => {
    const lifetime = { issuedAt: 1_000_000, expiresAt: 1_090_000 };
    expect(renewalWindowMs(lifetime, window)).toBe(45_000);
    expect(isFresh(lifetime, 1_000_000, window)).toBe(true);
    expect(isFresh(lifetime, 1_044_999, window)).toBe(true);
    expect(isFresh(lifetime, 1_045_000, window)).toBe(false);
  });

  it('honours a smaller minimum, and 0 serves until expiry', () => {
    const lifetime = { issuedAt: 0, expiresAt: 60 * MIN };
    expect(isFresh(lifetime, 55 * MIN, 5 * MIN - 1)).toBe(true);
    expect(isFresh(lifetime, 60 * MIN - 1, 0)).toBe(true);
    expect(isFresh(lifetime, 60 * MIN, 0)).toBe(false);
  });

  it('never serves expired credentials, nor an entry issued in the future', () => {
    expect(isFresh({ issuedAt: 0, expiresAt: 10 }, 10, 0)).toBe(false);
    expect(isFresh({ issuedAt: 10 * MIN, expiresAt: 70 * MIN }, 0, window)).toBe(false);
    expect(isFresh({ issuedAt: 10, expiresAt: 5 }, 6, 0)).toBe(false);
  });

  it('never serves credentials said to live longer than any can (12 h + 5 min), from issue or from now', () => {
    const max = MAX_CREDENTIALS_LIFETIME_MS;
    expect(isFresh({ issuedAt: 0, expiresAt: max }, 0, window)).toBe(true);
    expect(isFresh({ issuedAt: 0, expiresAt: max + 1 }, 0, window)).toBe(false);
    // issued 4 min ahead (within the skew allowance), living 12 h 4 min: 12 h 8 min from now
    expect(isFresh({ issuedAt: 4 * MIN, expiresAt: 4 * MIN + max - MIN }, 0, window)).toBe(false);
    expect(isFresh({ issuedAt: 4 * MIN, expiresAt: 4 * MIN + max - MIN }, 4 * MIN, window)).toBe(true);
    // year 58887: an Expiration in milliseconds read as seconds
    expect(isFresh({ issuedAt: 1_800_000_000_000, expiresAt: 1_800_000_000_000_000 }, 1_800_000_000_000, window)).toBe(false);
  });

  it('properties: fresh means unexpired with more than the window left; the window is at most half the life', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 12 * 3600 * 1000 }),
        fc.integer({ min: -3600 * 1000, max: 13 * 3600 * 1000 }),
        fc.integer({ min: 0, max: 43_200 * 1000 }),
        (issuedAt, life, offset, minTtl) => {
          const lifetime = { issuedAt, expiresAt: issuedAt + life };
          const now = issuedAt + offset;
          const w = renewalWindowMs(lifetime, minTtl);
          expect(w).toBeLessThanOrEqual(minTtl);
          expect(w).toBeLessThanOrEqual(life / 2);
          if (isFresh(lifetime, now, minTtl)) {
            expect(lifetime.expiresAt - now).toBeGreaterThan(w);
            expect(lifetime.expiresAt).toBeGreaterThan(now);
            expect(lifetime.expiresAt - now).toBeLessThanOrEqual(MAX_CREDENTIALS_LIFETIME_MS);
          }
          // A second call right after the sign-in hits the cache whenever the credentials live at all.
          if (life >= 2) expect(isFresh(lifetime, issuedAt, minTtl)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
