import { describe, expect, it } from 'vitest';
import { UNREADABLE_HINT } from '../../../src/cognito/answers.js';
import { credentialsAnswer, identityAnswer, loginsKey } from '../../../src/cognito/identity.js';
import { isCredsError } from '../../../src/errors.js';
import type { CognitoIdentity } from '../../../src/shapes.js';
import { MAX_CREDENTIALS_LIFETIME_MS } from '../../../src/time.js';
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

describe('the identity pool answers, checked (credentialsAnswer, identityAnswer)', () => {
  const who = { name: 'dev' } as CognitoIdentity;
  const NOW = Date.UTC(2026, 10, 26, 5, 0, 0);
  const ID = 'us-east-1:0e7b3a52-0000-4000-8000-000000000001';
  const good = () => ({ IdentityId: ID, Credentials: { AccessKeyId: 'ASIA1', SecretKey: 'S', SessionToken: 'T', Expiration: new Date(NOW + 3600_000) } });
  const problem = (f: () => unknown): string => {
    try {
      f();
    } catch (err) {
      expect(isCredsError(err) && err.kind === 'network' && err.hint === UNREADABLE_HINT).toBe(true);
      return (err as Error).message;
    }
    throw new Error('no error');
  };
  const gcfi = (text: string) => `profile "dev": Cognito's answer to GetCredentialsForIdentity could not be read (${text})`;

  it('takes the credentials of a well-formed answer', () => {
    expect(credentialsAnswer(who, good(), 'ignored', NOW)).toEqual({
      accessKeyId: 'ASIA1',
      secretAccessKey: 'S',
      sessionToken: 'T',
      expiration: new Date(NOW + 3600_000),
      identityId: ID,
    });
    const { IdentityId: _, ...without } = good();
    expect(credentialsAnswer(who, without, ID, NOW).identityId).toBe(ID);
  });

  it('the upper bound: 12 h + 5 min after now is the last accepted time', () => {
    const at = (ms: number) => ({ ...good(), Credentials: { ...good().Credentials, Expiration: new Date(ms) } });
    expect(credentialsAnswer(who, at(NOW + MAX_CREDENTIALS_LIFETIME_MS), ID, NOW).expiration.getTime()).toBe(NOW + MAX_CREDENTIALS_LIFETIME_MS);
    expect(problem(() => credentialsAnswer(who, at(NOW + MAX_CREDENTIALS_LIFETIME_MS + 1), ID, NOW))).toBe(
      gcfi('Credentials.Expiration 2026-11-26T17:05:00.001Z is more than 12 hours ahead'),
    );
    // Not after now: left to the caller, which says to check the clock.
    expect(credentialsAnswer(who, at(NOW - 1), ID, NOW).expiration.getTime()).toBe(NOW - 1);
  });

  it.each<[string, (a: any) => void, string]>([
    ['AccessKeyId a number', (a) => (a.Credentials.AccessKeyId = 1), 'Credentials.AccessKeyId is a number, not a string'],
    ['SecretKey null', (a) => (a.Credentials.SecretKey = null), 'Credentials.SecretKey is null, not a string'],
    ['SessionToken missing', (a) => delete a.Credentials.SessionToken, 'Credentials.SessionToken is missing'],
    ['SessionToken empty', (a) => (a.Credentials.SessionToken = ''), 'Credentials.SessionToken is empty'],
    ['Expiration a number', (a) => (a.Credentials.Expiration = NOW), 'Credentials.Expiration is not a time'],
    ['Expiration an Invalid Date', (a) => (a.Credentials.Expiration = new Date(NaN)), 'Credentials.Expiration is not a time'],
    ['Expiration missing', (a) => delete a.Credentials.Expiration, 'Credentials.Expiration is missing'],
    ['Credentials a string', (a) => (a.Credentials = 'x'), 'Credentials is a string, not an object'],
    ['IdentityId a boolean', (a) => (a.IdentityId = true), 'IdentityId is a boolean, not a string'],
    ['IdentityId with a newline', (a) => (a.IdentityId = `${ID}\n`), 'IdentityId is not an identity id'],
  ])('refuses %s, naming the field and not the value', (_name, change, text) => {
    const answer = good();
    change(answer);
    const message = problem(() => credentialsAnswer(who, answer, ID, NOW));
    expect(message).toBe(gcfi(text));
    expect(message).not.toContain('ASIA1');
  });

  it('GetId: an IdentityId of the service\'s form (REGION:UUID, at most 55 characters)', () => {
    expect(identityAnswer(who, { IdentityId: ID })).toBe(ID);
    const getId = (text: string) => `profile "dev": Cognito's answer to GetId could not be read (${text})`;
    expect(problem(() => identityAnswer(who, {}))).toBe(getId('IdentityId is missing'));
    expect(problem(() => identityAnswer(who, { IdentityId: 7 }))).toBe(getId('IdentityId is a number, not a string'));
    expect(problem(() => identityAnswer(who, { IdentityId: `us-east-1:${'0'.repeat(46)}` }))).toBe(getId('IdentityId is not an identity id'));
    expect(identityAnswer(who, { IdentityId: `us-east-1:${'0'.repeat(45)}` })).toHaveLength(55);
    expect(problem(() => identityAnswer(who, { IdentityId: '../../etc' }))).toBe(getId('IdentityId is not an identity id'));
  });
});
