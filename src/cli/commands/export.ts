/** `cognito-creds export`: the credentials as lines a shell (or dotenv, or a program) reads. */
import { credentialProcessJson } from '../../output/credential-process.js';
import { type ExportFormat, formatExports } from '../../output/env-exports.js';
import { serviceRegion } from '../../config/profile.js';
import { profileCredentials } from '../../credentials/profile-credentials.js';
import { credentialsContext, debugLog, type Io } from '../io.js';

export interface ExportOptions {
  profile?: string | undefined;
  format: ExportFormat;
  debug: boolean;
}

export async function exportCredentials(options: ExportOptions, io: Io): Promise<void> {
  const { profile, entry } = await profileCredentials(options.profile, credentialsContext(io, debugLog(io, options.debug)));
  const credentials = {
    accessKeyId: entry.accessKeyId,
    secretAccessKey: entry.secretAccessKey,
    sessionToken: entry.sessionToken,
    expiration: new Date(entry.expiresAt),
    region: serviceRegion(profile, io.env),
  };
  io.stdout(options.format === 'json' ? credentialProcessJson(credentials) : formatExports(credentials, options.format));
}
