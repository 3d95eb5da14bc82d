/** `cognito-creds logout`: forget the cached credentials and the refresh token; the password stays. */
import { openCredentialsCache } from '../../cache/cache-dir.js';
import { cacheKey } from '../../cache/entry.js';
import { loadCognitoProfile } from '../../config/config-file.js';
import { configFilePath, selectedProfile } from '../../config/paths.js';
import { profileLabel } from '../../errors.js';
import { deleteSession } from '../../secrets/session.js';
import { storeName } from '../../secrets/store.js';
import { debugLog, type Io } from '../io.js';

export interface LogoutOptions {
  profile?: string | undefined;
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
  const session = await deleteSession(await io.secrets(profile.secretStore), name);
  io.stdout(
    `${profileLabel(name)}: ${cached ? 'cached credentials deleted' : 'no cached credentials'}; ` +
      `${session ? `refresh token deleted from ${storeName(profile.secretStore)}` : 'no refresh token was stored'}; the password stays.\n`,
  );
}
