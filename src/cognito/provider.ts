/** The whole sign-in: secrets from the store, user pool, identity pool, checked AWS credentials. */
import type { CognitoProfile } from '../config/profile.js';
import { CredsError, isCredsError, profileLabel } from '../errors.js';
import { type DebugLog, redactJwt } from '../log/debug.js';
import { stringClaim } from '../log/jwt.js';
import { readSession, type StoredSession, writeSession } from '../secrets/session.js';
import { secretAccount, type SecretStore } from '../secrets/store.js';
import { type CognitoApi, type CognitoApiOptions, createCognitoApi, DEFAULT_TOTAL_TIMEOUT_MS } from './api.js';
import { cognitoError, type ErrorContext } from './errors.js';
import { type AwsCredentials, causeName, credentialsForIdToken } from './identity.js';
import { type Interaction, refreshSignIn, type SignInOutcome, type SignInSecrets, signIn } from './sign-in.js';

export interface SignInDeps {
  log: DebugLog;
  env: Readonly<Record<string, string | undefined>>;
  now: () => number;
  createApi?: (options: CognitoApiOptions) => CognitoApi;
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

/** The profile's secrets; a missing password says how to store it. */
export async function loadSecrets(store: SecretStore, profile: CognitoProfile): Promise<SignInSecrets> {
  const [password, clientSecret, totpSecret] = await Promise.all(
    (['password', 'client-secret', 'totp-secret'] as const).map((kind) => store.get(secretAccount(profile.name, kind))),
  );
  if (!password) {
    throw new CredsError(
      'keychain',
      `${profileLabel(profile.name)}: no password for "${profile.username}" is stored in the keychain`,
      `Run \`cognito-creds setup --profile ${profile.name}\` to store it.`,
    );
  }
  return { password, ...(clientSecret ? { clientSecret } : {}), ...(totpSecret ? { totpSecret } : {}) };
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
 * IdentityId is remembered. Every failure is mapped to a message for people.
 */
export async function signInForCredentials(profile: CognitoProfile, deps: SignInDeps, options: ObtainOptions): Promise<SignInResult> {
  const totalTimeoutMs = totalTimeout(deps.env);
  const { log } = deps;
  const store = options.store;
  log(`profile ${profile.name}: user pool ${profile.userPoolId} (${profile.region}), client ${profile.clientId}, identity pool ${profile.identityPoolId}, user ${profile.username}, flow ${profile.authFlow}`);

  const opened: CognitoApi[] = [];
  const openApi = () => {
    let raw: CognitoApi;
    try {
      // Where the requests go; a malformed endpoint or proxy setting fails here, before any request.
      raw = (deps.createApi ?? createCognitoApi)({
        profileName: profile.name,
        userPoolRegion: profile.region,
        identityRegion: profile.identityRegion,
        endpoints: profile.endpoints,
        env: deps.env,
        totalTimeoutMs,
        log,
      });
    } catch (err) {
      if (!isCredsError(err)) throw err;
      throw new CredsError(err.kind, `${profileLabel(profile.name)}: ${err.message}`, err.hint, { cause: err });
    }
    opened.push(raw);
    // Messages name the proxy too: "cannot reach Cognito at URL through the proxy P: …".
    return mapErrors(raw, profile, { userPool: raw.routes.userPool.described, identity: raw.routes.identity.described }, totalTimeoutMs);
  };
  const readStored = async () =>
    options.useSession && store
      ? log.step('read keychain (session, client secret)', () =>
          Promise.all([readSession(store, profile), options.secrets ? undefined : store.get(secretAccount(profile.name, 'client-secret'))]),
        )
      : [undefined, undefined];

  let api = openApi();
  log(`endpoints: ${api.routes.userPool.detail}, ${api.routes.identity.detail}`);
  let session: StoredSession | undefined;
  let clientSecret: string | undefined;
  try {
    const stored = await readStored();
    [session] = stored;
    clientSecret = options.secrets ? options.secrets.clientSecret : (stored[1] ?? undefined);
  } catch (err) {
    for (const raw of opened) raw.destroy();
    throw err;
  }
  try {
    let tokens: SignInOutcome | undefined;
    let rotates = session?.rotates ?? false;
    if (session?.refreshToken) {
      try {
        const refreshed = await refreshSignIn(api, profile, { ...session, refreshToken: session.refreshToken }, clientSecret);
        rotates = refreshed.rotates;
        tokens = { ...refreshed, refreshToken: refreshed.refreshToken ?? session.refreshToken };
        log(`signed in with the refresh token${rotates ? ' (rotated)' : ''}`);
      } catch (err) {
        if (!refreshRejected(err)) throw err;
        log(`refresh token rejected (${causeName(err)}); signing in with the password`);
      }
    }
    if (!tokens) {
      const secrets = options.secrets ?? (await log.step('read keychain (password)', () => loadSecrets(store as SecretStore, profile)));
      const interaction = {
        now: deps.now,
        ...(deps.prompt ? { prompt: deps.prompt } : {}),
        ...(deps.newPassword ? { newPassword: deps.newPassword } : {}),
      };
      try {
        tokens = await signIn(api, profile, secrets, interaction);
      } catch (err) {
        // Cognito takes each TOTP code once. When the stored secret's code was spent already
        // (another profile of the same user signed in within these 30 s), wait for the next one.
        if (!secrets.totpSecret || causeName(err) !== 'ExpiredCodeException') throw err;
        const waitMs = TOTP_STEP_MS - (deps.now() % TOTP_STEP_MS) + 500;
        log(`TOTP code already used; waiting ${waitMs} ms for the next one`);
        await (deps.sleep ?? sleep)(waitMs);
        api = openApi(); // a fresh time bound: the first one counted the wait
        tokens = await signIn(api, profile, secrets, interaction);
      }
      log('signed in with the password');
    }
    log(`id token ${redactJwt(tokens.idToken)}`);

    const knownIdentityId = session?.identityPoolId === profile.identityPoolId ? session.identityId : undefined;
    const credentials = await credentialsForIdToken(api, profile, tokens.idToken, { knownIdentityId, log });
    log(`identity ${credentials.identityId}: credentials ${credentials.accessKeyId.slice(0, 4)}… expire ${credentials.expiration.toISOString()}`);
    if (credentials.expiration.getTime() <= deps.now()) {
      throw new CredsError(
        'cognito',
        `${profileLabel(profile.name)}: Cognito issued credentials that expired already (${credentials.expiration.toISOString()})`,
        "Check this computer's clock (it must be within a few minutes of the real time).",
      );
    }

    let sessionSaved = Promise.resolve();
    if ((options.keepSession ?? options.useSession) && store) {
      const cognitoUsername = stringClaim(tokens.idToken, 'cognito:username');
      const next: StoredSession = {
        userPoolId: profile.userPoolId,
        clientId: profile.clientId,
        username: profile.username,
        ...(cognitoUsername ? { cognitoUsername } : {}),
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        ...(rotates ? { rotates } : {}),
        identityPoolId: profile.identityPoolId,
        identityId: credentials.identityId,
      };
      if (JSON.stringify(next) !== JSON.stringify(session)) {
        // Not being able to keep the session costs the next call a password sign-in, no more.
        sessionSaved = log.step('write keychain (session)', () => writeSession(store, profile.name, next)).catch((err: unknown) => {
          log(`could not keep the refresh token: ${(err as Error).message}`);
        });
      }
    }
    return { credentials, tokens, sessionSaved };
  } finally {
    for (const raw of opened) raw.destroy();
  }
}

const TOTP_STEP_MS = 30_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Cognito refused the refresh token itself (expired, revoked, reused): the password can still work. */
function refreshRejected(err: unknown): boolean {
  const name = causeName(err);
  return name === 'NotAuthorizedException' || name === 'RefreshTokenReuseException';
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
function mapErrors(api: CognitoApi, profile: CognitoProfile, endpoints: { userPool: string; identity: string }, totalTimeoutMs: number): CognitoApi {
  const ctx = (operation: string, service: 'cognito-idp' | 'cognito-identity'): ErrorContext => ({
    profile: profile.name,
    username: profile.username,
    userPoolId: profile.userPoolId,
    clientId: profile.clientId,
    identityPoolId: profile.identityPoolId,
    roleArn: profile.roleArn,
    operation,
    endpoint: service === 'cognito-idp' ? endpoints.userPool : endpoints.identity,
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
    getTokensFromRefreshToken: wrap('GetTokensFromRefreshToken', 'cognito-idp', (i) => api.getTokensFromRefreshToken(i)),
    getId: wrap('GetId', 'cognito-identity', (i) => api.getId(i)),
    getCredentialsForIdentity: wrap('GetCredentialsForIdentity', 'cognito-identity', (i) => api.getCredentialsForIdentity(i)),
    routes: api.routes,
    destroy: () => api.destroy(),
  };
}
