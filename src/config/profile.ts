import { type EndpointSettings, endpointSettingsOf } from './endpoint-settings.js';
import { CredsError, profileLabel } from '../errors.js';
import { type AuthFlow, DEFAULT_AUTH_FLOW, KEYS, type SecretStoreChoice } from './keys.js';
import {
  type Check,
  checkAuthFlow,
  checkBoolean,
  checkClientId,
  checkDeviceName,
  checkIdentityPoolId,
  checkRegion,
  checkRoleArn,
  checkSeconds,
  checkSecretStore,
  checkUserPoolId,
  checkUsername,
  regionOf,
  shown,
} from './validate.js';

/** A profile's Cognito settings, every value checked. */
export interface CognitoProfile {
  name: string;
  configFile: string;
  userPoolId: string;
  clientId: string;
  identityPoolId: string;
  username: string;
  authFlow: AuthFlow;
  /** The user pool's region: `cognito_region`, else the user pool id's prefix. */
  region: string;
  /** The identity pool's region: always its id's prefix. */
  identityRegion: string;
  /** `cognito_role_arn`: the role to ask the identity pool for (CustomRoleArn). */
  roleArn?: string;
  /** `cognito_min_ttl` in seconds, when set. */
  minTtlSeconds?: number;
  /** `cognito_secret_store`: the keychain (default) or the encrypted file. */
  secretStore: SecretStoreChoice;
  /** `cognito_device_name`: what ConfirmDevice calls this computer (else its host name). */
  deviceName?: string;
  /** `cognito_remember_device` (default true): ask a pool that lets the user choose to remember this computer. */
  rememberDevice: boolean;
  /** The profile's own `region` (for the AWS services it is used with), when set and well-formed. */
  awsRegion?: string;
  /** endpoint_url, use_fips_endpoint, … and the `services` section's endpoints (endpoint-settings.ts). */
  endpoints: EndpointSettings;
}

/** A cognito-creds profile is one with at least one cognito_* key. */
export function isCognitoProfile(settings: Readonly<Record<string, string>>): boolean {
  return Object.keys(settings).some((k) => k.startsWith('cognito_'));
}

/** The profile keys (besides cognito_*) that decide where Cognito's requests go. */
export const ENDPOINT_KEYS = ['endpoint_url', 'use_fips_endpoint', 'use_dualstack_endpoint', 'ignore_configured_endpoint_urls', 'services'] as const;

/** Turn a profile's raw settings into a checked CognitoProfile, naming the first bad or missing key. */
export function resolveCognitoProfile(
  name: string,
  settings: Readonly<Record<string, string>>,
  configFile: string,
  /** The sub-settings of the `[services NAME]` section the profile's `services` names, if any. */
  services: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): CognitoProfile {
  if (!isCognitoProfile(settings)) {
    throw new CredsError(
      'config',
      `${profileLabel(name)} in ${configFile} has no cognito_* settings; it is not a cognito-creds profile`,
      `Run \`cognito-creds setup --profile ${name}\` to set it up.`,
    );
  }
  const { required, optional } = keyReader(name, settings, configFile);

  const userPoolId = required(KEYS.userPoolId, checkUserPoolId);
  const clientId = required(KEYS.clientId, checkClientId);
  const identityPoolId = required(KEYS.identityPoolId, checkIdentityPoolId);
  const username = required(KEYS.username, checkUsername);
  const authFlow = (optional(KEYS.authFlow, checkAuthFlow) as AuthFlow | undefined) ?? DEFAULT_AUTH_FLOW;
  const region = optional(KEYS.region, checkRegion) ?? regionOf(userPoolId);
  const roleArn = optional(KEYS.roleArn, checkRoleArn);
  const minTtl = optional(KEYS.minTtl, checkSeconds);
  const secretStore = (optional(KEYS.secretStore, checkSecretStore) as SecretStoreChoice | undefined) ?? 'keychain';
  const deviceName = optional(KEYS.deviceName, checkDeviceName);
  const rememberDevice = optional(KEYS.rememberDevice, checkBoolean) !== 'false';

  return {
    name,
    configFile,
    endpoints: endpointSettingsOf(settings, services),
    userPoolId,
    clientId,
    identityPoolId,
    username,
    authFlow,
    region,
    identityRegion: regionOf(identityPoolId),
    secretStore,
    rememberDevice,
    ...(deviceName ? { deviceName } : {}),
    ...(roleArn ? { roleArn } : {}),
    ...(minTtl !== undefined ? { minTtlSeconds: Number(minTtl) } : {}),
    ...(settings.region && !checkRegion(settings.region) ? { awsRegion: settings.region } : {}),
  };
}

/** Reading one key: its value checked, or an error naming the profile, the key and the fix. */
function keyReader(name: string, settings: Readonly<Record<string, string>>, configFile: string) {
  const where = `${profileLabel(name)} in ${configFile}`;
  const fix = `Fix it in the config file, or run \`cognito-creds setup --profile ${name}\`.`;
  const optional = (key: string, check: Check): string | undefined => {
    const value = settings[key];
    if (value === undefined || value === '') return undefined;
    const problem = check(value);
    if (problem) throw new CredsError('config', `${where}: ${key} = ${shown(value)} ${problem}`, fix);
    return value;
  };
  const required = (key: string, check: Check): string => {
    const value = optional(key, check);
    if (value === undefined) throw new CredsError('config', `${where} is missing ${key}`, fix);
    return value;
  };
  return { required, optional };
}

/** The region for the AWS services the credentials are used with: the profile's `region`, else AWS_REGION / AWS_DEFAULT_REGION, else the identity pool's. */
export function serviceRegion(profile: Pick<CognitoProfile, 'awsRegion' | 'identityRegion'>, env: Readonly<Record<string, string | undefined>>): string {
  return profile.awsRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? profile.identityRegion;
}
