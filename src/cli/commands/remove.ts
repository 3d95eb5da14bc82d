/** `cognito-creds remove`: forget a profile's secrets and delete its config section. */
import { editConfigFile, readConfigText } from '../../config/config-file.js';
import { profilesFromIni, removeProfile } from '../../config/ini.js';
import { configFilePath, selectedProfile } from '../../config/paths.js';
import { CredsError, profileLabel } from '../../errors.js';
import { secretAccount, type SecretKind } from '../../secrets/store.js';
import { debugLog, type Io } from '../io.js';

const SECRET_KINDS: SecretKind[] = ['password', 'client-secret', 'totp-secret', 'refresh-token'];

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
  if (settings && !Object.keys(settings).some((k) => k.startsWith('cognito_'))) {
    throw new CredsError(
      'config',
      `${profileLabel(name)} in ${file} is not a cognito-creds profile (no cognito_* settings); it was left alone`,
      'Check the profile name; edit the file by hand to remove other profiles.',
    );
  }

  const store = await io.secrets();
  const deleted: string[] = [];
  for (const kind of SECRET_KINDS) {
    if (await store.delete(secretAccount(name, kind))) deleted.push(kind);
  }
  log(`keychain entries deleted: ${deleted.join(', ') || 'none'}`);

  let removed = false;
  if (settings) {
    await editConfigFile(file, (text) => {
      const result = removeProfile(text, name);
      removed = result.removed;
      return result.text;
    });
  }
  if (!removed && deleted.length === 0) {
    throw new CredsError('config', `${profileLabel(name)} is not in ${file} and has no stored secrets`, 'Check the name (--profile, AWS_PROFILE); `cognito-creds setup` creates profiles.');
  }
  io.stdout(
    `${profileLabel(name)}: ${removed ? `section removed from ${file}` : `no section in ${file}`}; ` +
      `${deleted.length ? `${deleted.join(', ')} deleted from the keychain` : 'no secrets were stored'}.\n`,
  );
}
