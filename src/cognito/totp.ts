/**
 * RFC 6238 TOTP as Cognito's SOFTWARE_TOKEN_MFA expects it: HMAC-SHA1, 30-second steps from the
 * Unix epoch, 6 digits. The secret is the base32 text AssociateSoftwareToken returns.
 */
import { createHmac } from 'node:crypto';

const STEP_SECONDS = 30;
const DIGITS = 6;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The 6-digit TOTP code for a base32 secret at time `now` (ms since the epoch).
 * The secret may be lower case, contain spaces and lack its '=' padding.
 */
export function totpCode(base32Secret: string, now: number): string {
  if (!Number.isFinite(now) || now < 0) throw new Error(`TOTP: not a valid time: ${now}`);
  const key = decodeBase32(base32Secret);
  if (key.length === 0) throw new Error('TOTP: the secret is empty');
  // RFC 4226 counter: an 8-byte big-endian integer (beyond 2^32 steps from the year 6053 on).
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / STEP_SECONDS)));
  const mac = createHmac('sha1', key).update(counter).digest();
  // Dynamic truncation (RFC 4226 section 5.3).
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, '0');
}

/**
 * RFC 4648 base32 (the upper-case alphabet A-Z 2-7). Lenient about what people paste: lower case,
 * white space anywhere and missing '=' padding are accepted. Invalid characters, padding in the
 * middle and lengths no base32 encoding can have (a truncated secret) are errors.
 */
export function decodeBase32(text: string): Buffer {
  // Trailing padding (and white space around it) is optional; '=' anywhere else is an error.
  const body = text.replace(/[\s=]+$/, '');
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  let length = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (/\s/.test(ch)) continue;
    const value = BASE32_ALPHABET.indexOf(ch.toUpperCase());
    if (value < 0) {
      const what = ch === '=' ? "padding '=' before the end" : `the character ${JSON.stringify(ch)}`;
      throw new Error(`Invalid base32 secret: ${what} at position ${i + 1} (allowed: A-Z and 2-7)`);
    }
    length++;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  // Whole bytes encode to 0, 2, 4, 5 or 7 characters past a multiple of 8.
  if ([1, 3, 6].includes(length % 8)) {
    throw new Error(`Invalid base32 secret: ${length} characters is not a possible length (truncated?)`);
  }
  return Buffer.from(bytes);
}
