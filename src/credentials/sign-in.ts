/**
 * A profile's sign-in, in four named steps: read the stored session, get the user pool's tokens
 * (tokens.ts), exchange them at the identity pool for AWS credentials, keep the new session.
 * Each Cognito failure is a message for people (src/cognito/errors.ts). This is the module that
 * the published bundle loads only for a sign-in (dist/provider.cjs), with the AWS SDK.
 */
import type { CognitoApi } from '../cognito/api.js';
import { credentialsForIdToken } from '../cognito/identity.js';
import type { Interaction, SignInOutcome, SignInSecrets } from '../cognito/sign-in.js';
import type { CognitoProfile } from '../config/profile.js';
import { CredsError, profileLabel } from '../errors.js';
import { type DebugLog, redactJwt } from '../log/debug.js';
import { stringClaim } from '../log/jwt.js';
import { readSession, type StoredSession, writeSession } from '../secrets/session.js';
import { secretAccount, type SecretStore } from '../secrets/store.js';
import type { AwsCredentials } from '../shapes.js';
import { connection } from './connection.js';
import { getTokens, loadSecrets } from './tokens.js';

export interface SignInDeps {
  log: DebugLog;
  env: Readonly<Record<string, string | undefined>>;
  now: () => number;
  /** Asking the person (an MFA code on the terminal, a new password in setup). */
  prompt?: Interaction['prompt'];
  newPassword?: Interaction['newPassword'];
  /** Waiting (for the next TOTP step); tests pass one that moves their clock. */
  sleep?: (ms: number) => Promise<void>;
}

export interface SignInResult {
  credentials: AwsCredentials;
  tokens: SignInOutcome;
  /**
   * Keeping the new session (refresh token, IdentityId) in the store, under way: the caller may
   * write the cache meanwhile, and must await it before exiting. It never rejects.
   */
  sessionSaved: Promise<void>;
}

export interface ObtainOptions {
  /** Setup passes the password it was given; otherwise it comes from the store when needed. */
  secrets?: SignInSecrets;
  /** Try the stored refresh token (and remembered IdentityId) before the password. */
  useSession: boolean;
  /** Keep the new refresh token and IdentityId in the store afterwards (default: useSession). */
  keepSession?: boolean;
  /** The secret store; needed unless `secrets` is given and `useSession` is false. */
  store?: SecretStore;
}

/**
 * The whole sign-in: the stored refresh token when there is one (falling back to the password
 * if Cognito rejects it), else the password; then the identity pool, skipping GetId when the
 * IdentityId is remembered.
 */
export async function signInForCredentials(profile: CognitoProfile, deps: SignInDeps, options: ObtainOptions): Promise<SignInResult> {
  const { log } = deps;
  log(`profile ${profile.name}: user pool ${profile.userPoolId} (${profile.region}), client ${profile.clientId}, identity pool ${profile.identityPoolId}, user ${profile.username}, flow ${profile.authFlow}`);
  const clients = connection(profile, deps.env, log);
  try {
    const first = clients.open();
    const { session, clientSecret } = await readStored(profile, options, log);
    const store = options.store;
    const { api, tokens, rotates } = await getTokens(
      first,
      profile,
      {
        open: clients.open,
        session,
        clientSecret,
        secrets: async () => options.secrets ?? log.step('read keychain (password)', () => loadSecrets(store as SecretStore, profile)),
      },
      deps,
    );
    log(`id token ${redactJwt(tokens.idToken)}`);
    const credentials = await exchange(api, profile, tokens.idToken, session, deps);
    const keep = (options.keepSession ?? options.useSession) && store;
    const sessionSaved = keep ? keepSession(store, profile, nextSession(profile, tokens, rotates, credentials), session, log) : Promise.resolve();
    return { credentials, tokens, sessionSaved };
  } finally {
    clients.close();
  }
}

/** Step 1: the stored session and client secret (setup's own secrets, when it gives them). */
async function readStored(profile: CognitoProfile, options: ObtainOptions, log: DebugLog): Promise<{ session?: StoredSession; clientSecret?: string }> {
  const store = options.store;
  if (!options.useSession || !store) return { ...(options.secrets?.clientSecret ? { clientSecret: options.secrets.clientSecret } : {}) };
  const [session, storedSecret] = await log.step('read keychain (session, client secret)', () =>
    Promise.all([readSession(store, profile), options.secrets ? undefined : store.get(secretAccount(profile.name, 'client-secret'))]),
  );
  const clientSecret = options.secrets ? options.secrets.clientSecret : (storedSecret ?? undefined);
  return { ...(session ? { session } : {}), ...(clientSecret ? { clientSecret } : {}) };
}

/** Step 3: the identity pool's credentials for the ID token, checked to be still valid. */
async function exchange(
  api: CognitoApi,
  profile: CognitoProfile,
  idToken: string,
  session: StoredSession | undefined,
  deps: SignInDeps,
): Promise<AwsCredentials> {
  const knownIdentityId = session?.identityPoolId === profile.identityPoolId ? session.identityId : undefined;
  const credentials = await credentialsForIdToken(api, profile, idToken, { knownIdentityId, log: deps.log, now: deps.now });
  deps.log(`identity ${credentials.identityId}: credentials ${credentials.accessKeyId.slice(0, 4)}… expire ${credentials.expiration.toISOString()}`);
  if (credentials.expiration.getTime() <= deps.now()) {
    throw new CredsError(
      'cognito',
      `${profileLabel(profile.name)}: Cognito issued credentials that expired already (${credentials.expiration.toISOString()})`,
      "Check this computer's clock (it must be within a few minutes of the real time).",
    );
  }
  return credentials;
}

/** What the next sign-in should find. */
function nextSession(profile: CognitoProfile, tokens: SignInOutcome, rotates: boolean, credentials: AwsCredentials): StoredSession {
  const cognitoUsername = stringClaim(tokens.idToken, 'cognito:username');
  return {
    userPoolId: profile.userPoolId,
    clientId: profile.clientId,
    username: profile.username,
    ...(cognitoUsername ? { cognitoUsername } : {}),
    ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
    ...(rotates ? { rotates } : {}),
    identityPoolId: profile.identityPoolId,
    identityId: credentials.identityId,
  };
}

/** Step 4: store the new session when it changed. Not being able to costs the next call a password sign-in, no more. */
function keepSession(store: SecretStore, profile: CognitoProfile, next: StoredSession, previous: StoredSession | undefined, log: DebugLog): Promise<void> {
  if (JSON.stringify(next) === JSON.stringify(previous)) return Promise.resolve();
  return log.step('write keychain (session)', () => writeSession(store, profile.name, next)).catch((err: unknown) => {
    log(`could not keep the refresh token: ${(err as Error).message}`);
  });
}
