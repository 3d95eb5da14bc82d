import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase32, totpCode } from '../../../src/cognito/totp.js';

/** base32 of the ASCII secret "12345678901234567890" of RFC 6238 appendix B */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** A plain RFC 4648 encoder, for round trips (with '=' padding). */
function encodeBase32(data: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

describe('decodeBase32', () => {
  it('decodes the RFC 6238 secret and the RFC 4648 test vectors', () => {
    expect(decodeBase32(RFC_SECRET).toString('ascii')).toBe('12345678901234567890');
    const rfc4648: Array<[string, string]> = [
      ['', ''],
      ['MY======', 'f'],
      ['MZXQ====', 'fo'],
      ['MZXW6===', 'foo'],
      ['MZXW6YQ=', 'foob'],
      ['MZXW6YTB', 'fooba'],
      ['MZXW6YTBOI======', 'foobar'],
    ];
    for (const [text, plain] of rfc4648) {
      expect(decodeBase32(text).toString('ascii'), text).toBe(plain);
      expect(decodeBase32(text.replace(/=/g, '')).toString('ascii'), text).toBe(plain);
    }
  });

  it('accepts lower case, spaces and missing padding', () => {
    const expected = Buffer.from('12345678901234567890', 'ascii');
    expect(decodeBase32(RFC_SECRET.toLowerCase())).toEqual(expected);
    expect(decodeBase32('gezd gnbv gy3t qojq gezd gnbv gy3t qojq')).toEqual(expected);
    expect(decodeBase32(' GEZDGNBVGY3TQOJQ\tGEZDGNBVGY3TQOJQ\n')).toEqual(expected);
    expect(decodeBase32('MZXW6===')).toEqual(decodeBase32('mzxw6'));
  });

  it('round-trips random data, with and without padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const data = Buffer.from(bytes);
        const text = encodeBase32(data);
        expect(decodeBase32(text)).toEqual(data);
        expect(decodeBase32(text.replace(/=+$/, '').toLowerCase())).toEqual(data);
      }),
    );
  });

  it('rejects invalid characters, padding in the middle and impossible lengths with a clear Error', () => {
    expect(() => decodeBase32('GEZDGNBVGY3TQOJ1')).toThrow(/Invalid base32 secret: the character "1" at position 16/);
    expect(() => decodeBase32('GEZDGNBV0Y3TQOJQ')).toThrow(/the character "0"/);
    expect(() => decodeBase32('GEZD-GNBV')).toThrow(/the character "-" at position 5/);
    expect(() => decodeBase32('gezd gnbv ä')).toThrow(/the character "ä" at position 11/);
    expect(() => decodeBase32('MZXQ====MZXQ')).toThrow(/padding '=' before the end/);
    expect(() => decodeBase32('GEZDGNBVG')).toThrow(/9 characters is not a possible length/);
    expect(() => decodeBase32('ABC')).toThrow(/not a possible length/);
    for (const bad of ['é', 'GEZDGNBVGY3TQOJQ!']) {
      try {
        decodeBase32(bad);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(/^Invalid base32 secret/);
      }
    }
  });
});

describe('totpCode', () => {
  it('matches the RFC 6238 appendix B SHA1 vectors (last 6 of the 8 digits)', () => {
    const vectors: Array<[number, string]> = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, code8] of vectors) {
      expect(totpCode(RFC_SECRET, seconds * 1000), String(seconds)).toBe(code8.slice(-6));
      expect(totpCode(RFC_SECRET.toLowerCase(), seconds * 1000 + 999), String(seconds)).toBe(code8.slice(-6));
    }
  });

  it('uses 30-second steps from the epoch and keeps leading zeros', () => {
    // same step: 1111111080..1111111109 s; the next step starts at 1111111110 s
    expect(totpCode(RFC_SECRET, 1111111080_000)).toBe('081804');
    expect(totpCode(RFC_SECRET, 1111111109_999)).toBe('081804');
    expect(totpCode(RFC_SECRET, 1111111110_000)).toBe('050471');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (now) => {
        expect(totpCode(RFC_SECRET, now)).toMatch(/^\d{6}$/);
      }),
    );
  });

  it('refuses an empty secret and a bad time', () => {
    expect(() => totpCode('', 0)).toThrow(/secret is empty/);
    expect(() => totpCode('  ', 0)).toThrow(/secret is empty/);
    expect(() => totpCode(RFC_SECRET, Number.NaN)).toThrow(/not a valid time/);
    expect(() => totpCode(RFC_SECRET, -1)).toThrow(/not a valid time/);
    expect(() => totpCode('GEZ!', 0)).toThrow(/Invalid base32 secret/);
  });

  // An independent implementation: RFC 6238 in Python's standard library (hmac, base64, struct).
  it('equals a Python stdlib TOTP for random secrets and times', () => {
    const cases = Array.from({ length: 20 }, (_, i) => ({
      secret: encodeBase32(randomBytes(i % 2 ? 20 : 10 + i)).replace(/=+$/, ''),
      now: Math.floor(Math.random() * 4_102_444_800_000),
    }));
    const script = [
      'import base64, hashlib, hmac, json, struct, sys',
      'def totp(secret, t):',
      '    key = base64.b32decode(secret + "=" * (-len(secret) % 8))',
      '    mac = hmac.new(key, struct.pack(">Q", t // 30), hashlib.sha1).digest()',
      '    o = mac[-1] & 15',
      '    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)',
      'cases = json.load(sys.stdin)',
      'print(json.dumps([totp(c["secret"], c["now"] // 1000) for c in cases]))',
    ].join('\n');
    const py = spawnSync('python3', ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const expected = JSON.parse(py.stdout) as string[];
    expect(cases.map((c) => totpCode(c.secret, c.now))).toEqual(expected);
  });
});
