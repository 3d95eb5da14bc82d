/** Profile keys that cognito-creds reads and writes, all in one place. */
import { closest } from '../words.js';

export const KEYS = {
  userPoolId: 'cognito_user_pool_id',
  clientId: 'cognito_client_id',
  identityPoolId: 'cognito_identity_pool_id',
  username: 'cognito_username',
  authFlow: 'cognito_auth_flow',
  region: 'cognito_region',
  roleArn: 'cognito_role_arn',
  minTtl: 'cognito_min_ttl',
  secretStore: 'cognito_secret_store',
  /** The name ConfirmDevice gives this computer (default: its host name). */
  deviceName: 'cognito_device_name',
  /** `false`: a pool that lets the user choose does not remember this computer (the default is to). */
  rememberDevice: 'cognito_remember_device',
  credentialProcess: 'credential_process',
  /** Setup's record of the keys it added to a section the user had (src/config/ownership.ts). */
  setupAdded: 'cognito_setup_added',
  /** Not ours: the AWS CLI's and SDKs' region, which setup writes when the profile has none. */
  awsRegion: 'region',
} as const;

export const AUTH_FLOWS = ['USER_PASSWORD_AUTH', 'USER_SRP_AUTH'] as const;
export type AuthFlow = (typeof AUTH_FLOWS)[number];
export const DEFAULT_AUTH_FLOW: AuthFlow = 'USER_SRP_AUTH';

/** Where a profile's secrets live: the OS keychain (default) or the encrypted file. */
export const SECRET_STORES = ['keychain', 'file'] as const;
export type SecretStoreChoice = (typeof SECRET_STORES)[number];

const COGNITO_KEYS: readonly string[] = Object.values(KEYS).filter((k) => k.startsWith('cognito_'));

/**
 * The cognito_* keys of a profile that cognito-creds does not know (a misspelt `cognito_min_tll`
 * would be ignored without a word), each with the known key it is closest to, if one is close.
 */
export function unknownCognitoKeys(settings: Readonly<Record<string, string>>): { key: string; meant?: string }[] {
  return Object.keys(settings)
    .filter((key) => key.startsWith('cognito_') && !COGNITO_KEYS.includes(key))
    .map((key) => {
      const meant = closest(key, COGNITO_KEYS);
      return meant ? { key, meant } : { key };
    });
}

/** "cognito_min_tll (did you mean cognito_min_ttl?)", for doctor and setup. */
export function describeUnknownKey({ key, meant }: { key: string; meant?: string }): string {
  return meant ? `${key} (did you mean ${meant}?)` : key;
}
