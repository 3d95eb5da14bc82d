/**
 * `cognito-creds logout`: forget the cached credentials and the refresh token; the password stays,
 * and so does the remembered device (the next sign-in needs no MFA code) unless --forget-device:
 * then Cognito is asked to forget it first (best effort, with the refresh token), and its secrets
 * are deleted. A refresh token it cannot delete (a locked keyring) is an error: exit 5, saying so.
 */
import { openCredentialsCache } from '../../cache/cache-dir.js';
import { cacheKey } from '../../cache/entry.js';
import { loadCognitoProfile } from '../../config/config-file.js';
import { configFilePath, selectedProfile } from '../../config/paths.js';
import { profileLabel } from '../../errors.js';
import { deleteDevice } from '../../secrets/device.js';
import { deleteSession } from '../../secrets/session.js';
import { absenceOf, lockedError, secretAccount, storeName } from '../../secrets/store.js';
import { forgetDevice, reportForget } from '../device-report.js';
import { debugLog, type Io } from '../io.js';

export interface LogoutOptions {
  profile?: string | undefined;
  /** Ask Cognito to forget this computer's remembered device, and delete its secrets. */
  forgetDevice?: boolean;
  debug: boolean;
}

export async function logout(options: LogoutOptions, io: Io): Promise<void> {
  const log = debugLog(io, options.debug);
  const name = selectedProfile(options.profile, io.env);
  const profile = await loadCognitoProfile(configFilePath(io.env, io.home), name);
  const cache = openCredentialsCache(io.env, io.home);
  const key = cacheKey(profile);
  const cached = await cache.delete(key);
  log(`cache entry ${cache.entryPath(key)}: ${cached ? 'deleted' : 'none'}`);
  const store = await io.secrets(profile.secretStore);
  // Before the refresh token goes: it is what ForgetDevice's access token comes from.
  const forgotten = options.forgetDevice ? await forgetDevice(io, log, profile, store) : undefined;
  if (forgotten && forgotten.outcome !== 'none') await deleteDevice(store, name);
  const session = await deleteSession(store, name);
  if (!session && (await absenceOf(store, secretAccount(name, 'refresh-token'))) === 'locked') {
    throw lockedError(
      `${profileLabel(name)}: the keychain is locked, so its refresh token cannot be deleted; ${cached ? 'the cached credentials were deleted' : 'no credentials were cached'}`,
      process.platform,
    );
  }
  io.stdout(
    `${profileLabel(name)}: ${cached ? 'cached credentials deleted' : 'no cached credentials'}; ` +
      `${session ? `refresh token deleted from ${storeName(profile.secretStore)}` : 'no refresh token was stored'}; the password stays.\n` +
      (forgotten ? reportForget(io, name, forgotten, storeName(profile.secretStore)) || `${profileLabel(name)}: no remembered device was stored.\n` : ''),
  );
}
