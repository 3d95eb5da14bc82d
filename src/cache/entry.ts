/** The cache file's content: its shape, a reader that never throws, and the identity key. */
import type { AwsCredentials, CognitoIdentity } from '../shapes.js';
import { LAST_ISO_TIME_MS, MAX_CREDENTIALS_LIFETIME_MS } from '../time.js';

export interface CacheEntry {
  version: 2;
  /** Whose credentials these are (see identityOf): checked on every read. */
  identity: string;
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

type Identity = Pick<CognitoIdentity, 'userPoolId' | 'clientId' | 'username' | 'identityPoolId' | 'region' | 'roleArn'>;

/** Who signs in where, and which role they get: what makes two profiles share credentials. */
export function identityOf(profile: Identity): string {
  return JSON.stringify([profile.region, profile.userPoolId, profile.clientId, profile.username, profile.identityPoolId, profile.roleArn ?? '']);
}

/**
 * The cache file name of an identity: 128 bits of four FNV-1a hashes. Not a cryptographic hash
 * (loading node:crypto would cost the warm path a few milliseconds), and it need not be: every
 * entry records its identity and a read that finds another one is a miss.
 */
export function cacheKey(profile: Identity): string {
  const bytes = Buffer.from(identityOf(profile), 'utf8');
  let out = '';
  for (const seed of [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b]) {
    let h = seed >>> 0;
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

/** The entry for credentials just received at `now`. */
export function entryFor(profile: string, identity: string, credentials: AwsCredentials, now: number): CacheEntry {
  const expiresAt = credentials.expiration.getTime();
  return {
    version: 2,
    identity,
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

/**
 * The entry in `text`, or undefined for anything that is not a complete, well-formed entry: every
 * field of its type; both times whole milliseconds after 1970 and before the year 10000 (so each
 * prints as an ISO 8601 time with a 4-digit year); issued no later than it expires, and living no
 * longer than any credentials can (MAX_CREDENTIALS_LIFETIME_MS). Never throws. How far ahead of
 * now it may expire is the freshness rule's to say (freshness.ts).
 */
export function parseEntry(text: string): CacheEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const strings = ['identity', 'profile', 'identityId', 'accessKeyId', 'secretAccessKey', 'sessionToken'] as const;
  for (const key of strings) {
    if (typeof v[key] !== 'string' || (v[key] as string).length === 0 || (v[key] as string).length > 8192) return undefined;
  }
  for (const key of ['expiresAt', 'issuedAt'] as const) {
    const time = v[key];
    if (typeof time !== 'number' || !Number.isSafeInteger(time) || time <= 0 || time > LAST_ISO_TIME_MS) return undefined;
  }
  const life = (v.expiresAt as number) - (v.issuedAt as number);
  if (life < 0 || life > MAX_CREDENTIALS_LIFETIME_MS) return undefined;
  if (v.version !== 2) return undefined;
  return {
    version: 2,
    identity: v.identity as string,
    profile: v.profile as string,
    identityId: v.identityId as string,
    accessKeyId: v.accessKeyId as string,
    secretAccessKey: v.secretAccessKey as string,
    sessionToken: v.sessionToken as string,
    expiresAt: v.expiresAt as number,
    issuedAt: v.issuedAt as number,
  };
}
