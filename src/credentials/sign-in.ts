/**
 * A profile's sign-in, in four named steps: read the stored session (and remembered device), get
 * the user pool's tokens (tokens.ts), exchange them at the identity pool for AWS credentials, keep
 * the new session (and the device, when it changed).
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
import { deleteDevice, readDevice, type StoredDevice, writeDevice } from '../secrets/device.js';
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
  /** This computer's name, for a new device (default: os.hostname). */
  hostname?: () => string;
}

export interface SignInResult {
  credentials: AwsCredentials;
  tokens: SignInOutcome;
  /** The remembered device after the sign-in, and whether it was confirmed by this one. */
  device: StoredDevice | undefined;
  newDevice: boolean;
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
    const { session, clientSecret, device: storedDevice } = await readStored(profile, options, log);
    const store = options.store;
    const keep = (options.keepSession ?? options.useSession) && store;
    let stored = storedDevice;
    const dropDevice = keep
      ? () => {
          stored = undefined;
          return deleteStoredDevice(store, profile, log);
        }
      : undefined;
    const { api, tokens, rotates, device } = await getTokens(
      first,
      profile,
      {
        open: clients.open,
        session,
        clientSecret,
        secrets: async () => options.secrets ?? log.step('read keychain (password)', () => loadSecrets(store as SecretStore, profile)),
        device: storedDevice,
        ...(dropDevice ? { dropDevice } : {}),
      },
      deps,
    );
    log(`id token ${redactJwt(tokens.idToken)}`);
    const credentials = await exchange(api, profile, tokens.idToken, session, deps);
    const sessionSaved = keep
      ? keepSession(store, profile, nextSession(profile, tokens, rotates, credentials), session, log).then(() => keepDevice(store, profile, device, stored, log))
      : Promise.resolve();
    return { credentials, tokens, device, newDevice: device !== undefined && device.deviceKey !== storedDevice?.deviceKey, sessionSaved };
  } finally {
    clients.close();
  }
}

interface Stored {
  session?: StoredSession;
  clientSecret?: string;
  device?: StoredDevice;
}

/**
 * Step 1: the stored session, client secret and remembered device (setup's own secrets, when it
 * gives them; setup too signs in as the remembered device, so that it asks no MFA code again).
 */
async function readStored(profile: CognitoProfile, options: ObtainOptions, log: DebugLog): Promise<Stored> {
  const store = options.store;
  const given = options.secrets?.clientSecret ? { clientSecret: options.secrets.clientSecret } : {};
  if (!store) return given;
  if (!options.useSession) {
    const device = await log.step('read keychain (device)', () => readDevice(store, profile));
    return { ...given, ...(device ? { device } : {}) };
  }
  const [session, storedSecret, device] = await log.step('read keychain (session, client secret, device)', () =>
    Promise.all([readSession(store, profile), options.secrets ? undefined : store.get(secretAccount(profile.name, 'client-secret')), readDevice(store, profile)]),
  );
  const clientSecret = options.secrets ? options.secrets.clientSecret : (storedSecret ?? undefined);
  return { ...(session ? { session } : {}), ...(clientSecret ? { clientSecret } : {}), ...(device ? { device } : {}) };
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

/** A device Cognito no longer knows, deleted at once. Not being able to costs the next sign-in one refused request. */
function deleteStoredDevice(store: SecretStore, profile: CognitoProfile, log: DebugLog): Promise<void> {
  return log
    .step('delete keychain (device)', () => deleteDevice(store, profile.name))
    .then(
      () => undefined,
      (err: unknown) => log(`could not delete the remembered device: ${(err as Error).message}`),
    );
}

/** Step 4 too: the device as the sign-in left it (new, or dropped). Not being able to costs the next sign-in an MFA code. */
function keepDevice(store: SecretStore, profile: CognitoProfile, next: StoredDevice | undefined, previous: StoredDevice | undefined, log: DebugLog): Promise<void> {
  if (JSON.stringify(next) === JSON.stringify(previous)) return Promise.resolve();
  return log
    .step('write keychain (device)', () => (next ? writeDevice(store, profile.name, next) : deleteDevice(store, profile.name).then(() => undefined)))
    .catch((err: unknown) => log(`could not keep the remembered device: ${(err as Error).message}`));
}

// Forgetting the remembered device (logout --forget-device, remove) needs the same clients: it is
// loaded from this module, the one the published bundle keeps with the AWS SDK (dist/provider.cjs).
export { forgetStoredDevice, type ForgetOutcome } from './device-forget.js';
