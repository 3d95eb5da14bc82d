import { describe, expect, it } from 'vitest';
import { loginsKey } from '../../../src/cognito/identity.js';
import { useInProcessCli } from '../../support/in-process.js';

const jwt = (claims: Record<string, unknown>) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const profile = { region: 'us-east-1', userPoolId: 'us-east-1_AbC123' };

describe('loginsKey', () => {
  it('takes the ID token issuer without its scheme', () => {
    expect(loginsKey(profile, jwt({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123' }))).toBe('cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123');
    expect(loginsKey(profile, jwt({ iss: 'https://cognito-idp-fips.us-east-1.amazonaws.com/us-east-1_AbC123' }))).toBe('cognito-idp-fips.us-east-1.amazonaws.com/us-east-1_AbC123');
    expect(loginsKey({ region: 'cn-north-1', userPoolId: 'cn-north-1_X1' }, jwt({ iss: 'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_X1' }))).toBe(
      'cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_X1',
    );
  });

  it.each([
    ['no token', undefined],
    ['no iss', jwt({ sub: 'x' })],
    ['another pool', jwt({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' })],
    ['another host', jwt({ iss: 'https://evil.example/us-east-1_AbC123' })],
    ['not a JWT', 'garbage'],
  ])('falls back to the constructed key: %s', (_name, token) => {
    expect(loginsKey(profile, token)).toBe('cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123');
  });
});

describe('user pool and identity pool in different regions', () => {
  const cli = useInProcessCli({
    region: 'ap-northeast-1',
    userPoolId: 'ap-northeast-1_Tokyo1234',
    identityPoolId: 'eu-west-2:11111111-2222-3333-4444-555555555555',
    users: [{ username: 'alice', password: 'Passw0rd!' }],
  });

  it('signs in and sends the user pool as the Logins key', async () => {
    await cli.writeProfile();
    await cli.store.set('dev:password', 'Passw0rd!');
    const r = await cli.run(['credential-process', '--profile', 'dev']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const getId = cli.fake.requests.find((q) => q.operation === 'GetId')!;
    expect(Object.keys(getId.body.Logins)).toEqual(['cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Tokyo1234']);
    expect(getId.body.IdentityPoolId).toBe('eu-west-2:11111111-2222-3333-4444-555555555555');
  });
});
