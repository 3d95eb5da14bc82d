/**
 * Where Cognito's requests go: the configured endpoint URL when there is one, else the public
 * endpoint of the region's partition, with the FIPS and dual-stack variants. Pure; the same
 * answers as the AWS SDK's endpoint rules for both services (a unit test compares them over every
 * known region and flag), and the same configuration sources, in the same order, as the AWS
 * CLI and SDKs:
 *
 * 1. AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER / AWS_ENDPOINT_URL_COGNITO_IDENTITY
 * 2. AWS_ENDPOINT_URL
 * 3. the profile's `services` section: `cognito_identity_provider =` / `cognito_identity =`
 *    with an indented `endpoint_url = …`
 * 4. the profile's `endpoint_url`
 *
 * (1–4 are skipped when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the profile's
 * `ignore_configured_endpoint_urls` is true), else `https://SERVICE[-fips].REGION.SUFFIX`, where
 * AWS_USE_FIPS_ENDPOINT / `use_fips_endpoint` and AWS_USE_DUALSTACK_ENDPOINT /
 * `use_dualstack_endpoint` choose the variant (as Cognito's endpoint rules have it: in the aws
 * partition, dual-stack is the usual host).
 */
import { CredsError } from '../errors.js';
import { type Proxy, proxyFor } from './proxy.js';

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

export interface ResolvedEndpoint {
  url: string;
  /** Where the URL came from, for --debug and doctor: e.g. "AWS_ENDPOINT_URL", "public". */
  source: string;
}

/** An endpoint and the proxy (if any) its requests go through. */
export interface Route extends ResolvedEndpoint {
  proxy?: Proxy;
  /** For messages: the URL, and the proxy when there is one (never its password). */
  described: string;
  /** For --debug: `described` with where each part came from. */
  detail: string;
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

interface Partition {
  regionRegex: RegExp;
  dnsSuffix: string;
  dualStackDnsSuffix: string;
}

// The AWS partitions (from the SDK's partitions.json); every one supports FIPS and dual-stack.
// A region that matches none is treated as `aws`, as the SDK does.
const PARTITIONS: readonly Partition[] = [
  { regionRegex: /^cn-\w+-\d+$/, dnsSuffix: 'amazonaws.com.cn', dualStackDnsSuffix: 'api.amazonwebservices.com.cn' },
  { regionRegex: /^eusc-(de)-\w+-\d+$/, dnsSuffix: 'amazonaws.eu', dualStackDnsSuffix: 'api.amazonwebservices.eu' },
  { regionRegex: /^us-iso-\w+-\d+$/, dnsSuffix: 'c2s.ic.gov', dualStackDnsSuffix: 'api.aws.ic.gov' },
  { regionRegex: /^us-isob-\w+-\d+$/, dnsSuffix: 'sc2s.sgov.gov', dualStackDnsSuffix: 'api.aws.scloud' },
  { regionRegex: /^eu-isoe-\w+-\d+$/, dnsSuffix: 'cloud.adc-e.uk', dualStackDnsSuffix: 'api.cloud-aws.adc-e.uk' },
  { regionRegex: /^us-isof-\w+-\d+$/, dnsSuffix: 'csp.hci.ic.gov', dualStackDnsSuffix: 'api.aws.hci.ic.gov' },
  { regionRegex: /^us-gov-\w+-\d+$/, dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' },
];
const AWS: Partition = { regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' };

const US_FIPS_REGIONS = new Set(['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2']);

function partitionOf(region: string): Partition {
  return PARTITIONS.find((p) => p.regionRegex.test(region)) ?? AWS;
}

/** Resolve one service's endpoint; a malformed setting is an error that names it. */
export function resolveEndpoint(
  service: CognitoService,
  region: string,
  settings: EndpointSettings = {},
  env: Env = process.env,
): ResolvedEndpoint {
  const ids = SERVICE_IDS[service];
  const ignore =
    flag('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) ??
    flag('ignore_configured_endpoint_urls', settings.ignoreConfiguredEndpointUrls) ??
    false;
  const configured: Array<[string, string | undefined]> = ignore
    ? []
    : [
        [ids.env, env[ids.env]],
        ['AWS_ENDPOINT_URL', env.AWS_ENDPOINT_URL],
        [`services ${ids.servicesKey} endpoint_url`, settings.serviceEndpointUrls?.[service]],
        ['endpoint_url', settings.endpointUrl],
      ];
  const fips = flag('AWS_USE_FIPS_ENDPOINT', env.AWS_USE_FIPS_ENDPOINT) ?? flag('use_fips_endpoint', settings.useFipsEndpoint) ?? false;
  const dualstack =
    flag('AWS_USE_DUALSTACK_ENDPOINT', env.AWS_USE_DUALSTACK_ENDPOINT) ?? flag('use_dualstack_endpoint', settings.useDualstackEndpoint) ?? false;

  for (const [source, value] of configured) {
    if (value === undefined || value.trim() === '') continue;
    // As in the SDKs, a configured endpoint URL is the endpoint: FIPS and dual-stack do not apply.
    return { url: checkedUrl(source, value.trim()), source };
  }
  const p = partitionOf(region);
  // Cognito's own rules: in the aws partition the dual-stack endpoint is the usual host (which
  // answers over IPv6 too), and so is FIPS + dual-stack in the four US regions with FIPS hosts.
  const usualHost = p === AWS && (!fips || US_FIPS_REGIONS.has(region));
  const suffix = dualstack && !usualHost ? p.dualStackDnsSuffix : p.dnsSuffix;
  const host = `${service}${fips ? '-fips' : ''}.${region}.${suffix}`;
  return { url: `https://${host}`, source: `${fips ? 'FIPS ' : ''}${dualstack ? 'dual-stack ' : ''}public endpoint` };
}

/** Where a service's requests go: its endpoint (resolveEndpoint), then its proxy (proxyFor). */
export function resolveRoute(service: CognitoService, region: string, settings: EndpointSettings = {}, env: Env = process.env): Route {
  const endpoint = resolveEndpoint(service, region, settings, env);
  const proxy = proxyFor(endpoint.url, env);
  const via = proxy ? ` through the proxy ${proxy.shown}` : '';
  return {
    ...endpoint,
    ...(proxy ? { proxy } : {}),
    described: `${endpoint.url}${via}`,
    detail: `${endpoint.url} (${endpoint.source})${via}${proxy ? ` (${proxy.source})` : ''}`,
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
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = undefined as unknown as URL;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname || url.username || url.password || url.search || url.hash) {
    throw new CredsError(
      'config',
      `the endpoint URL in ${source} (${JSON.stringify(value)}) is not an http(s) URL without credentials, query or fragment`,
      `Fix ${source}, for example https://cognito-idp.us-east-1.amazonaws.com, or remove it.`,
    );
  }
  // Kept as given (no trailing slash added): messages show what the user wrote.
  return value.replace(/\/+$/, '');
}
