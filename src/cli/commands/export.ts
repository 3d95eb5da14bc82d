/** `cognito-creds export`: the credentials as lines a shell (or dotenv, or a program) reads. */
import { credentialProcessJson } from '../../output/credential-process.js';
import { type ExportFormat, formatExports } from '../../output/env-exports.js';
import type { Io } from '../io.js';
import { profileCredentials } from './credential-process.js';

export interface ExportOptions {
  profile?: string | undefined;
  format: ExportFormat;
  debug: boolean;
}

export async function exportCredentials(options: ExportOptions, io: Io): Promise<void> {
  const { profile, entry } = await profileCredentials(options, io);
  const credentials = {
    accessKeyId: entry.accessKeyId,
    secretAccessKey: entry.secretAccessKey,
    sessionToken: entry.sessionToken,
    expiration: new Date(entry.expiresAt),
    region: profile.awsRegion ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? profile.identityRegion,
  };
  io.stdout(options.format === 'json' ? credentialProcessJson(credentials) : formatExports(credentials, options.format));
}
