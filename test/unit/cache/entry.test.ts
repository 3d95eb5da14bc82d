/**
 * The cache entry's bounds (issue 13): an entry whose times have no ISO 8601 form with a 4-digit
 * year, or that claims a life longer than any credentials have, is no entry (a miss); whatever it
 * holds, reading it never throws, and an entry read is always printable.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CacheEntry, entryFor, parseEntry, serializeEntry } from '../../../src/cache/entry.js';
import { isFresh } from '../../../src/cache/freshness.js';
import { isoSeconds } from '../../../src/output/credential-process.js';
import { LAST_ISO_TIME_MS, MAX_CREDENTIALS_LIFETIME_MS } from '../../../src/time.js';

const NOW = Date.UTC(2026, 10, 26, 5, 0, 0);
const HOUR = 3600_000;

const entry: CacheEntry = {
  version: 2,
  identity: '["us-east-1","us-east-1_A","c","alice","us-east-1:1",""]',
  profile: 'dev',
  identityId: 'us-east-1:0000',
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'secret',
  sessionToken: 'token',
  expiresAt: NOW + HOUR,
  issuedAt: NOW,
};
const text = (over: Record<string, unknown>) => JSON.stringify({ ...entry, ...over });

describe('parseEntry: the bounds', () => {
  it('the constants: 12 h plus 5 min; the last millisecond of year 9999', () => {
    expect(MAX_CREDENTIALS_LIFETIME_MS).toBe(12 * HOUR + 5 * 60_000);
    expect(new Date(LAST_ISO_TIME_MS).toISOString()).toBe('9999-12-31T23:59:59.999Z');
    expect(new Date(LAST_ISO_TIME_MS + 1).toISOString()).toBe('+010000-01-01T00:00:00.000Z');
  });

  it.each([
    ['a lifetime of exactly the maximum', { expiresAt: NOW + MAX_CREDENTIALS_LIFETIME_MS }],
    ['expiring as it was issued', { expiresAt: NOW }],
    ['the last millisecond of year 9999', { issuedAt: LAST_ISO_TIME_MS - HOUR, expiresAt: LAST_ISO_TIME_MS }],
    ['the first millisecond after 1970', { issuedAt: 1, expiresAt: 2 }],
  ])('keeps %s', (_name, over) => {
    expect(parseEntry(text(over))).toEqual({ ...entry, ...over });
  });

  it.each([
    ['a lifetime 1 ms too long', { expiresAt: NOW + MAX_CREDENTIALS_LIFETIME_MS + 1 }],
    ['a 13-hour lifetime', { expiresAt: NOW + 13 * HOUR }],
    ['an Expiration in ms, read as s', { expiresAt: NOW * 1000 }],
    ['expiresAt beyond what a Date holds', { expiresAt: 8.64e15 + 1 }],
    ['expiresAt in year 10000', { issuedAt: LAST_ISO_TIME_MS, expiresAt: LAST_ISO_TIME_MS + 1 }],
    ['issuedAt in year 10000', { issuedAt: LAST_ISO_TIME_MS + 1, expiresAt: LAST_ISO_TIME_MS + 2 }],
    ['issued after it expires', { issuedAt: NOW + 2, expiresAt: NOW + 1 }],
    ['expiresAt a float', { expiresAt: NOW + 0.5 }],
    ['expiresAt 0', { issuedAt: 0, expiresAt: 0 }],
    ['expiresAt null (Infinity, serialised)', { expiresAt: Infinity }],
    ['expiresAt an ISO string', { expiresAt: '2026-11-26T06:00:00Z' }],
    ['issuedAt a numeric string', { issuedAt: String(NOW) }],
    ['accessKeyId a number', { accessKeyId: 12345 }],
    ['sessionToken an object', { sessionToken: { t: 'x' } }],
    ['identityId empty', { identityId: '' }],
    ['profile null', { profile: null }],
    ['version "2"', { version: '2' }],
  ])('rejects %s', (_name, over) => {
    expect(parseEntry(text(over))).toBeUndefined();
  });

  it('properties: never throws; every entry it returns prints (credential_process and status) and has a bounded life', () => {
    const time = fc.oneof(
      fc.integer({ min: -1, max: 2 ** 53 }),
      fc.double(),
      fc.constantFrom(NOW, NOW + HOUR, LAST_ISO_TIME_MS, LAST_ISO_TIME_MS + 1, 8.64e15, 8.64e15 + 1, NOW * 1000),
      fc.string(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(time, time, (expiresAt, issuedAt) => {
        let parsed: CacheEntry | undefined;
        expect(() => (parsed = parseEntry(text({ expiresAt, issuedAt })))).not.toThrow();
        if (parsed) {
          expect(isoSeconds(new Date(parsed.expiresAt))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
          expect(isoSeconds(new Date(parsed.issuedAt))).toMatch(/^\d{4}-/);
          expect(parsed.expiresAt - parsed.issuedAt).toBeGreaterThanOrEqual(0);
          expect(parsed.expiresAt - parsed.issuedAt).toBeLessThanOrEqual(MAX_CREDENTIALS_LIFETIME_MS);
          expect(() => isFresh(parsed!, NOW, 15 * 60_000)).not.toThrow();
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('an entry for credentials that passed the answer checks reads back as written', () => {
    const credentials = { accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', identityId: 'us-east-1:1', expiration: new Date(NOW + MAX_CREDENTIALS_LIFETIME_MS) };
    const written = entryFor('dev', entry.identity, credentials, NOW);
    expect(parseEntry(serializeEntry(written))).toEqual(written);
  });
});
