import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { type CognitoService, resolveEndpoint } from '../../src/cognito/endpoint.js';
import { errorOf } from '../support/errors.js';

// The SDK clients are devDependencies: the reference that cognito-creds' own resolution must match.
const sdk: Record<CognitoService, (p: { Region: string; UseFIPS: boolean; UseDualStack: boolean }) => { url: URL }> = {
  'cognito-idp': new CognitoIdentityProviderClient({ region: 'us-east-1' }).config.endpointProvider,
  'cognito-identity': new CognitoIdentityClient({ region: 'us-east-1' }).config.endpointProvider,
};

const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-northeast-1', 'eu-central-2', 'il-central-1', 'mx-central-1',
  'ca-west-1', 'af-south-1', 'me-central-1', 'sa-east-1', 'ap-southeast-7',
  'cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'us-gov-east-1', 'us-iso-east-1', 'us-isob-east-1',
  'eu-isoe-west-1', 'us-isof-south-1', 'eusc-de-east-1',
  'xx-future-1', // matches no partition: the SDK treats it as aws, and so must we
];


describe('resolveEndpoint', () => {
  it.each(['cognito-idp', 'cognito-identity'] as const)('%s: the same public endpoints as the AWS SDK, for every partition and flag', (service) => {
    for (const region of REGIONS) {
      for (const fips of [false, true]) {
        for (const dualstack of [false, true]) {
          const env = { AWS_USE_FIPS_ENDPOINT: String(fips), AWS_USE_DUALSTACK_ENDPOINT: String(dualstack) };
          const ours = resolveEndpoint(service, region, {}, env).url;
          const theirs = sdk[service]({ Region: region, UseFIPS: fips, UseDualStack: dualstack }).url.href.replace(/\/$/, '');
          expect(`${region} fips=${fips} dualstack=${dualstack}: ${ours}`).toBe(`${region} fips=${fips} dualstack=${dualstack}: ${theirs}`);
        }
      }
    }
  });

  it('plain: https://SERVICE.REGION.amazonaws.com', () => {
    expect(resolveEndpoint('cognito-idp', 'ap-northeast-1', {}, {})).toEqual({ url: 'https://cognito-idp.ap-northeast-1.amazonaws.com', source: 'public endpoint' });
    expect(resolveEndpoint('cognito-identity', 'cn-north-1', {}, {})).toEqual({ url: 'https://cognito-identity.cn-north-1.amazonaws.com.cn', source: 'public endpoint' });
  });

  it('the configured URLs in the AWS order: service variable, AWS_ENDPOINT_URL, services section, profile', () => {
    const settings = { endpointUrl: 'http://127.0.0.1:4', serviceEndpointUrls: { 'cognito-idp': 'http://127.0.0.1:3' } };
    const env = { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' };
    expect(resolveEndpoint('cognito-idp', 'us-east-1', settings, env)).toEqual({ url: 'http://127.0.0.1:1', source: 'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER' });
    // The identity pool's variable is another one.
    expect(resolveEndpoint('cognito-identity', 'us-east-1', settings, env)).toEqual({ url: 'http://127.0.0.1:2', source: 'AWS_ENDPOINT_URL' });
    expect(resolveEndpoint('cognito-idp', 'us-east-1', settings, {})).toEqual({ url: 'http://127.0.0.1:3', source: 'services cognito_identity_provider endpoint_url' });
    expect(resolveEndpoint('cognito-identity', 'us-east-1', settings, {})).toEqual({ url: 'http://127.0.0.1:4', source: 'endpoint_url' });
    expect(resolveEndpoint('cognito-identity', 'us-east-1', { serviceEndpointUrls: { 'cognito-identity': 'https://id.example/' } }, {}).url).toBe('https://id.example');
  });

  it('ignore_configured_endpoint_urls / AWS_IGNORE_CONFIGURED_ENDPOINT_URLS skip every configured URL; the variable wins over the profile', () => {
    const settings = { endpointUrl: 'http://127.0.0.1:4', ignoreConfiguredEndpointUrls: 'true' };
    expect(resolveEndpoint('cognito-idp', 'us-east-1', settings, { AWS_ENDPOINT_URL: 'http://127.0.0.1:2' }).url).toBe('https://cognito-idp.us-east-1.amazonaws.com');
    expect(resolveEndpoint('cognito-idp', 'us-east-1', settings, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' }).url).toBe('http://127.0.0.1:4');
  });

  it('the environment wins over the profile for FIPS and dual-stack; a configured URL wins over both', () => {
    expect(resolveEndpoint('cognito-idp', 'us-west-2', { useFipsEndpoint: 'TRUE' }, {}).url).toBe('https://cognito-idp-fips.us-west-2.amazonaws.com');
    expect(resolveEndpoint('cognito-idp', 'us-west-2', { useFipsEndpoint: 'true' }, { AWS_USE_FIPS_ENDPOINT: 'false' }).url).toBe('https://cognito-idp.us-west-2.amazonaws.com');
    expect(resolveEndpoint('cognito-idp', 'us-west-2', { useDualstackEndpoint: 'true' }, {}).url).toBe('https://cognito-idp.us-west-2.amazonaws.com');
    expect(resolveEndpoint('cognito-idp', 'us-gov-west-1', { useDualstackEndpoint: 'true' }, {}).url).toBe('https://cognito-idp.us-gov-west-1.api.aws');
    expect(resolveEndpoint('cognito-idp', 'us-west-2', { useFipsEndpoint: 'true' }, { AWS_ENDPOINT_URL: 'http://127.0.0.1:2' }).url).toBe('http://127.0.0.1:2');
  });

  it.each([
    [{}, { AWS_USE_FIPS_ENDPOINT: 'yes' }, 'AWS_USE_FIPS_ENDPOINT = "yes" is neither true nor false', 'Set AWS_USE_FIPS_ENDPOINT to true or false, or remove it.'],
    [{ useDualstackEndpoint: '1' }, {}, 'use_dualstack_endpoint = "1" is neither true nor false', 'Set use_dualstack_endpoint to true or false, or remove it.'],
    [{}, { AWS_ENDPOINT_URL: 'localhost:4566' }, 'the endpoint URL in AWS_ENDPOINT_URL ("localhost:4566") is not an http(s) URL without credentials, query or fragment', 'Fix AWS_ENDPOINT_URL, for example https://cognito-idp.us-east-1.amazonaws.com, or remove it.'],
    [{ endpointUrl: 'https://user:pw@127.0.0.1' }, {}, 'the endpoint URL in endpoint_url ("https://user:pw@127.0.0.1") is not an http(s) URL without credentials, query or fragment', 'Fix endpoint_url, for example https://cognito-idp.us-east-1.amazonaws.com, or remove it.'],
    [{}, { AWS_ENDPOINT_URL: 'ftp://127.0.0.1' }, 'the endpoint URL in AWS_ENDPOINT_URL ("ftp://127.0.0.1") is not an http(s) URL without credentials, query or fragment', 'Fix AWS_ENDPOINT_URL, for example https://cognito-idp.us-east-1.amazonaws.com, or remove it.'],
  ])('a malformed setting is a config error that names it: %j %j', (settings, env, message, hint) => {
    const err = errorOf(() => resolveEndpoint('cognito-idp', 'us-east-1', settings, env));
    expect([err.kind, err.message, err.hint]).toEqual(['config', message, hint]);
  });
});
