/** The credential_process JSON's Expiration always has the form every consumer parses (issue 13). */
import { describe, expect, it } from 'vitest';
import { credentialProcessJson, isoSeconds } from '../../../src/output/credential-process.js';
import { LAST_ISO_TIME_MS } from '../../../src/time.js';

describe('isoSeconds', () => {
  it('prints RFC 3339 to the second with a 4-digit year, years 0 to 9999', () => {
    expect(isoSeconds(new Date(Date.UTC(2026, 10, 26, 5, 0, 0, 999)))).toBe('2026-11-26T05:00:00Z');
    expect(isoSeconds(new Date(LAST_ISO_TIME_MS))).toBe('9999-12-31T23:59:59Z');
    expect(isoSeconds(new Date(-62_167_219_200_000))).toBe('0000-01-01T00:00:00Z');
  });

  it.each([
    ['year 10000', new Date(LAST_ISO_TIME_MS + 1), 'refusing to print the time 253402300800000 ms: it has no RFC 3339 form with a 4-digit year'],
    ['year 58887', new Date(1_800_000_000_000_000), 'refusing to print the time 1800000000000000 ms: it has no RFC 3339 form with a 4-digit year'],
    ['a negative year', new Date(-62_198_755_200_000), 'refusing to print the time -62198755200000 ms: it has no RFC 3339 form with a 4-digit year'],
    ['an Invalid Date', new Date(NaN), 'refusing to print the time NaN ms: it has no RFC 3339 form with a 4-digit year'],
  ])('refuses %s rather than print what boto3 cannot parse', (_name, date, text) => {
    expect(() => isoSeconds(date)).toThrow(text);
    expect(() => credentialProcessJson({ accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration: date })).toThrow(text);
  });
});
