/**
 * Which endpoint settings apply to a profile's Cognito requests. Pure. The AWS SDK clients
 * resolve the endpoint itself (src/cognito/api.ts): this module only reads the settings the way
 * the AWS CLI and SDKs do, from the cognito-creds profile (never from AWS_PROFILE's), and refuses
 * a malformed one with an error that names it. The configured URL, in this order:
 *
 * 1. AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER / AWS_ENDPOINT_URL_COGNITO_IDENTITY
 * 2. AWS_ENDPOINT_URL
 * 3. the profile's `services` section: `cognito_identity_provider =` / `cognito_identity =`
 *    with an indented `endpoint_url = …`
 * 4. the profile's `endpoint_url`
 *
 * (all skipped when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the profile's
 * `ignore_configured_endpoint_urls` is true). With none, the SDK's endpoint rules give the public
 * endpoint of the region's partition, in the variant that AWS_USE_FIPS_ENDPOINT /
 * `use_fips_endpoint` and AWS_USE_DUALSTACK_ENDPOINT / `use_dualstack_endpoint` choose.
 *
 * (Why not leave steps 1–4 to the SDK as well: its configured-endpoint lookup reads the profile
 * named by AWS_PROFILE, not the client's `profile`, and its errors cannot name the setting.)
 */
import { CredsError, shownUrl } from '../errors.js';

export type CognitoService = 'cognito-idp' | 'cognito-identity';

/** The profile's endpoint settings, raw (as strings from the config file). */
export interface EndpointSettings {
  endpointUrl?: string;
  /** From the profile's `services` section. */
  serviceEndpointUrls?: Partial<Record<CognitoService, string>>;
  useFipsEndpoint?: string;
  useDualstackEndpoint?: string;
  ignoreConfiguredEndpointUrls?: string;
}

export interface ConfiguredEndpoint {
  url: string;
  /** The setting it came from, for --debug and messages: e.g. "AWS_ENDPOINT_URL". */
  source: string;
}

/** The public endpoint's variant. */
export interface EndpointVariant {
  fips: boolean;
  dualstack: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The variables and `services` keys the AWS SDKs derive from each service's id. */
const SERVICE_IDS: Record<CognitoService, { env: string; servicesKey: string }> = {
  'cognito-idp': { env: 'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER', servicesKey: 'cognito_identity_provider' },
  'cognito-identity': { env: 'AWS_ENDPOINT_URL_COGNITO_IDENTITY', servicesKey: 'cognito_identity' },
};

/** `services` section keys, for the config reader. */
export const SERVICES_KEYS: Record<CognitoService, string> = {
  'cognito-idp': SERVICE_IDS['cognito-idp'].servicesKey,
  'cognito-identity': SERVICE_IDS['cognito-identity'].servicesKey,
};

/** A profile's endpoint settings, from its keys and the `[services …]` section it names. */
export function endpointSettingsOf(
  settings: Readonly<Record<string, string>>,
  services: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): EndpointSettings {
  const endpoints: EndpointSettings = {};
  const keys = { endpointUrl: 'endpoint_url', useFipsEndpoint: 'use_fips_endpoint', useDualstackEndpoint: 'use_dualstack_endpoint', ignoreConfiguredEndpointUrls: 'ignore_configured_endpoint_urls' } as const;
  for (const [field, key] of Object.entries(keys) as Array<[keyof typeof keys, string]>) {
    const value = settings[key];
    if (value !== undefined && value !== '') endpoints[field] = value;
  }
  const idp = services[SERVICES_KEYS['cognito-idp']]?.endpoint_url;
  const identity = services[SERVICES_KEYS['cognito-identity']]?.endpoint_url;
  if (idp || identity) {
    endpoints.serviceEndpointUrls = { ...(idp ? { 'cognito-idp': idp } : {}), ...(identity ? { 'cognito-identity': identity } : {}) };
  }
  return endpoints;
}

/** The configured endpoint URL of one service, if any; a malformed setting is an error that names it. */
export function configuredEndpoint(service: CognitoService, settings: EndpointSettings = {}, env: Env = process.env): ConfiguredEndpoint | undefined {
  const ids = SERVICE_IDS[service];
  const ignore =
    flag('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) ??
    flag('ignore_configured_endpoint_urls', settings.ignoreConfiguredEndpointUrls) ??
    false;
  if (ignore) return undefined;
  const configured: Array<[string, string | undefined]> = [
    [ids.env, env[ids.env]],
    ['AWS_ENDPOINT_URL', env.AWS_ENDPOINT_URL],
    [`services ${ids.servicesKey} endpoint_url`, settings.serviceEndpointUrls?.[service]],
    ['endpoint_url', settings.endpointUrl],
  ];
  for (const [source, value] of configured) {
    if (value === undefined || value.trim() === '') continue;
    return { url: checkedUrl(source, value.trim()), source };
  }
  return undefined;
}

/**
 * FIPS and dual-stack, the environment first. They apply to the public endpoint only: as in the
 * SDKs, a configured endpoint URL is the endpoint.
 */
export function endpointVariant(settings: EndpointSettings = {}, env: Env = process.env): EndpointVariant {
  return {
    fips: flag('AWS_USE_FIPS_ENDPOINT', env.AWS_USE_FIPS_ENDPOINT) ?? flag('use_fips_endpoint', settings.useFipsEndpoint) ?? false,
    dualstack: flag('AWS_USE_DUALSTACK_ENDPOINT', env.AWS_USE_DUALSTACK_ENDPOINT) ?? flag('use_dualstack_endpoint', settings.useDualstackEndpoint) ?? false,
  };
}

/** Both services' settings, as src/cognito/api.ts takes them; a malformed one throws, naming it. */
export function endpointChoices(settings: EndpointSettings = {}, env: Env = process.env) {
  const variant = endpointVariant(settings, env);
  return {
    userPool: { configured: configuredEndpoint('cognito-idp', settings, env), ...variant },
    identity: { configured: configuredEndpoint('cognito-identity', settings, env), ...variant },
  };
}

/** "true"/"false" (any case), undefined when unset; anything else is an error naming the setting. */
function flag(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new CredsError('config', `${name} = ${JSON.stringify(value)} is neither true nor false`, `Set ${name} to true or false, or remove it.`);
}

function checkedUrl(source: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname || url.username || url.password || url.search || url.hash) {
    throw new CredsError(
      'config',
      `the endpoint URL in ${source} (${JSON.stringify(shownUrl(value))}) is not an http(s) URL without credentials, query or fragment`,
      `Fix ${source}, for example https://cognito-idp.us-east-1.amazonaws.com, or remove it.`,
    );
  }
  // Kept as given (no trailing slash added): messages show what the user wrote.
  return value.replace(/\/+$/, '');
}
