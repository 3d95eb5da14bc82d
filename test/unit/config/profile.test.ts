import { describe, expect, it } from 'vitest';
import { resolveCognitoProfile } from '../../../src/config/profile.js';
import { errorOf } from '../../support/errors.js';

const good = {
  cognito_user_pool_id: 'ap-northeast-1_AbC123xyz',
  cognito_client_id: '1a2b3c4d5e6f7g8h9i0j1k2l3m',
  cognito_identity_pool_id: 'eu-west-2:0e7b3a52-1c1d-4c4e-9f9f-0123456789ab',
  cognito_username: 'alice',
};


describe('resolveCognitoProfile', () => {
  it('takes the regions from the ids and defaults the flow', () => {
    expect(resolveCognitoProfile('dev', good, '/c')).toEqual({
      name: 'dev',
      configFile: '/c',
      userPoolId: 'ap-northeast-1_AbC123xyz',
      clientId: '1a2b3c4d5e6f7g8h9i0j1k2l3m',
      identityPoolId: 'eu-west-2:0e7b3a52-1c1d-4c4e-9f9f-0123456789ab',
      username: 'alice',
      authFlow: 'USER_SRP_AUTH',
      region: 'ap-northeast-1',
      identityRegion: 'eu-west-2',
      secretStore: 'keychain',
      rememberDevice: true,
      endpoints: {},
    });
  });

  it('keeps the endpoint settings, and the services section\'s Cognito endpoints only', () => {
    const p = resolveCognitoProfile(
      'dev',
      { ...good, endpoint_url: 'http://127.0.0.1:4566', use_fips_endpoint: 'true', use_dualstack_endpoint: 'false', ignore_configured_endpoint_urls: 'false' },
      '/c',
      { cognito_identity_provider: { endpoint_url: 'http://127.0.0.1:1' }, s3: { endpoint_url: 'http://127.0.0.1:2' } },
    );
    expect(p.endpoints).toEqual({
      endpointUrl: 'http://127.0.0.1:4566',
      useFipsEndpoint: 'true',
      useDualstackEndpoint: 'false',
      ignoreConfiguredEndpointUrls: 'false',
      serviceEndpointUrls: { 'cognito-idp': 'http://127.0.0.1:1' },
    });
  });

  it('lets cognito_region override the user pool region only', () => {
    const p = resolveCognitoProfile('dev', { ...good, cognito_region: 'us-gov-west-1', cognito_auth_flow: 'USER_PASSWORD_AUTH' }, '/c');
    expect([p.region, p.identityRegion, p.authFlow]).toEqual(['us-gov-west-1', 'eu-west-2', 'USER_PASSWORD_AUTH']);
  });

  it.each([
    ['cognito_user_pool_id', 'is missing cognito_user_pool_id'],
    ['cognito_client_id', 'is missing cognito_client_id'],
    ['cognito_identity_pool_id', 'is missing cognito_identity_pool_id'],
    ['cognito_username', 'is missing cognito_username'],
  ])('names the missing key %s', (key, text) => {
    const settings: Record<string, string> = { ...good };
    delete settings[key];
    const err = errorOf(() => resolveCognitoProfile('team.dev-1', settings, '/home/u/.aws/config'));
    expect(err.kind).toBe('config');
    expect(err.message).toBe(`profile "team.dev-1" in /home/u/.aws/config ${text}`);
    expect(err.hint).toBe('Fix it in the config file, or run `cognito-creds setup --profile team.dev-1`.');
  });

  it.each([
    ['cognito_user_pool_id', 'us-east-1-AbC', 'is not a user pool id (REGION_ID, for example us-east-1_AbCdEf123)'],
    ['cognito_user_pool_id', 'AbC123', 'is not a user pool id (REGION_ID, for example us-east-1_AbCdEf123)'],
    ['cognito_client_id', 'abc def', 'is not an app client id (letters, digits, _ and +; 26 characters in a real pool)'],
    ['cognito_identity_pool_id', 'us-east-1_0e7b3a52', 'is not an identity pool id (REGION:UUID, for example us-east-1:0e7b3a52-...)'],
    ['cognito_username', 'ali ce', 'is not a Cognito username (1 to 128 characters, no spaces or control characters)'],
    ['cognito_auth_flow', 'CUSTOM_AUTH', 'is not a supported flow (USER_PASSWORD_AUTH or USER_SRP_AUTH)'],
    ['cognito_region', 'mars', 'is not an AWS region (for example us-east-1)'],
    ['cognito_remember_device', 'no', 'is not true or false'],
    ['cognito_remember_device', 'False', 'is not true or false'],
    ['cognito_device_name', 'a\tb', 'is not a device name (1 to 1024 characters, no control characters or leading and trailing spaces)'],
    ['cognito_device_name', ' laptop', 'is not a device name (1 to 1024 characters, no control characters or leading and trailing spaces)'],
    ['cognito_device_name', 'x'.repeat(1025), 'is not a device name (1 to 1024 characters, no control characters or leading and trailing spaces)'],
    ['cognito_device_name', '#laptop', 'starts with # or ;, which the config file would read as the start of a comment'],
  ])('names the malformed key %s = %s', (key, value, text) => {
    const err = errorOf(() => resolveCognitoProfile('dev', { ...good, [key]: value }, '/c'));
    expect(err.kind).toBe('config');
    const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
    expect(err.message).toBe(`profile "dev" in /c: ${key} = ${shown} ${text}`);
  });

  it('says a profile with no cognito keys is not ours', () => {
    const err = errorOf(() => resolveCognitoProfile('prod', { region: 'us-east-1' }, '/c'));
    expect(err.message).toBe('profile "prod" in /c has no cognito_* settings; it is not a cognito-creds profile');
  });

  it('accepts non-ASCII and punctuation in usernames', () => {
    expect(resolveCognitoProfile('dev', { ...good, cognito_username: 'zoë.o\'brien+1@example.com' }, '/c').username).toBe(
      "zoë.o'brien+1@example.com",
    );
  });
});

describe('the remembered-device keys', () => {
  it('remember the device unless cognito_remember_device = false; the device name is the profile\'s when set', () => {
    expect(resolveCognitoProfile('dev', good, '/c')).not.toHaveProperty('deviceName');
    expect(resolveCognitoProfile('dev', { ...good, cognito_remember_device: 'true' }, '/c').rememberDevice).toBe(true);
    expect(resolveCognitoProfile('dev', { ...good, cognito_remember_device: 'false' }, '/c').rememberDevice).toBe(false);
    const named = resolveCognitoProfile('dev', { ...good, cognito_device_name: 'Zoë\'s laptop (work)' }, '/c');
    expect(named.deviceName).toBe('Zoë\'s laptop (work)');
    expect(resolveCognitoProfile('dev', { ...good, cognito_device_name: 'x'.repeat(1024) }, '/c').deviceName).toHaveLength(1024);
  });
});
