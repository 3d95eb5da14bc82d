/** Identity pool: an ID token in, temporary AWS credentials out. */
import type { CognitoProfile } from '../config/profile.js';
import { CredsError, profileLabel } from '../errors.js';
import type { CognitoApi } from './api.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  identityId: string;
}

/** The Logins key of a user pool: `cognito-idp.<region>.amazonaws.com/<poolId>`. */
export function loginsKey(profile: Pick<CognitoProfile, 'region' | 'userPoolId'>): string {
  return `cognito-idp.${profile.region}.amazonaws.com/${profile.userPoolId}`;
}

export async function credentialsForIdToken(api: CognitoApi, profile: CognitoProfile, idToken: string): Promise<AwsCredentials> {
  const logins = { [loginsKey(profile)]: idToken };
  const { IdentityId } = await api.getId({ IdentityPoolId: profile.identityPoolId, Logins: logins });
  if (!IdentityId) throw badAnswer(profile, 'GetId', 'IdentityId');
  const out = await api.getCredentialsForIdentity({ IdentityId, Logins: logins });
  const c = out.Credentials;
  if (!c?.AccessKeyId) throw badAnswer(profile, 'GetCredentialsForIdentity', 'AccessKeyId');
  if (!c.SecretKey) throw badAnswer(profile, 'GetCredentialsForIdentity', 'SecretKey');
  if (!c.SessionToken) throw badAnswer(profile, 'GetCredentialsForIdentity', 'SessionToken');
  if (!(c.Expiration instanceof Date) || Number.isNaN(c.Expiration.getTime())) {
    throw badAnswer(profile, 'GetCredentialsForIdentity', 'Expiration');
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
    identityId: out.IdentityId ?? IdentityId,
  };
}

function badAnswer(profile: CognitoProfile, operation: string, field: string): CredsError {
  return new CredsError(
    'network',
    `${profileLabel(profile.name)}: Cognito's ${operation} answer has no ${field}`,
    'Try again; if you set AWS_ENDPOINT_URL, check that it points at Cognito.',
  );
}
