/** Identity pool: an ID token in, temporary AWS credentials out. */
import { CredsError, isCredsError, profileLabel } from '../errors.js';
import type { DebugLog } from '../log/debug.js';
import { stringClaim } from '../log/jwt.js';
import type { AwsCredentials, CognitoIdentity } from '../shapes.js';
import type { CognitoApi } from './api.js';


/**
 * The Logins key of a user pool: the ID token's `iss` claim without its scheme, which is exactly
 * the provider name the identity pool knows (and right whatever region or partition the pool is
 * in); else `cognito-idp.<region>.amazonaws.com/<poolId>`.
 */
export function loginsKey(profile: Pick<CognitoIdentity, 'region' | 'userPoolId'>, idToken?: string): string {
  const iss = idToken ? stringClaim(idToken, 'iss') : undefined;
  const fromIss = iss?.replace(/^https:\/\//, '');
  if (fromIss && /^cognito-idp[a-z0-9-]*\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[\w-]+_[0-9A-Za-z]+$/.test(fromIss) && fromIss.endsWith(`/${profile.userPoolId}`)) {
    return fromIss;
  }
  return `cognito-idp.${profile.region}.amazonaws.com/${profile.userPoolId}`;
}


/**
 * GetId (skipped when the IdentityId is known from an earlier sign-in) and
 * GetCredentialsForIdentity. A remembered IdentityId that the pool no longer accepts is
 * forgotten and looked up again, once.
 */
export async function credentialsForIdToken(
  api: CognitoApi,
  profile: CognitoIdentity,
  idToken: string,
  options: { knownIdentityId?: string | undefined; log?: DebugLog } = {},
): Promise<AwsCredentials> {
  const logins = { [loginsKey(profile, idToken)]: idToken };
  const getId = async () => {
    const { IdentityId } = await api.getId({ IdentityPoolId: profile.identityPoolId, Logins: logins });
    if (!IdentityId) throw badAnswer(profile, 'GetId', 'IdentityId');
    return IdentityId;
  };
  let identityId = options.knownIdentityId ?? (await getId());
  let out;
  try {
    out = await api.getCredentialsForIdentity({ IdentityId: identityId, Logins: logins, ...(profile.roleArn ? { CustomRoleArn: profile.roleArn } : {}) });
  } catch (err) {
    if (!options.knownIdentityId || !isStaleIdentity(err)) throw err;
    options.log?.(`remembered identity ${identityId} refused; looking it up again`);
    identityId = await getId();
    out = await api.getCredentialsForIdentity({ IdentityId: identityId, Logins: logins, ...(profile.roleArn ? { CustomRoleArn: profile.roleArn } : {}) });
  }
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
    identityId: out.IdentityId ?? identityId,
  };
}

/** An identity that was deleted, or belongs to another login, answers one of these. */
function isStaleIdentity(err: unknown): boolean {
  const name = causeName(err);
  return name === 'ResourceNotFoundException' || (name === 'NotAuthorizedException' && !/role/i.test(String((err as Error).message)));
}

/** The SDK error's name, also when it was wrapped in a CredsError. */
export function causeName(err: unknown): string | undefined {
  const cause = isCredsError(err) ? err.cause : err;
  return (cause as { name?: string } | undefined)?.name;
}

function badAnswer(profile: CognitoIdentity, operation: string, field: string): CredsError {
  return new CredsError(
    'network',
    `${profileLabel(profile.name)}: Cognito's ${operation} answer has no ${field}`,
    'Try again; if you set AWS_ENDPOINT_URL, check that it points at Cognito.',
  );
}
