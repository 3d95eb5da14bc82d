/** Identity pool: an ID token in, temporary AWS credentials out. */
import { isCredsError } from '../errors.js';
import type { DebugLog } from '../log/debug.js';
import { stringClaim } from '../log/jwt.js';
import type { AwsCredentials, CognitoIdentity } from '../shapes.js';
import { MAX_CREDENTIALS_LIFETIME_MS } from '../time.js';
import { type AnswerReader, answerReader } from './answers.js';
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
 * forgotten and looked up again, once. Each answer is checked (identityAnswer, credentialsAnswer).
 */
export async function credentialsForIdToken(
  api: CognitoApi,
  profile: CognitoIdentity,
  idToken: string,
  options: { knownIdentityId?: string | undefined; log?: DebugLog; now: () => number },
): Promise<AwsCredentials> {
  const logins = { [loginsKey(profile, idToken)]: idToken };
  const getId = async () => identityAnswer(profile, await api.getId({ IdentityPoolId: profile.identityPoolId, Logins: logins }));
  const getCredentials = (identityId: string) =>
    api.getCredentialsForIdentity({ IdentityId: identityId, Logins: logins, ...(profile.roleArn ? { CustomRoleArn: profile.roleArn } : {}) });
  let identityId = options.knownIdentityId ?? (await getId());
  let out;
  try {
    out = await getCredentials(identityId);
  } catch (err) {
    if (!options.knownIdentityId || !isStaleIdentity(err)) throw err;
    options.log?.(`remembered identity ${identityId} refused; looking it up again`);
    identityId = await getId();
    out = await getCredentials(identityId);
  }
  return credentialsAnswer(profile, out, identityId, options.now());
}

/** The identity pool's ids: `REGION:UUID`, at most 55 characters (the service's own constraint). */
const IDENTITY_ID = /^[\w-]+:[0-9a-f-]+$/;

/** GetId's IdentityId, checked. */
export function identityAnswer(profile: CognitoIdentity, out: unknown): string {
  const read = answerReader(profile.name, 'GetId');
  return identityIdOf(read, read.object(out, 'the answer')?.IdentityId);
}

function identityIdOf(read: AnswerReader, value: unknown): string {
  const id = read.required(value, 'IdentityId');
  if (id.length > 55 || !IDENTITY_ID.test(id)) throw read.fail('IdentityId is not an identity id');
  return id;
}

/**
 * GetCredentialsForIdentity's credentials, checked: three non-empty strings and an Expiration
 * that is a time no more than MAX_CREDENTIALS_LIFETIME_MS (12 h and 5 min) after `now`. One that
 * is not after `now` at all is left to the caller, whose message says to check the clock.
 */
export function credentialsAnswer(profile: CognitoIdentity, out: unknown, identityId: string, now: number): AwsCredentials {
  const read = answerReader(profile.name, 'GetCredentialsForIdentity');
  const answer = read.object(out, 'the answer') ?? {};
  const c = read.object(answer.Credentials, 'Credentials');
  if (!c) throw read.fail('Credentials is missing');
  const credentials = {
    accessKeyId: read.required(c.AccessKeyId, 'Credentials.AccessKeyId'),
    secretAccessKey: read.required(c.SecretKey, 'Credentials.SecretKey'),
    sessionToken: read.required(c.SessionToken, 'Credentials.SessionToken'),
    expiration: c.Expiration,
  };
  const returnedId = answer.IdentityId === undefined ? identityId : identityIdOf(read, answer.IdentityId);
  const expiration = credentials.expiration;
  if (expiration === undefined) throw read.fail('Credentials.Expiration is missing');
  if (!(expiration instanceof Date) || Number.isNaN(expiration.getTime())) throw read.fail('Credentials.Expiration is not a time');
  if (expiration.getTime() - now > MAX_CREDENTIALS_LIFETIME_MS) {
    throw read.fail(`Credentials.Expiration ${expiration.toISOString()} is more than 12 hours ahead`);
  }
  return { ...credentials, expiration, identityId: returnedId };
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
