/** `cognito-creds remove`: forget a profile's secrets and delete its config section. */
import { openCredentialsCache } from '../../cache/cache-dir.js';
import { cacheKey } from '../../cache/entry.js';
import { editConfigFile, readConfigText } from '../../config/config-file.js';
import { removeProfile } from '../../config/ini-edit.js';
import { profilesFromIni } from '../../config/ini-parse.js';
import { KEYS } from '../../config/keys.js';
import { configFilePath, selectedProfile } from '../../config/paths.js';
import { isCognitoProfile, resolveCognitoProfile } from '../../config/profile.js';
import { CredsError, profileLabel } from '../../errors.js';
import { deleteLargeSecret } from '../../secrets/large-secret.js';
import { hasSecret, SECRET_KINDS, secretAccount, storeName } from '../../secrets/store.js';
import { debugLog, type Io } from '../io.js';


export interface RemoveOptions {
  profile?: string | undefined;
  debug: boolean;
}

export async function remove(options: RemoveOptions, io: Io): Promise<void> {
  const log = debugLog(io, options.debug);
  const name = selectedProfile(options.profile, io.env);
  const file = configFilePath(io.env, io.home);
  const settings = profilesFromIni((await readConfigText(file)) ?? '').get(name);

  // Never delete a section that cognito-creds did not write: it may hold someone's real keys.
  if (settings && !isCognitoProfile(settings)) {
    throw new CredsError(
      'config',
      `${profileLabel(name)} in ${file} is not a cognito-creds profile (no cognito_* settings); it was left alone`,
      'Check the profile name; edit the file by hand to remove other profiles.',
    );
  }

  // The store is opened (and read) before anything changes: if it cannot be reached, nothing is.
  const choice = settings?.[KEYS.secretStore] === 'file' ? 'file' : 'keychain';
  const store = await io.secrets(choice);
  await hasSecret(store, secretAccount(name, 'password'));

  // The config first: if it cannot be written, the section and its secrets both stay.
  let removed = false;
  if (settings) {
    await editConfigFile(file, (text) => {
      const result = removeProfile(text, name);
      removed = result.removed;
      return result.text;
    });
  }

  const deleted: string[] = [];
  for (const { kind, label } of SECRET_KINDS) {
    if (await deleteLargeSecret(store, secretAccount(name, kind))) deleted.push(label);
  }
  log(`keychain entries deleted: ${deleted.join(', ') || 'none'}`);

  // Cached credentials of the profile's identity go too (a profile too broken to resolve has none).
  let cacheDeleted = false;
  if (settings) {
    let key: string | undefined;
    try {
      key = cacheKey(resolveCognitoProfile(name, settings, file));
    } catch {
      key = undefined;
    }
    if (key) cacheDeleted = await openCredentialsCache(io.env, io.home).delete(key).catch(() => false);
  }

  if (!removed && deleted.length === 0) {
    throw new CredsError('config', `${profileLabel(name)} is not in ${file} and has no stored secrets`, 'Check the name (--profile, AWS_PROFILE); `cognito-creds setup` creates profiles.');
  }
  io.stdout(
    `${profileLabel(name)}: ${removed ? `section removed from ${file}` : `no section in ${file}`}; ` +
      `${deleted.length ? `${deleted.join(', ')} deleted from ${storeName(choice)}` : 'no secrets were stored'}` +
      `${cacheDeleted ? '; cached credentials deleted' : ''}.\n`,
  );
}
