/**
 * What `logout --forget-device` and `remove` do with the remembered device and say of it: Cognito
 * forgot it, had forgotten it already, or could not be asked (a warning on stderr: best effort,
 * the device's secrets are deleted all the same). Never the device password.
 */
import type { CognitoProfile } from '../config/profile.js';
import type { ForgetOutcome } from '../credentials/device-forget.js';
import { profileLabel } from '../errors.js';
import type { DebugLog } from '../log/debug.js';
import { deviceLabel, readDevice } from '../secrets/device.js';
import type { SecretStore } from '../secrets/store.js';
import { type Io, signInDeps } from './io.js';

/** Ask Cognito to forget the profile's stored device (the sign-in module loads only when one is stored). */
export async function forgetDevice(io: Io, log: DebugLog, profile: CognitoProfile, store: SecretStore): Promise<ForgetOutcome> {
  if (!(await readDevice(store, profile))) return { outcome: 'none' };
  const { forgetStoredDevice } = await import('../credentials/sign-in.js');
  return forgetStoredDevice(profile, signInDeps(io, log), store);
}

/** The sentence for stdout (empty when no device was stored); a failure is a warning on stderr too. */
export function reportForget(io: Io, name: string, result: ForgetOutcome, where: string): string {
  if (result.outcome === 'none') return '';
  const device = `device ${deviceLabel(result.device)}`;
  if (result.outcome === 'failed') {
    io.stderr(
      `cognito-creds: warning: ${profileLabel(name)}: Cognito could not be asked to forget ${device}: ${result.reason}\n` +
        "  It stays in the user's devices until the user or an administrator forgets it.\n",
    );
    return `${profileLabel(name)}: ${device} deleted from ${where}, not forgotten by Cognito.\n`;
  }
  return `${profileLabel(name)}: ${device} ${result.outcome === 'forgotten' ? 'forgotten by Cognito' : 'was unknown to Cognito already'}; deleted from ${where}.\n`;
}
