/**
 * The client side of Amazon Cognito's USER_SRP_AUTH flow (an SRP-6a variant), pure and without
 * SDK imports. Step 1: `startSrp()` gives SRP_A for InitiateAuth. Step 2: with the
 * PASSWORD_VERIFIER challenge's parameters, `passwordVerifier()` gives the ChallengeResponses.
 *
 * The maths follows amazon-cognito-identity-js (AuthenticationHelper.js, CognitoUser.js), which is
 * what Cognito's servers expect:
 * - N: the 3072-bit MODP prime of RFC 3526 group 15 (RFC 5054 appendix A), g = 2
 * - H: SHA-256 over the *bytes* of a hex string; numbers are hashed as `padHex(n)`, the
 *   even-length two's-complement hex of Java's BigInteger.toByteArray() (a leading 00 when the
 *   high bit is set)
 * - k = H(padHex(N) | padHex(g)),  u = H(padHex(A) | padHex(B))
 * - x = H(padHex(salt) | H(poolName | userIdForSrp | ':' | password)), poolName being the part of
 *   the pool id after '_' (us-east-1_AbC -> AbC)
 * - S = (B - k * g^x) ^ (a + u * x) mod N
 * - key = HKDF-SHA256(ikm = padHex(S), salt = padHex(u), info = 'Caldera Derived Key', 16 bytes)
 * - PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA256(key, poolName | userIdForSrp | SECRET_BLOCK
 *   (base64-decoded) | TIMESTAMP))
 *
 * The group and its arithmetic are in srp-group.ts; the device's SRP (the same proof, with the
 * device group key for the pool name and the device key for the user) is in device-srp.ts.
 */
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { g, hexBytes, hexHash, k, mod, modPowN, N, padHex, parseHex } from './srp-group.js';

/** HKDF info. The library appends the byte 0x01 by hand: that is RFC 5869's block counter for T(1). */
const HKDF_INFO = 'Caldera Derived Key';
/** The private value a: 128 random bytes (1024 bits), as amazon-cognito-identity-js picks it. */
const PRIVATE_KEY_BYTES = 128;

export interface SrpSession {
  /** hex of A = g^a mod N, for AuthParameters.SRP_A */
  readonly srpA: string;
  /** opaque state for the second step: the private value a (keep it secret) */
  readonly a: bigint;
}

/** Step 1: a random private value a and the public A = g^a mod N. */
export function startSrp(): SrpSession {
  for (;;) {
    const a = BigInt('0x' + randomBytes(PRIVATE_KEY_BYTES).toString('hex'));
    if (a !== 0n) return startSrpWithPrivateKey(a);
  }
}

/** @internal Step 1 with a chosen private value (tests compare against other implementations). */
export function startSrpWithPrivateKey(a: bigint): SrpSession {
  if (a <= 0n || a >= N - 1n) throw new RangeError('SRP: the private value must be in [1, N-2]');
  const A = modPowN(g, a);
  // Cannot happen for a in range (g^a is a unit mod N), but it is SRP-6a's rule.
  if (A % N === 0n) throw new Error('SRP: A mod N cannot be 0');
  // The same unpadded hex amazon-cognito-identity-js sends.
  return { srpA: A.toString(16), a };
}

export interface PasswordVerifierInput {
  session: SrpSession;
  /** full user pool id, like us-east-1_AbC */
  poolId: string;
  /** ChallengeParameters.USER_ID_FOR_SRP (the username, or the sub in pools with an alias) */
  userIdForSrp: string;
  password: string;
  /** ChallengeParameters.SALT */
  saltHex: string;
  /** ChallengeParameters.SRP_B */
  srpBHex: string;
  /** ChallengeParameters.SECRET_BLOCK (base64) */
  secretBlock: string;
  /** default: the current time */
  now?: Date;
}

export interface PasswordVerifierResponses {
  TIMESTAMP: string;
  PASSWORD_CLAIM_SIGNATURE: string;
  PASSWORD_CLAIM_SECRET_BLOCK: string;
}

