/** The whole sign-in: secrets from the store, user pool, identity pool, checked AWS credentials. */
import type { CognitoProfile } from '../config/profile.js';
import { CredsError, profileLabel } from '../errors.js';
import { type DebugLog, redactJwt } from '../log/debug.js';
import { secretAccount, type SecretStore } from '../secrets/store.js';
import { type CognitoApi, type CognitoApiOptions, createCognitoApi, DEFAULT_TOTAL_TIMEOUT_MS, describeEndpoint } from './api.js';
import { cognitoError, type ErrorContext } from './errors.js';
import { type AwsCredentials, credentialsForIdToken } from './identity.js';
import { type SignInSecrets, signIn, type Tokens } from './sign-in.js';

export interface SignInDeps {
  log: DebugLog;
  env: Readonly<Record<string, string | undefined>>;
  now: () => number;
  createApi?: (options: CognitoApiOptions) => Promise<CognitoApi>;
}

export interface SignInResult {
  credentials: AwsCredentials;
  tokens: Tokens;
}

/** Read the profile's secrets from the store; a missing password is an error that says how to store it. */
export async function loadSecrets(store: SecretStore, profile: CognitoProfile): Promise<SignInSecrets> {
  const [password, clientSecret] = await Promise.all([
    store.get(secretAccount(profile.name, 'password')),
    store.get(secretAccount(profile.name, 'client-secret')),
  ]);
  if (!password) {
    throw new CredsError(
      'keychain',
      `${profileLabel(profile.name)}: no password for "${profile.username}" is stored in the keychain`,
      `Run \`cognito-creds setup --profile ${profile.name}\` to store it.`,
    );
  }
  return clientSecret ? { password, clientSecret } : { password };
}

/** Sign in and get AWS credentials, every failure mapped to a message for people. */
export async function signInForCredentials(profile: CognitoProfile, secrets: SignInSecrets, deps: SignInDeps): Promise<SignInResult> {
  const totalTimeoutMs = totalTimeout(deps.env);
  const log = deps.log;
  log(`profile ${profile.name}: user pool ${profile.userPoolId} (${profile.region}), client ${profile.clientId}, identity pool ${profile.identityPoolId}, user ${profile.username}, flow ${profile.authFlow}`);
  const raw = await log.step('load AWS SDK', () =>
    (deps.createApi ?? createCognitoApi)({
      userPoolRegion: profile.region,
      identityRegion: profile.identityRegion,
      totalTimeoutMs,
      log,
    }),
  );
  const api = mapErrors(raw, profile, deps.env, totalTimeoutMs);
  try {
    const tokens = await signIn(api, profile, secrets);
    log(`signed in: id token ${redactJwt(tokens.idToken)}`);
    const credentials = await credentialsForIdToken(api, profile, tokens.idToken);
    log(`identity ${credentials.identityId}: credentials ${credentials.accessKeyId.slice(0, 4)}… expire ${credentials.expiration.toISOString()}`);
    if (credentials.expiration.getTime() <= deps.now()) {
      throw new CredsError(
        'cognito',
        `${profileLabel(profile.name)}: Cognito issued credentials that expired already (${credentials.expiration.toISOString()})`,
        'Check this computer\'s clock (it must be within a few minutes of the real time).',
      );
    }
    return { credentials, tokens };
  } finally {
    raw.destroy();
  }
}

/** `COGNITO_CREDS_TIMEOUT` in seconds, else the default. */
export function totalTimeout(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.COGNITO_CREDS_TIMEOUT;
  if (raw === undefined || raw === '') return DEFAULT_TOTAL_TIMEOUT_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new CredsError('usage', `COGNITO_CREDS_TIMEOUT = ${JSON.stringify(raw)} is not a number of seconds between 0 and 600`, 'Set it to, for example, 30, or unset it.');
  }
  return Math.round(seconds * 1000);
}

/** The same API, each operation's failure turned into a CredsError that names the operation. */
function mapErrors(api: CognitoApi, profile: CognitoProfile, env: SignInDeps['env'], totalTimeoutMs: number): CognitoApi {
  const ctx = (operation: string, service: 'cognito-idp' | 'cognito-identity'): ErrorContext => ({
    profile: profile.name,
    username: profile.username,
    userPoolId: profile.userPoolId,
    clientId: profile.clientId,
    identityPoolId: profile.identityPoolId,
    operation,
    endpoint: describeEndpoint(service, service === 'cognito-idp' ? profile.region : profile.identityRegion, env),
    totalTimeoutMs,
  });
  const wrap =
    <I, O>(operation: string, service: 'cognito-idp' | 'cognito-identity', fn: (input: I) => Promise<O>) =>
    async (input: I): Promise<O> => {
      try {
        return await fn(input);
      } catch (err) {
        throw cognitoError(err, ctx(operation, service));
      }
    };
  return {
    initiateAuth: wrap('InitiateAuth', 'cognito-idp', (i) => api.initiateAuth(i)),
    respondToAuthChallenge: wrap('RespondToAuthChallenge', 'cognito-idp', (i) => api.respondToAuthChallenge(i)),
    getId: wrap('GetId', 'cognito-identity', (i) => api.getId(i)),
    getCredentialsForIdentity: wrap('GetCredentialsForIdentity', 'cognito-identity', (i) => api.getCredentialsForIdentity(i)),
    destroy: () => api.destroy(),
  };
}
