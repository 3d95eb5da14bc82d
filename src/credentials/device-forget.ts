/**
 * Forgetting this computer's remembered device (`logout --forget-device`, `remove`): ForgetDevice
 * with an access token of the device's user, which the stored refresh token gives (with the
 * device's key), else a password sign-in as the device. Best effort: whatever Cognito answers,
 * the caller deletes the device's secrets; the outcome says what Cognito did.
 */
import type { CognitoApi } from '../cognito/api.js';
import { isUnknownDevice } from '../cognito/errors.js';
import { causeName } from '../cognito/identity.js';
import { refreshSignIn } from '../cognito/refresh.js';
import { signIn } from '../cognito/sign-in.js';
import type { CognitoProfile } from '../config/profile.js';
import { firstLine, isCredsError } from '../errors.js';
import { readDevice, type StoredDevice } from '../secrets/device.js';
import { readSession } from '../secrets/session.js';
import { secretAccount, type SecretStore } from '../secrets/store.js';
import { connection } from './connection.js';
import { deviceSecretOf } from './device.js';
import type { SignInDeps } from './sign-in.js';
import { loadSecrets } from './tokens.js';

export type ForgetOutcome =
  | { outcome: 'none' }
  | { outcome: 'forgotten' | 'unknown'; device: StoredDevice }
  | { outcome: 'failed'; device: StoredDevice; reason: string };

/** Ask Cognito to forget the profile's stored device; 'unknown': Cognito had forgotten it already. */
export async function forgetStoredDevice(profile: CognitoProfile, deps: SignInDeps, store: SecretStore): Promise<ForgetOutcome> {
  const device = await readDevice(store, profile);
  if (!device) return { outcome: 'none' };
  const clients = connection(profile, deps.env, deps.log);
  try {
    const api = clients.open();
    const accessToken = await accessTokenFor(api, profile, device, store, deps);
    await api.forgetDevice({ AccessToken: accessToken, DeviceKey: device.deviceKey });
    return { outcome: 'forgotten', device };
  } catch (err) {
    if (isUnknownDevice(err)) return { outcome: 'unknown', device };
    deps.log(`ForgetDevice not done: ${causeName(err) ?? 'error'}`);
    return { outcome: 'failed', device, reason: isCredsError(err) ? err.message.replace(/^profile "[^"]*": /, '') : firstLine(err) };
  } finally {
    clients.close();
  }
}

/** An access token of the device's user: the refresh token's, else a password sign-in as the device. */
async function accessTokenFor(api: CognitoApi, profile: CognitoProfile, device: StoredDevice, store: SecretStore, deps: SignInDeps): Promise<string> {
  const [session, clientSecret] = await Promise.all([readSession(store, profile), store.get(secretAccount(profile.name, 'client-secret'))]);
  if (session?.refreshToken) {
    try {
      const refreshed = await refreshSignIn(api, profile, { ...session, refreshToken: session.refreshToken, deviceKey: device.deviceKey }, clientSecret ?? undefined);
      if (refreshed.accessToken) return refreshed.accessToken;
    } catch (err) {
      if (isUnknownDevice(err)) throw err;
      deps.log(`refresh token refused (${causeName(err)}); signing in with the password to forget the device`);
    }
  }
  const secrets = await loadSecrets(store, profile);
  const interaction = { now: deps.now, ...(deps.prompt ? { prompt: deps.prompt } : {}) };
  const tokens = await signIn(api, profile, secrets, interaction, deviceSecretOf(device));
  if (!tokens.accessToken) throw new Error('the sign-in gave no access token');
  return tokens.accessToken;
}
