import type { AwsCredentials } from '../shapes.js';

/** ISO 8601 in UTC to the second, ending in Z: 2026-11-26T05:00:00Z. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The one line credential-process prints: the credential_process JSON document. */
export function credentialProcessJson(c: Pick<AwsCredentials, 'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'expiration'>): string {
  return `${JSON.stringify({
    Version: 1,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: isoSeconds(c.expiration),
  })}\n`;
}
