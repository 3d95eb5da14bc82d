/**
 * This computer as a remembered device of the user pool. When a sign-in's answer carries
 * NewDeviceMetadata (the pool tracks devices and the sign-in named none it knows), the device is
 * confirmed as the reference client does it: a random device password, ConfirmDevice with the
 * access token, the device name and the verifier (salt and g^x, never the password); when Cognito
 * lets the user choose (UserConfirmationNecessary), UpdateDeviceStatus as the profile asks.
 * Confirming is best effort: the credentials are there already, and a device that could not be
 * confirmed only means the next sign-in is asked for MFA again.
 */
import os from 'node:os';
import { confirmDeviceAnswer } from '../cognito/answers.js';
import type { CognitoApi } from '../cognito/api.js';
import type { DeviceSecret } from '../cognito/device-srp.js';
import type { SignInOutcome } from '../cognito/sign-in.js';
import type { CognitoProfile } from '../config/profile.js';
import { checkDeviceName } from '../config/validate.js';
import { firstLine } from '../errors.js';
import type { DebugLog } from '../log/debug.js';
import { deviceKeyPrefix, type StoredDevice } from '../secrets/device.js';

/** The name ConfirmDevice gives this computer: the profile's, else the host name (when it makes a valid one). */
export function deviceNameFor(profile: Pick<CognitoProfile, 'deviceName'>, hostname: () => string = os.hostname): string | undefined {
  if (profile.deviceName) return profile.deviceName;
  const host = hostname();
  return checkDeviceName(host) ? undefined : host;
}

/** What the device SRP needs of a stored device. */
export function deviceSecretOf(device: StoredDevice): DeviceSecret {
  return { deviceKey: device.deviceKey, deviceGroupKey: device.deviceGroupKey, devicePassword: device.devicePassword };
}

/**
 * Confirm the device a sign-in was issued; the device to keep, or undefined when there was none
 * to confirm or ConfirmDevice failed (said in --debug).
 */
export async function confirmNewDevice(api: CognitoApi, profile: CognitoProfile, tokens: SignInOutcome, log: DebugLog, hostname?: () => string): Promise<StoredDevice | undefined> {
  const metadata = tokens.newDevice;
  if (!metadata) return undefined;
  const prefix = deviceKeyPrefix(metadata.DeviceKey);
  if (!tokens.accessToken) {
    log(`device ${prefix} issued, but no access token came to confirm it with`);
    return undefined;
  }
  const { deviceSecretVerifier, newDevicePassword } = await import('../cognito/device-srp.js');
  const secret: DeviceSecret = { deviceKey: metadata.DeviceKey, deviceGroupKey: metadata.DeviceGroupKey, devicePassword: newDevicePassword() };
  const deviceName = deviceNameFor(profile, hostname);
  const access = { AccessToken: tokens.accessToken, DeviceKey: secret.deviceKey };
  let userChoice: boolean;
  try {
    const out = await api.confirmDevice({ ...access, ...(deviceName ? { DeviceName: deviceName } : {}), DeviceSecretVerifierConfig: deviceSecretVerifier(secret) });
    userChoice = confirmDeviceAnswer(out, profile.name).userConfirmationNecessary;
  } catch (err) {
    log(`device ${prefix} not confirmed: ${firstLine(err)}`);
    return undefined;
  }
  // Cognito remembers every confirmed device, unless the pool lets the user choose: then the profile does.
  let remembered = !userChoice;
  if (userChoice) {
    try {
      await api.updateDeviceStatus({ ...access, DeviceRememberedStatus: profile.rememberDevice ? 'remembered' : 'not_remembered' });
      remembered = profile.rememberDevice;
    } catch (err) {
      log(`device ${prefix}: could not set it ${profile.rememberDevice ? 'remembered' : 'not remembered'}: ${firstLine(err)}`);
    }
  }
  log(`device ${prefix} confirmed as "${deviceName ?? ''}": ${remembered ? 'remembered' : 'not remembered'}${userChoice ? ' (the pool lets the user choose)' : ' (the pool remembers every device)'}`);
  return { userPoolId: profile.userPoolId, username: profile.username, ...secret, deviceName: deviceName ?? '', remembered, userChoice };
}

/**
 * A pool that lets the user choose, and a stored device whose remembered status is not what the
 * profile asks now (`setup --remember-device` or `--no-remember-device` again, or the key edited):
 * UpdateDeviceStatus with the sign-in's access token. The device as it now is.
 */
export async function applyRememberChoice(api: CognitoApi, profile: CognitoProfile, device: StoredDevice, accessToken: string | undefined, log: DebugLog): Promise<StoredDevice> {
  if (!device.userChoice || device.remembered === profile.rememberDevice || !accessToken) return device;
  const status = profile.rememberDevice ? 'remembered' : 'not_remembered';
  try {
    await api.updateDeviceStatus({ AccessToken: accessToken, DeviceKey: device.deviceKey, DeviceRememberedStatus: status });
  } catch (err) {
    log(`device ${deviceKeyPrefix(device.deviceKey)}: could not set it ${profile.rememberDevice ? 'remembered' : 'not remembered'}: ${firstLine(err)}`);
    return device;
  }
  log(`device ${deviceKeyPrefix(device.deviceKey)} now ${profile.rememberDevice ? 'remembered' : 'not remembered'}, as the profile asks`);
  return { ...device, remembered: profile.rememberDevice };
}
