/** `cognito-creds credential-process`: the credential_process JSON for one profile on stdout. */
import { profileCredentials } from '../../credentials/profile-credentials.js';
import { credentialProcessJson } from '../../output/credential-process.js';
import { credentialsContext, debugLog, type Io } from '../io.js';

export interface CredentialProcessOptions {
  profile?: string | undefined;
  debug: boolean;
}

export async function credentialProcess(options: CredentialProcessOptions, io: Io): Promise<void> {
  const { entry } = await profileCredentials(options.profile, credentialsContext(io, debugLog(io, options.debug)));
  io.stdout(
    credentialProcessJson({
      accessKeyId: entry.accessKeyId,
      secretAccessKey: entry.secretAccessKey,
      sessionToken: entry.sessionToken,
      expiration: new Date(entry.expiresAt),
    }),
  );
}
