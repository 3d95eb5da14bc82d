/**
 * src/cognito/device-srp.ts against amazon-cognito-identity-js (AuthenticationHelper's
 * generateHashDevice and getPasswordAuthenticationKey with the device group key, and the HMAC step
 * of CognitoUser.getDeviceResponse), with the fake Cognito's server-side SRP (test/fake-cognito/
 * srp-verifier.ts) as the judge: a device confirmed by one client is accepted from the other.
 * The library's BigInteger is slow (about half a second an exponentiation): few cases, each meaningful.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { type DeviceSecret, devicePasswordVerifier, deviceSecretVerifier, newDevicePassword } from '../../../src/cognito/device-srp.js';
import { cognitoTimestamp, startSrp, startSrpWithPrivateKey } from '../../../src/cognito/srp.js';
import { makeServerEphemeral, N, passwordClaimSignature, serverAuthenticationKey } from '../../fake-cognito/srp-verifier.js';

// ------------------------------------------------------------ amazon-cognito-identity-js (CommonJS)
const require = createRequire(import.meta.url);
interface BigIntegerLike {
  toString(radix: number): string;
}
type BigIntegerCtor = new (value: string, radix: number) => BigIntegerLike;
interface DeviceHelperLike {
  smallAValue: BigIntegerLike;
  largeAValue: BigIntegerLike | undefined;
  getLargeAValue(cb: (err: unknown, A: BigIntegerLike) => void): void;
  getPasswordAuthenticationKey(userId: string, password: string, B: BigIntegerLike, salt: BigIntegerLike, cb: (err: unknown, hkdf: Buffer) => void): void;
  generateHashDevice(deviceGroupKey: string, username: string, cb: (err: unknown) => void): void;
  getSaltDevices(): string;
  getVerifierDevices(): string;
  getRandomPassword(): string;
}
const AuthenticationHelper = (require('amazon-cognito-identity-js/lib/AuthenticationHelper.js') as { default: new (poolName: string) => DeviceHelperLike }).default;
const BigInteger = (require('amazon-cognito-identity-js/lib/BigInteger.js') as { default: BigIntegerCtor }).default;
const { Sha256 } = createRequire(require.resolve('amazon-cognito-identity-js'))('@aws-crypto/sha256-js') as {
  Sha256: new (secret?: Uint8Array) => { update(data: Uint8Array): void; digestSync(): Uint8Array };
};

function sync<T>(run: (cb: (err: unknown, value: T) => void) => void): T {
  let out: { value: T } | undefined;
  run((err, value) => {
    if (err) throw err;
    out = { value };
  });
  if (!out) throw new Error('the library did not answer synchronously');
  return out.value;
}

/** ConfirmDevice's config as CognitoUser.authenticateUserInternal builds it, and the password it keeps. */
function libraryConfirm(deviceGroupKey: string, deviceKey: string): { device: DeviceSecret; Salt: string; PasswordVerifier: string } {
  const helper = new AuthenticationHelper(deviceGroupKey);
  sync<null>((cb) => helper.generateHashDevice(deviceGroupKey, deviceKey, (err) => cb(err, null)));
  return {
    device: { deviceKey, deviceGroupKey, devicePassword: helper.getRandomPassword() },
    Salt: Buffer.from(helper.getSaltDevices(), 'hex').toString('base64'),
    PasswordVerifier: Buffer.from(helper.getVerifierDevices(), 'hex').toString('base64'),
  };
}

/** DEVICE_PASSWORD_VERIFIER's signature as CognitoUser.getDeviceResponse computes it, for private value a. */
function libraryDeviceSignature(a: bigint, device: DeviceSecret, c: { saltHex: string; srpBHex: string; secretBlock: string; timestamp: string }): { srpA: string; signature: string } {
  const helper = new AuthenticationHelper(device.deviceGroupKey);
  helper.smallAValue = new BigInteger(a.toString(16), 16);
  helper.largeAValue = undefined;
  const A = sync<BigIntegerLike>((cb) => helper.getLargeAValue(cb));
  const hkdf = sync<Buffer>((cb) => helper.getPasswordAuthenticationKey(device.deviceKey, device.devicePassword, new BigInteger(c.srpBHex, 16), new BigInteger(c.saltHex, 16), cb));
  const hmac = new Sha256(hkdf);
  hmac.update(Buffer.concat([Buffer.from(device.deviceGroupKey, 'utf8'), Buffer.from(device.deviceKey, 'utf8'), Buffer.from(c.secretBlock, 'base64'), Buffer.from(c.timestamp, 'utf8')]));
  return { srpA: A.toString(16), signature: Buffer.from(hmac.digestSync()).toString('base64') };
}

// ------------------------------------------------------------ the fake's server side
const b64ToBig = (b64: string) => BigInt('0x' + Buffer.from(b64, 'base64').toString('hex'));

/** What Cognito does with a ConfirmDevice config at DEVICE_SRP_AUTH: SALT and SRP_B, and the key it checks the claim with. */
function serverChallenge(config: { Salt: string; PasswordVerifier: string }) {
  const verifier = b64ToBig(config.PasswordVerifier);
  const { b, B } = makeServerEphemeral(verifier);
  return {
    saltHex: Buffer.from(config.Salt, 'base64').toString('hex'),
    srpBHex: B.toString(16),
    secretBlock: randomBytes(64).toString('base64'),
    keyFor: (srpA: string) => serverAuthenticationKey(BigInt('0x' + srpA), B, b, verifier),
  };
}

const NOW = new Date(Date.UTC(2025, 5, 7, 8, 9, 10));
const deviceKeyOf = () => `us-east-1_${randomUUID()}`;

