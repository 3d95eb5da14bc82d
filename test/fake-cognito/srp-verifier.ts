/**
 * Server side of Cognito's SRP-6a variant (USER_SRP_AUTH / PASSWORD_VERIFIER), written from the
 * maths in amazon-cognito-identity-js's AuthenticationHelper so that a real client's
 * PASSWORD_CLAIM_SIGNATURE can be verified.
 *
 * - N: the 3072-bit MODP group of RFC 3526 (RFC 5054 appendix A), g = 2
 * - H: SHA-256; numbers are hashed as the bytes of `padHex(n)` (Java BigInteger.toByteArray())
 * - k = H(padHex(N) | padHex(g))
 * - x = H(padHex(salt) | H(poolName | userIdForSrp | ':' | password)),  v = g^x mod N
 * - B = (k*v + g^b) mod N,  u = H(padHex(A) | padHex(B)),  S = (A * v^u)^b mod N
 * - key = HKDF-SHA256(ikm = padHex(S), salt = padHex(u), info = 'Caldera Derived Key', 16 bytes)
 * - signature = Base64(HMAC-SHA256(key, poolName | userIdForSrp | SECRET_BLOCK bytes | TIMESTAMP))
 *
 * Only node: imports (this file is compiled into dist/ and run with plain node by the demo).
 */
