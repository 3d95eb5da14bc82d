/**
 * What a sign-in leaves for the next one, kept in the keychain under `PROFILE:refresh-token`:
 * the refresh token, the IdentityId (so GetId is called once per identity), and whom they belong
 * to. A session recorded for another pool, client or user (the profile was edited) is ignored.
 */
import type { CognitoIdentity } from '../shapes.js';
import { deleteLargeSecret, getJsonSecret, setLargeSecret } from './large-secret.js';
import { secretAccount, type SecretStore } from './store.js';

export interface StoredSession {
  userPoolId: string;
  clientId: string;
  username: string;
  /** The Cognito username (the ID token's cognito:username), which SECRET_HASH needs on refresh. */
  cognitoUsername?: string;
  refreshToken?: string;
  /** The app client rotates refresh tokens: refresh with GetTokensFromRefreshToken. */
  rotates?: boolean;
  identityPoolId?: string;
  identityId?: string;
}

type Owner = Pick<CognitoIdentity, 'name' | 'userPoolId' | 'clientId' | 'username'>;

export async function readSession(store: SecretStore, profile: Owner): Promise<StoredSession | undefined> {
  const value = await getJsonSecret(store, secretAccount(profile.name, 'refresh-token'), isSession);
  if (!value || value.userPoolId !== profile.userPoolId || value.clientId !== profile.clientId || value.username !== profile.username) return undefined;
  return value;
}

export async function writeSession(store: SecretStore, profileName: string, session: StoredSession): Promise<void> {
  await setLargeSecret(store, secretAccount(profileName, 'refresh-token'), JSON.stringify(session));
}

export async function deleteSession(store: SecretStore, profileName: string): Promise<boolean> {
  return deleteLargeSecret(store, secretAccount(profileName, 'refresh-token'));
}

function isSession(v: unknown): v is StoredSession {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const str = (k: string) => typeof o[k] === 'string';
  const optStr = (k: string) => o[k] === undefined || typeof o[k] === 'string';
  return (
    str('userPoolId') &&
    str('clientId') &&
    str('username') &&
    optStr('cognitoUsername') &&
    optStr('refreshToken') &&
    optStr('identityPoolId') &&
    optStr('identityId') &&
    (o.rotates === undefined || typeof o.rotates === 'boolean')
  );
}
