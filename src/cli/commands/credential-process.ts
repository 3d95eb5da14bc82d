/** `cognito-creds credential-process`: the credential_process JSON for one profile on stdout. */
import { loadCognitoProfile } from '../../config/config-file.js';
import { configFilePath, selectedProfile } from '../../config/paths.js';
import { loadSecrets, signInForCredentials } from '../../cognito/provider.js';
import { credentialProcessJson } from '../../output/credential-process.js';
import { debugLog, type Io } from '../io.js';

export interface CredentialProcessOptions {
  profile?: string | undefined;
  debug: boolean;
}

export async function credentialProcess(options: CredentialProcessOptions, io: Io): Promise<void> {
  const log = debugLog(io, options.debug);
  const name = selectedProfile(options.profile, io.env);
  const file = configFilePath(io.env, io.home);
  log(`config file ${file}, profile ${name}`);
  const profile = await loadCognitoProfile(file, name);
  const store = await io.secrets();
  const secrets = await log.step('read keychain', () => loadSecrets(store, profile));
  const { credentials } = await signInForCredentials(profile, secrets, {
    log,
    env: io.env,
    now: io.now,
    ...(io.createApi ? { createApi: io.createApi } : {}),
  });
  io.stdout(credentialProcessJson(credentials));
}
