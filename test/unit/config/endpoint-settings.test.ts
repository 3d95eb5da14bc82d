import { describe, expect, it } from 'vitest';
import { configuredEndpoint, endpointVariant } from '../../../src/config/endpoint-settings.js';
import { errorOf } from '../../support/errors.js';

describe('configuredEndpoint', () => {
  it('none configured: the SDK\'s rules decide (undefined here)', () => {
    expect(configuredEndpoint('cognito-idp', {}, {})).toBeUndefined();
  });

  it('the configured URLs in the AWS order: service variable, AWS_ENDPOINT_URL, services section, profile', () => {
    const settings = { endpointUrl: 'http://127.0.0.1:4', serviceEndpointUrls: { 'cognito-idp': 'http://127.0.0.1:3' } };
    const env = { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' };
    expect(configuredEndpoint('cognito-idp', settings, env)).toEqual({ url: 'http://127.0.0.1:1', source: 'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER' });
    // The identity pool's variable is another one.
    expect(configuredEndpoint('cognito-identity', settings, env)).toEqual({ url: 'http://127.0.0.1:2', source: 'AWS_ENDPOINT_URL' });
    expect(configuredEndpoint('cognito-idp', settings, {})).toEqual({ url: 'http://127.0.0.1:3', source: 'services cognito_identity_provider endpoint_url' });
    expect(configuredEndpoint('cognito-identity', settings, {})).toEqual({ url: 'http://127.0.0.1:4', source: 'endpoint_url' });
    expect(configuredEndpoint('cognito-identity', { serviceEndpointUrls: { 'cognito-identity': 'https://id.example/' } }, {})?.url).toBe('https://id.example');
  });

  it('ignore_configured_endpoint_urls / AWS_IGNORE_CONFIGURED_ENDPOINT_URLS skip every configured URL; the variable wins over the profile', () => {
    const settings = { endpointUrl: 'http://127.0.0.1:4', ignoreConfiguredEndpointUrls: 'true' };
    expect(configuredEndpoint('cognito-idp', settings, { AWS_ENDPOINT_URL: 'http://127.0.0.1:2' })).toBeUndefined();
    expect(configuredEndpoint('cognito-idp', settings, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' })?.url).toBe('http://127.0.0.1:4');
  });

  it.each([
    [{}, { AWS_ENDPOINT_URL: 'localhost:4566' }, 'the endpoint URL in AWS_ENDPOINT_URL ("localhost:4566") is not an http(s) URL without credentials, query or fragment', 'Fix AWS_ENDPOINT_URL, for example https://cognito-idp.us-east-1.amazonaws.com, or remove it.'],
    [{ endpointUrl: 'https://user:pw@127.0.0.1' }, {}, 'the endpoint URL in endpoint_url ("https://***@127.0.0.1") is not an http(s) URL without credentials, query or fragment', 'Fix endpoint_url, for example https://cognito-idp.us-east-1.amazonaws.com, or remove it.'],
    [{}, { AWS_ENDPOINT_URL: 'ftp://127.0.0.1' }, 'the endpoint URL in AWS_ENDPOINT_URL ("ftp://127.0.0.1") is not an http(s) URL without credentials, query or fragment', 'Fix AWS_ENDPOINT_URL, for example https://cognito-idp.us-east-1.amazonaws.com, or remove it.'],
  ])('a malformed URL is a config error that names its setting: %j %j', (settings, env, message, hint) => {
    const err = errorOf(() => configuredEndpoint('cognito-idp', settings, env));
    expect([err.kind, err.message, err.hint]).toEqual(['config', message, hint]);
  });
});

describe('endpointVariant', () => {
  it('the environment wins over the profile; any case', () => {
    expect(endpointVariant({}, {})).toEqual({ fips: false, dualstack: false });
    expect(endpointVariant({ useFipsEndpoint: 'TRUE', useDualstackEndpoint: 'true' }, {})).toEqual({ fips: true, dualstack: true });
    expect(endpointVariant({ useFipsEndpoint: 'true' }, { AWS_USE_FIPS_ENDPOINT: 'false' })).toEqual({ fips: false, dualstack: false });
  });

  it.each([
    [{}, { AWS_USE_FIPS_ENDPOINT: 'yes' }, 'AWS_USE_FIPS_ENDPOINT = "yes" is neither true nor false', 'Set AWS_USE_FIPS_ENDPOINT to true or false, or remove it.'],
    [{ useDualstackEndpoint: '1' }, {}, 'use_dualstack_endpoint = "1" is neither true nor false', 'Set use_dualstack_endpoint to true or false, or remove it.'],
  ])('a malformed flag is a config error that names it: %j %j', (settings, env, message, hint) => {
    const err = errorOf(() => endpointVariant(settings, env));
    expect([err.kind, err.message, err.hint]).toEqual(['config', message, hint]);
  });
});
