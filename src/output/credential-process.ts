import type { AwsCredentials } from '../shapes.js';

const RFC3339_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/**
 * ISO 8601 in UTC to the second, ending in Z: 2026-11-26T05:00:00Z. Always a 4-digit year, the
 * form every consumer parses (boto3 cannot read `+058887-…Z`): the answers and cache entries that
 * reach here were bounded already (src/cognito/identity.ts, src/cache/entry.ts), so a time that
 * has no such form is a bug, and it is refused rather than printed.
 */
export function isoSeconds(date: Date): string {
  const text = Number.isNaN(date.getTime()) ? '' : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (!RFC3339_SECONDS.test(text)) throw new Error(`refusing to print the time ${String(date.getTime())} ms: it has no RFC 3339 form with a 4-digit year`);
  return text;
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