import { createDiffieHellman, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1' +
  '29024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245' +
  'E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D' +
  'C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D' +
  '670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9' +
  'DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64' +
  'ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B' +
  'F12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31' +
  '43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

export const N = BigInt('0x' + N_HEX);
export const g = 2n;
const N_BUF = Buffer.from(N_HEX, 'hex');
const G_BUF = Buffer.from([2]);
const INFO = Buffer.from('Caldera Derived Key', 'utf8');

/**
 * Even-length hex of the two's-complement encoding of a non-negative integer (like Java's
 * BigInteger.toByteArray()): a leading "00" is added when the most significant bit is set.
 */
export function padHex(n: bigint): string {
  if (n < 0n) throw new RangeError('padHex: negative values are not used by the verifier');
  let hex = n.toString(16);
  if (hex.length % 2 !== 0) hex = '0' + hex;
  if (/^[89a-f]/i.test(hex)) hex = '00' + hex;
  return hex;
}

export function bigFromHex(hex: string): bigint {
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new RangeError('not a hex string');
  return BigInt('0x' + hex);
}

function bytesOf(n: bigint): Buffer {
  return Buffer.from(padHex(n), 'hex');
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of the bytes of a hex string, as a hex string. */
export function hexHash(hex: string): string {
  return sha256Hex(Buffer.from(hex, 'hex'));
}

const SLOW_DH = Number(process.versions.node.split('.')[0]) >= 24;

function bigModPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = ((base % mod) + mod) % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function toFixedBuffer(n: bigint): Buffer {
  return Buffer.from(n.toString(16).padStart(N_HEX.length, '0'), 'hex');
}

/**
 * base^exp mod N. Uses OpenSSL through node:crypto's Diffie-Hellman (g^e via generateKeys,
 * X^e via computeSecret), falling back to BigInt for values OpenSSL refuses (0, 1, N-1, ...).
 */
export function modPowN(base: bigint, exp: bigint): bigint {
  const b = ((base % N) + N) % N;
  // Node 24's createDiffieHellman tests N for primality first (~1.6 s a call): BigInt there.
  if (exp > 0n && exp < N && !SLOW_DH) {
    try {
      const dh = createDiffieHellman(N_BUF, G_BUF);
      dh.setPrivateKey(Buffer.from(padHex(exp), 'hex'));
      const out = b === g ? dh.generateKeys() : dh.computeSecret(toFixedBuffer(b));
      return BigInt('0x' + (out.toString('hex') || '0'));
    } catch {
      // fall through
    }
  }
  return bigModPow(b, exp, N);
}

/** k = H(padHex(N) | padHex(g)) */
export const k = bigFromHex(hexHash(padHex(N) + padHex(g)));

/** The user pool "name" used by SRP: the part of the pool id after the underscore. */
export function poolNameOf(userPoolId: string): string {
  const i = userPoolId.indexOf('_');
  return i >= 0 ? userPoolId.slice(i + 1) : userPoolId;
}

/** x = H(padHex(salt) | H(poolName | userId | ':' | password)) */
export function computeX(poolName: string, userIdForSrp: string, password: string, salt: bigint): bigint {
  const inner = sha256Hex(Buffer.from(`${poolName}${userIdForSrp}:${password}`, 'utf8'));
  return bigFromHex(hexHash(padHex(salt) + inner));
}

export interface SrpVerifier {
  /** the salt as sent in ChallengeParameters.SALT (hex) */
  saltHex: string;
  salt: bigint;
  verifier: bigint;
  userIdForSrp: string;
}

/** Make a random salt and the verifier v = g^x mod N for a password. */
export function makeVerifier(poolName: string, userIdForSrp: string, password: string, salt?: bigint): SrpVerifier {
  const s = salt ?? bigFromHex(randomBytes(16).toString('hex'));
  const x = computeX(poolName, userIdForSrp, password, s);
  return { saltHex: padHex(s), salt: s, verifier: modPowN(g, x), userIdForSrp };
}

export interface ServerEphemeral {
  b: bigint;
  B: bigint;
}

/** Pick b and B = (k*v + g^b) mod N (never 0 mod N). */
export function makeServerEphemeral(verifier: bigint): ServerEphemeral {
  for (;;) {
    const b = bigFromHex(randomBytes(128).toString('hex')) % (N - 1n);
    if (b === 0n) continue;
    const B = (k * verifier + modPowN(g, b)) % N;
    if (B !== 0n) return { b, B };
  }
}

/** u = H(padHex(A) | padHex(B)) */
export function computeU(A: bigint, B: bigint): bigint {
  return bigFromHex(hexHash(padHex(A) + padHex(B)));
}

/** HKDF-SHA256 (one block) as done by AuthenticationHelper.computehkdf, first 16 bytes. */
export function hkdf16(ikm: Buffer, salt: Buffer): Buffer {
  const prk = createHmac('sha256', salt).update(ikm).digest();
  return createHmac('sha256', prk)
    .update(Buffer.concat([INFO, Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
}

/**
 * The server's password authentication key: S = (A * v^u)^b mod N, key = HKDF(padHex(S), padHex(u)).
 * Throws a RangeError when A mod N == 0 or u == 0 (the SRP-6a safety checks).
 */
export function serverAuthenticationKey(A: bigint, B: bigint, b: bigint, verifier: bigint): Buffer {
  if (A % N === 0n) throw new RangeError('SRP_A mod N cannot be 0');
  const u = computeU(A, B);
  if (u === 0n) throw new RangeError('u cannot be 0');
  const base = ((A % N) * modPowN(verifier, u)) % N;
  const S = modPowN(base, b);
  return hkdf16(bytesOf(S), bytesOf(u));
}

/** The client's key, for tests and tools: S = (B - k*g^x)^(a + u*x) mod N. */
export function clientAuthenticationKey(
  poolName: string,
  userIdForSrp: string,
  password: string,
  salt: bigint,
  a: bigint,
  A: bigint,
  B: bigint,
): Buffer {
  const u = computeU(A, B);
  const x = computeX(poolName, userIdForSrp, password, salt);
  const base = (((B - k * modPowN(g, x)) % N) + N) % N;
  const S = bigModPow(base, a + u * x, N);
  return hkdf16(bytesOf(S), bytesOf(u));
}

/** Base64(HMAC-SHA256(key, poolName | userIdForSrp | base64decode(secretBlock) | timestamp)) */
export function passwordClaimSignature(
  key: Buffer,
  poolName: string,
  userIdForSrp: string,
  secretBlockBase64: string,
  timestamp: string,
): string {
  return createHmac('sha256', key)
    .update(
      Buffer.concat([
        Buffer.from(poolName, 'utf8'),
        Buffer.from(userIdForSrp, 'utf8'),
        Buffer.from(secretBlockBase64, 'base64'),
        Buffer.from(timestamp, 'utf8'),
      ]),
    )
    .digest('base64');
}

/** Constant-time comparison of two base64 signatures. */
export function signaturesEqual(expectedBase64: string, actualBase64: string): boolean {
  const a = Buffer.from(expectedBase64, 'base64');
  const b = Buffer.from(actualBase64, 'base64');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Cognito's TIMESTAMP format `EEE MMM d HH:mm:ss 'UTC' yyyy`, e.g. `Tue Jan 2 03:04:05 UTC 2024`. */
export function formatSrpTimestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}

/**
 * Parse a TIMESTAMP strictly (English names, day of month not zero-padded, UTC, weekday consistent
 * with the date). Returns epoch ms, or undefined when malformed.
 */
export function parseSrpTimestamp(s: string): number | undefined {
  const m = /^([A-Z][a-z]{2}) ([A-Z][a-z]{2}) ([1-9]|[12]\d|3[01]) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/.exec(s);
  if (!m) return undefined;
  const [, wd, mon, d, hh, mm, ss, yyyy] = m as unknown as [string, string, string, string, string, string, string, string];
  const month = MONTHS.indexOf(mon);
  if (month < 0 || !WEEKDAYS.includes(wd)) return undefined;
  const ms = Date.UTC(Number(yyyy), month, Number(d), Number(hh), Number(mm), Number(ss));
  const date = new Date(ms);
  if (
    date.getUTCDate() !== Number(d) ||
    date.getUTCMonth() !== month ||
    date.getUTCHours() !== Number(hh) ||
    date.getUTCMinutes() !== Number(mm) ||
    date.getUTCSeconds() !== Number(ss) ||
    WEEKDAYS[date.getUTCDay()] !== wd
  ) {
    return undefined;
  }
  return ms;
}

// ------------------------------------------------------------------ remembered devices
//
// Device SRP (DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER) is the same SRP with the device group
// key in place of the pool name and the device key in place of the user id:
//   x = H(padHex(salt) | H(DeviceGroupKey | DeviceKey | ':' | devicePassword)),  v = g^x mod N
//   signature = Base64(HMAC-SHA256(key, DeviceGroupKey | DeviceKey | SECRET_BLOCK bytes | TIMESTAMP))
// (amazon-cognito-identity-js: AuthenticationHelper.generateHashDevice, CognitoUser.getDeviceResponse).
// ConfirmDevice's DeviceSecretVerifierConfig carries Base64 of the bytes of padHex(v) and of padHex(salt).

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The verifier a device registered: v, and the salt as sent back in ChallengeParameters.SALT (hex). */
export interface DeviceVerifier {
  verifier: bigint;
  saltHex: string;
}

/**
 * Read ConfirmDevice's DeviceSecretVerifierConfig (PasswordVerifier and Salt, both Base64).
 * Undefined when either is not canonical Base64 of at least one byte, or v is not in [2, N-1].
 */
export function parseDeviceSecretVerifierConfig(passwordVerifier: string, salt: string): DeviceVerifier | undefined {
  if (!BASE64.test(passwordVerifier) || !BASE64.test(salt)) return undefined;
  const v = Buffer.from(passwordVerifier, 'base64');
  const s = Buffer.from(salt, 'base64');
  if (v.length === 0 || s.length === 0) return undefined;
  const verifier = BigInt('0x' + v.toString('hex'));
  if (verifier < 2n || verifier >= N) return undefined;
  return { verifier, saltHex: s.toString('hex') };
}

/**
 * A client's side, for tests and tools: a device's DeviceSecretVerifierConfig for `devicePassword`
 * (what amazon-cognito-identity-js sends in ConfirmDevice).
 */
export function deviceSecretVerifierConfig(
  deviceGroupKey: string,
  deviceKey: string,
  devicePassword: string,
  salt?: bigint,
): { PasswordVerifier: string; Salt: string } {
  const made = makeVerifier(deviceGroupKey, deviceKey, devicePassword, salt);
  return {
    PasswordVerifier: Buffer.from(padHex(made.verifier), 'hex').toString('base64'),
    Salt: Buffer.from(made.saltHex, 'hex').toString('base64'),
  };
}