/**
 * Step 2: the ChallengeResponses for PASSWORD_VERIFIER (the caller adds USERNAME and, with a
 * client secret, SECRET_HASH). Throws a plain Error if B mod N == 0 or u == 0 (SRP-6a's safety
 * checks), if B - k*g^x == 0 mod N (S would not depend on the password), if SALT / SRP_B are not
 * hex or if the pool id has no '_'.
 */
export function passwordVerifier(input: PasswordVerifierInput): PasswordVerifierResponses {
  const { poolId, userIdForSrp, ...rest } = input;
  return srpClaim({ ...rest, name: poolNameOf(poolId), userId: userIdForSrp });
}

/** What one SRP proof hashes: the user's (pool name, USER_ID_FOR_SRP) or the device's (group key, device key). */
export interface SrpClaimInput extends Omit<PasswordVerifierInput, 'poolId' | 'userIdForSrp'> {
  /** The pool name (the user's SRP) or the device group key (the device's). */
  name: string;
  /** USER_ID_FOR_SRP (the user's SRP) or the device key (the device's). */
  userId: string;
}

/** The SRP proof: x = H(salt | H(name | userId | ':' | password)), S, the HKDF key and the HMAC signature. */
export function srpClaim(input: SrpClaimInput): PasswordVerifierResponses {
  const { session, name, userId, password, secretBlock } = input;
  const A = parseHex(session.srpA, 'SRP_A');
  const B = parseHex(input.srpBHex, 'SRP_B');
  const salt = parseHex(input.saltHex, 'SALT');
  if (B % N === 0n) throw new Error('SRP: the server sent SRP_B = 0 mod N');

  const u = BigInt('0x' + hexHash(padHex(A) + padHex(B)));
  if (u === 0n) throw new Error('SRP: u cannot be 0');

  const x = passwordExponent(name, userId, password, salt);

  // The base B - k*g^x is reduced mod N here (the library leaves it possibly negative; its
  // modPow reduces it the same way). 0 would make S = 0 whatever the password: refuse it.
  const base = mod(B - k * modPowN(g, x), N);
  if (base === 0n) throw new Error('SRP: degenerate SRP_B (B - k*g^x = 0 mod N)');
  // a + u*x (~1536 bits) is used as a DH private key; modPowN reduces it mod N-1 if need be.
  const S = modPowN(base, session.a + u * x);

  const key = Buffer.from(hkdfSync('sha256', hexBytes(padHex(S)), hexBytes(padHex(u)), HKDF_INFO, 16));
  const timestamp = cognitoTimestamp(input.now ?? new Date());
  const signature = createHmac('sha256', key)
    .update(Buffer.from(name, 'utf8'))
    .update(Buffer.from(userId, 'utf8'))
    .update(Buffer.from(secretBlock, 'base64'))
    .update(Buffer.from(timestamp, 'utf8'))
    .digest('base64');

  return { TIMESTAMP: timestamp, PASSWORD_CLAIM_SIGNATURE: signature, PASSWORD_CLAIM_SECRET_BLOCK: secretBlock };
}

/** x = H(padHex(salt) | H(name | userId | ':' | password)): the private exponent of the verifier g^x. */
export function passwordExponent(name: string, userId: string, password: string, salt: bigint): bigint {
  const inner = createHash('sha256').update(`${name}${userId}:${password}`, 'utf8').digest('hex');
  return BigInt('0x' + hexHash(padHex(salt) + inner));
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Cognito's TIMESTAMP, Java's `EEE MMM d HH:mm:ss 'UTC' yyyy` in English and UTC, e.g.
 * `Tue Jan 2 03:04:05 UTC 2024`: the day of month is NOT zero-padded, the time is. Cognito
 * rejects other spellings ("TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english").
 */
export function cognitoTimestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}

/** The pool "name" SRP hashes: the part of the pool id after the underscore. */
function poolNameOf(poolId: string): string {
  const i = poolId.indexOf('_');
  if (i < 0 || i === poolId.length - 1) throw new Error(`SRP: not a user pool id: ${JSON.stringify(poolId)}`);
  return poolId.slice(i + 1);
}