describe('device SRP against amazon-cognito-identity-js, judged by the fake Cognito\'s server maths', () => {
  it('a device confirmed with our verifier is accepted from the library\'s DEVICE_PASSWORD_VERIFIER, and ours', () => {
    const device: DeviceSecret = { deviceKey: deviceKeyOf(), deviceGroupKey: '-dGk3xYZa', devicePassword: newDevicePassword() };
    const config = deviceSecretVerifier(device);
    const challenge = serverChallenge(config);
    const timestamp = cognitoTimestamp(NOW);
    const check = (srpA: string, signature: string) => passwordClaimSignature(challenge.keyFor(srpA), device.deviceGroupKey, device.deviceKey, challenge.secretBlock, timestamp) === signature;

    const session = startSrp();
    const lib = libraryDeviceSignature(session.a, device, { ...challenge, timestamp });
    expect(lib.srpA).toBe(session.srpA);
    expect(check(lib.srpA, lib.signature)).toBe(true);
    const mine = devicePasswordVerifier({ session, device, saltHex: challenge.saltHex, srpBHex: challenge.srpBHex, secretBlock: challenge.secretBlock, now: NOW });
    expect(mine).toEqual({ TIMESTAMP: timestamp, PASSWORD_CLAIM_SIGNATURE: lib.signature, PASSWORD_CLAIM_SECRET_BLOCK: challenge.secretBlock });
    // Another password, another group key, another device key: refused.
    for (const wrong of [{ devicePassword: newDevicePassword() }, { deviceGroupKey: 'other' }, { deviceKey: deviceKeyOf() }]) {
      const other = devicePasswordVerifier({ session, device: { ...device, ...wrong }, saltHex: challenge.saltHex, srpBHex: challenge.srpBHex, secretBlock: challenge.secretBlock, now: NOW });
      expect(check(session.srpA, other.PASSWORD_CLAIM_SIGNATURE)).toBe(false);
    }
  });

  it('a device confirmed by the library (generateHashDevice) is accepted from our DEVICE_PASSWORD_VERIFIER', () => {
    const lib = libraryConfirm('Gk_-9', deviceKeyOf());
    const challenge = serverChallenge(lib);
    const session = startSrp();
    const mine = devicePasswordVerifier({ session, device: lib.device, saltHex: challenge.saltHex, srpBHex: challenge.srpBHex, secretBlock: challenge.secretBlock, now: NOW });
    expect(passwordClaimSignature(challenge.keyFor(session.srpA), lib.device.deviceGroupKey, lib.device.deviceKey, challenge.secretBlock, mine.TIMESTAMP)).toBe(mine.PASSWORD_CLAIM_SIGNATURE);
    // Given the library's salt, our verifier is the library's, byte for byte.
    expect(deviceSecretVerifier(lib.device, Buffer.from(lib.Salt, 'base64'))).toEqual({ Salt: lib.Salt, PasswordVerifier: lib.PasswordVerifier });
  });

  it('writes salts as the library does: a leading 00 byte when the high bit is set, none otherwise', () => {
    const device: DeviceSecret = { deviceKey: deviceKeyOf(), deviceGroupKey: 'G', devicePassword: 'p' };
    const high = Buffer.from('ff' + '11'.repeat(15), 'hex');
    const low = Buffer.from('7f' + '22'.repeat(15), 'hex');
    expect(Buffer.from(deviceSecretVerifier(device, high).Salt, 'base64').toString('hex')).toBe('00' + high.toString('hex'));
    expect(Buffer.from(deviceSecretVerifier(device, low).Salt, 'base64').toString('hex')).toBe(low.toString('hex'));
    // A salt with leading zero bytes is the same number as without them: the same verifier.
    const zeros = Buffer.from('0000' + '33'.repeat(14), 'hex');
    expect(deviceSecretVerifier(device, zeros).PasswordVerifier).toBe(deviceSecretVerifier(device, zeros.subarray(2)).PasswordVerifier);
    const verifier = b64ToBig(deviceSecretVerifier(device, low).PasswordVerifier);
    expect(verifier > 1n && verifier < N).toBe(true);
  });

  it('makes device passwords of 40 random bytes (56 base64 characters), never twice the same, and random salts', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const pw = newDevicePassword();
      expect(pw).toMatch(/^[A-Za-z0-9+/]{54}==$/);
      expect(Buffer.from(pw, 'base64')).toHaveLength(40);
      seen.add(pw);
    }
    expect(seen.size).toBe(50);
    const device: DeviceSecret = { deviceKey: deviceKeyOf(), deviceGroupKey: 'G', devicePassword: newDevicePassword() };
    expect(deviceSecretVerifier(device).Salt).not.toBe(deviceSecretVerifier(device).Salt);
  });

  it('refuses the unsafe challenges the user\'s SRP refuses (SRP_B = 0 mod N, bad hex)', () => {
    const device: DeviceSecret = { deviceKey: deviceKeyOf(), deviceGroupKey: 'G', devicePassword: 'p' };
    const session = startSrpWithPrivateKey(12345n);
    const c = { session, device, saltHex: '0abc', secretBlock: 'AAAA' };
    expect(() => devicePasswordVerifier({ ...c, srpBHex: N.toString(16) })).toThrow(/SRP_B = 0 mod N/);
    expect(() => devicePasswordVerifier({ ...c, srpBHex: 'xyz' })).toThrow(/SRP_B is not a hex number/);
    expect(() => devicePasswordVerifier({ ...c, srpBHex: '1234', saltHex: '' })).toThrow(/SALT is not a hex number/);
  });
});
