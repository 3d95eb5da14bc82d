/** Profile keys that cognito-creds reads and writes, all in one place. */
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
  credentialProcess: 'credential_process',
} as const;

export const AUTH_FLOWS = ['USER_PASSWORD_AUTH', 'USER_SRP_AUTH'] as const;
export type AuthFlow = (typeof AUTH_FLOWS)[number];
export const DEFAULT_AUTH_FLOW: AuthFlow = 'USER_SRP_AUTH';

/** Where a profile's secrets live: the OS keychain (default) or the encrypted file. */
export const SECRET_STORES = ['keychain', 'file'] as const;
export type SecretStoreChoice = (typeof SECRET_STORES)[number];
