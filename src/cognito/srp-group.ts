/**
 * The group Cognito's SRP works in, and its arithmetic, pure and without SDK imports: shared by
 * the user's SRP (srp.ts) and the device's (device-srp.ts).
 *
 * - N: the 3072-bit MODP prime of RFC 3526 group 15 (RFC 5054 appendix A), g = 2
 * - H: SHA-256 over the *bytes* of a hex string; numbers are hashed as `padHex(n)`, the
 *   even-length two's-complement hex of Java's BigInteger.toByteArray() (a leading 00 when the
 *   high bit is set)
 * - k = H(padHex(N) | padHex(g))
 *
 * Speed: plain BigInt square-and-multiply takes tens of ms per 3072-bit exponentiation, so the
 * exponentiations go through OpenSSL via node:crypto's Diffie-Hellman object: with the private key
 * set to e, `generateKeys()` is g^e mod N and `computeSecret(X)` is X^e mod N. BigInt is used only
 * for the cheap parts (products, sums, reductions).
 */
import { createDiffieHellman, createHash, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';

const N_HEX =
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
const N_BYTES = N_HEX.length / 2; // 384
const N_BUF = Buffer.from(N_HEX, 'hex');
export const g = 2n;
const G_BUF = Buffer.from([2]);
/** k = H(padHex(N) | padHex(g)) */
export const k = BigInt('0x' + hexHash(padHex(N) + padHex(g)));

/**
 * Even-length hex of Java's BigInteger.toByteArray() for a non-negative n: a leading "00" when the
 * most significant bit is set, so the bytes are not read back as negative.
 */
export function padHex(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2 !== 0) hex = '0' + hex;
  if (/^[89a-f]/.test(hex)) hex = '00' + hex;
  return hex;
}

export function hexBytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

/** SHA-256 of the bytes a hex string stands for, as hex. */
export function hexHash(hex: string): string {
  return createHash('sha256').update(hexBytes(hex)).digest('hex');
}

export function parseHex(hex: string, what: string): bigint {
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new Error(`SRP: ${what} is not a hex number`);
  return BigInt('0x' + hex);
}

export function mod(n: bigint, m: bigint): bigint {
  const r = n % m;
  return r < 0n ? r + m : r;
}

/** Big-endian bytes of n, left-padded to `length` bytes (minimal length when omitted). */
export function toBytes(n: bigint, length?: number): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2 !== 0) hex = '0' + hex;
  if (length !== undefined) hex = hex.padStart(length * 2, '0');
  return hexBytes(hex);
}

/**
 * base^exp mod N through OpenSSL. OpenSSL refuses "public keys" 0, 1 and N-1 (and a zero private
 * key), so those trivial cases are answered here; base 0 mod N is the caller's to reject.
 */
export function modPowN(base: bigint, exp: bigint): bigint {
  const b = mod(base, N);
  if (exp < 0n) throw new RangeError('modPowN: negative exponent');
  if (exp === 0n) return 1n;
  if (b === 0n) return 0n;
  if (b === 1n) return 1n;
  if (b === N - 1n) return exp % 2n === 0n ? 1n : N - 1n;
  // Fermat: b^(N-1) = 1 for b a unit mod the prime N, so the exponent can be reduced mod N-1
  // (a no-op for Cognito's sizes) and always fits as a DH private key.
  const e = exp % (N - 1n);
  if (e === 0n) return 1n;
  try {
    return power(b, e);
  } catch {
    // OpenSSL 3.5 (Node 22 and 24) knows (N, 2) as RFC 3526's group and may take as a peer key
    // only a member of its prime-order subgroup: a quadratic residue mod N. -1 is a non-residue
    // mod this safe prime (N = 3 mod 4), so when b is refused, N - b = -b is a residue, and
    // b^e = (-1)^e (N - b)^e.
    const r = power(N - b, e);
    return e % 2n === 0n || r === 0n ? r : N - r;
  }
}

/**
 * b^e mod N by OpenSSL's Diffie-Hellman: with e as the private key, the shared secret with the
 * "public key" b. Node 24's createDiffieHellman(N, g) tests N for primality first (~1.6 s), so
 * there the key objects of crypto.diffieHellman() are used instead (~5 ms, slower than the
 * DiffieHellman object on Node 20 and 22, where that one is kept).
 */
const power: (b: bigint, e: bigint) => bigint = Number(process.versions.node.split('.')[0]) >= 24 ? keyObjectPower : dhObjectPower;

function dhObjectPower(b: bigint, e: bigint): bigint {
  const dh = createDiffieHellman(N_BUF, G_BUF);
  dh.setPrivateKey(toBytes(e));
  return fromBytes(b === g ? dh.generateKeys() : dh.computeSecret(toBytes(b, N_BYTES)));
}

function keyObjectPower(b: bigint, e: bigint): bigint {
  // PKCS#8 and SubjectPublicKeyInfo for dhKeyAgreement with the parameters (N, g), in DER.
  const algorithm = der(0x30, Buffer.from('06092a864886f70d010301', 'hex'), der(0x30, derInt(N), derInt(g)));
  const privateKey = createPrivateKey({ key: der(0x30, derInt(0n), algorithm, der(0x04, derInt(e))), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey({ key: der(0x30, algorithm, der(0x03, Buffer.from([0]), derInt(b))), format: 'der', type: 'spki' });
  return fromBytes(diffieHellman({ privateKey, publicKey }));
}

/** A DER element: tag, length, the parts. */
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

/** A DER INTEGER (non-negative: a leading zero byte when the high bit is set). */
function derInt(n: bigint): Buffer {
  const bytes = toBytes(n);
  return der(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** The output drops leading zero bytes on some Node versions and pads them on others: read it as a number either way. */
function fromBytes(out: Buffer): bigint {
  return out.length === 0 ? 0n : BigInt('0x' + out.toString('hex'));
}
