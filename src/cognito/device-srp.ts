/**
 * The device's side of Cognito's remembered devices, pure and without SDK imports, as
 * amazon-cognito-identity-js does it (AuthenticationHelper.generateHashDevice, CognitoUser
 * getDeviceResponse):
 *
 * - the device password: 40 random bytes, base64; known only to this computer's secret store
 * - ConfirmDevice's DeviceSecretVerifierConfig: Salt = 16 random bytes (as padHex makes them),
 *   x = H(padHex(salt) | H(DeviceGroupKey | DeviceKey | ':' | devicePassword)),
 *   PasswordVerifier = padHex(g^x mod N); both base64 of those bytes
 * - DEVICE_PASSWORD_VERIFIER: the user's SRP proof (srp.ts), with the DeviceGroupKey where the
 *   user's proof has the pool name and the DeviceKey where it has USER_ID_FOR_SRP
 */
import { randomBytes } from 'node:crypto';
import { g, modPowN, padHex } from './srp-group.js';
import { passwordExponent, type PasswordVerifierInput, type PasswordVerifierResponses, srpClaim } from './srp.js';

/** Random bytes in a device password (base64: 56 characters), as the reference client makes it. */
export const DEVICE_PASSWORD_BYTES = 40;
const SALT_BYTES = 16;

/** What proves this computer is the device Cognito remembers. */
export interface DeviceSecret {
  deviceKey: string;
  deviceGroupKey: string;
  devicePassword: string;
}

/** ConfirmDevice's DeviceSecretVerifierConfig: base64 of the verifier's and the salt's bytes. */
export interface DeviceSecretVerifierConfig {
  PasswordVerifier: string;
  Salt: string;
}

/** A new random device password. */
export function newDevicePassword(): string {
  return randomBytes(DEVICE_PASSWORD_BYTES).toString('base64');
}

/** The verifier Cognito keeps for the device: salt and g^x, never the password. `salt`: tests choose it. */
export function deviceSecretVerifier(device: DeviceSecret, salt: Buffer = randomBytes(SALT_BYTES)): DeviceSecretVerifierConfig {
  // A positive number, as the library reads the random hex (a leading 00 when the high bit is set).
  const saltHex = padHex(salt.length ? BigInt('0x' + salt.toString('hex')) : 0n);
  const x = passwordExponent(device.deviceGroupKey, device.deviceKey, device.devicePassword, BigInt('0x' + saltHex));
  return {
    PasswordVerifier: Buffer.from(padHex(modPowN(g, x)), 'hex').toString('base64'),
    Salt: Buffer.from(saltHex, 'hex').toString('base64'),
  };
}

export interface DevicePasswordVerifierInput extends Omit<PasswordVerifierInput, 'poolId' | 'userIdForSrp' | 'password'> {
  device: DeviceSecret;
}

/**
 * The ChallengeResponses for DEVICE_PASSWORD_VERIFIER, from the DEVICE_SRP_AUTH session and the
 * challenge's SALT, SRP_B and SECRET_BLOCK (the caller adds USERNAME, DEVICE_KEY and SECRET_HASH).
 * Throws a plain Error on the same unsafe or malformed values as passwordVerifier.
 */
export function devicePasswordVerifier(input: DevicePasswordVerifierInput): PasswordVerifierResponses {
  const { device, ...rest } = input;
  return srpClaim({ ...rest, name: device.deviceGroupKey, userId: device.deviceKey, password: device.devicePassword });
}
