/**
 * The device Cognito remembers this computer as, kept in the secret store beside the session under
 * `PROFILE:device`: its key, its group key and its password (what the device SRP proves), its
 * name, and whether Cognito remembers it (skips MFA) or only tracks it. Never in the config file or
 * the cache. A device recorded for another pool or user (the profile was edited) is ignored.
 */
import type { CognitoIdentity } from '../shapes.js';
import { deleteLargeSecret, getJsonSecret, setLargeSecret } from './large-secret.js';
import { secretAccount, type SecretStore } from './store.js';

export interface StoredDevice {
  userPoolId: string;
  username: string;
  deviceKey: string;
  deviceGroupKey: string;
  devicePassword: string;
  /** The DeviceName it was confirmed with. */
  deviceName: string;
  /** Cognito remembers it: a sign-in from it answers the device SRP instead of an MFA code. */
  remembered: boolean;
  /** The pool let the user choose (ConfirmDevice answered UserConfirmationNecessary). */
  userChoice: boolean;
}

type Owner = Pick<CognitoIdentity, 'name' | 'userPoolId' | 'username'>;

export async function readDevice(store: SecretStore, profile: Owner): Promise<StoredDevice | undefined> {
  const value = await getJsonSecret(store, secretAccount(profile.name, 'device'), isDevice);
  return value && value.userPoolId === profile.userPoolId && value.username === profile.username ? value : undefined;
}

export async function writeDevice(store: SecretStore, profileName: string, device: StoredDevice): Promise<void> {
  await setLargeSecret(store, secretAccount(profileName, 'device'), JSON.stringify(device));
}

export async function deleteDevice(store: SecretStore, profileName: string): Promise<boolean> {
  return deleteLargeSecret(store, secretAccount(profileName, 'device'));
}

/** How messages show a device key: its region and the first 8 characters of its id, never the password. */
export function deviceKeyPrefix(deviceKey: string): string {
  const i = deviceKey.indexOf('_');
  return `${deviceKey.slice(0, i + 9)}…`;
}

/** `"laptop" (us-east-1_0f1e2d3c…)`: how messages name a stored device. */
export function deviceLabel(device: Pick<StoredDevice, 'deviceKey' | 'deviceName'>): string {
  return `${device.deviceName ? `${JSON.stringify(device.deviceName)} ` : ''}(${deviceKeyPrefix(device.deviceKey)})`;
}

function isDevice(v: unknown): v is StoredDevice {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const str = (k: string) => typeof o[k] === 'string' && o[k] !== '';
  return (
    str('userPoolId') &&
    str('username') &&
    str('deviceKey') &&
    str('deviceGroupKey') &&
    str('devicePassword') &&
    typeof o.deviceName === 'string' &&
    typeof o.remembered === 'boolean' &&
    typeof o.userChoice === 'boolean'
  );
}
