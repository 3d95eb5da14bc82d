/** The cache file's content: its shape, a reader that never throws, and the identity key. */
import { createHash } from 'node:crypto';
import type { AwsCredentials } from '../cognito/identity.js';
import type { CognitoProfile } from '../config/profile.js';

export interface CacheEntry {
  version: 1;
  /** The profile that last wrote it (for `status`; the key is the identity, not the name). */
  profile: string;
  identityId: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ms since the epoch */
  expiresAt: number;
  /** ms since the epoch, when the credentials were received */
  issuedAt: number;
}

/** The cache key of an identity: who signs in where, and which role they get. */
export function cacheKey(profile: Pick<CognitoProfile, 'userPoolId' | 'clientId' | 'username' | 'identityPoolId' | 'region' | 'roleArn'>): string {
  const identity = [profile.region, profile.userPoolId, profile.clientId, profile.username, profile.identityPoolId, profile.roleArn ?? ''];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 40);
}

/** The entry for credentials just received at `now`. */
export function entryFor(profile: string, credentials: AwsCredentials, now: number): CacheEntry {
  const expiresAt = credentials.expiration.getTime();
  return {
    version: 1,
    profile,
    identityId: credentials.identityId,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiresAt,
    issuedAt: Math.min(now, expiresAt),
  };
}

export function serializeEntry(entry: CacheEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** The entry in `text`, or undefined for anything that is not a complete, well-formed entry. */
export function parseEntry(text: string): CacheEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const strings = ['profile', 'identityId', 'accessKeyId', 'secretAccessKey', 'sessionToken'] as const;
  for (const key of strings) {
    if (typeof v[key] !== 'string' || (v[key] as string).length === 0 || (v[key] as string).length > 8192) return undefined;
  }
  for (const key of ['expiresAt', 'issuedAt'] as const) {
    if (typeof v[key] !== 'number' || !Number.isSafeInteger(v[key]) || (v[key] as number) <= 0) return undefined;
  }
  if (v.version !== 1) return undefined;
  return {
    version: 1,
    profile: v.profile as string,
    identityId: v.identityId as string,
    accessKeyId: v.accessKeyId as string,
    secretAccessKey: v.secretAccessKey as string,
    sessionToken: v.sessionToken as string,
    expiresAt: v.expiresAt as number,
    issuedAt: v.issuedAt as number,
  };
}
