/**
 * Step 2 of a sign-in: the user pool's tokens. The stored refresh token when there is one (the
 * password when Cognito refuses it), else the password (SRP or USER_PASSWORD_AUTH), waiting once
 * for the next TOTP step when the stored secret's code was already spent.
 */
import type { CognitoApi } from '../cognito/api.js';
import { causeName } from '../cognito/identity.js';
import { type Interaction, refreshSignIn, type SignInOutcome, type SignInSecrets, signIn } from '../cognito/sign-in.js';
import type { CognitoProfile } from '../config/profile.js';
import { CredsError, profileLabel } from '../errors.js';
import type { DebugLog } from '../log/debug.js';
import type { StoredSession } from '../secrets/session.js';
import { absenceOf, lockedError, secretAccount, type SecretStore, storeName } from '../secrets/store.js';
import { sleep } from '../time.js';

const TOTP_STEP_MS = 30_000;

export interface TokenDeps extends Interaction {
  log: DebugLog;
  /** Waiting (for the next TOTP step); tests pass one that moves their clock. */
  sleep?: (ms: number) => Promise<void>;
}

export interface TokensResult {
  tokens: SignInOutcome;
  /** The app client rotates refresh tokens (GetTokensFromRefreshToken). */
  rotates: boolean;
}

/** What getTokens needs: a way to (re)open the clients, the session, and the secrets when needed. */
export interface TokenSources {
  open: () => CognitoApi;
  session: StoredSession | undefined;
  clientSecret: string | undefined;
  /** The password (and the optional secrets); read only when the refresh token cannot serve. */
  secrets: () => Promise<SignInSecrets>;
}

export async function getTokens(api: CognitoApi, profile: CognitoProfile, sources: TokenSources, deps: TokenDeps): Promise<{ api: CognitoApi } & TokensResult> {
  const { session } = sources;
  const { log } = deps;
  if (session?.refreshToken) {
    try {
      const refreshed = await refreshSignIn(api, profile, { ...session, refreshToken: session.refreshToken }, sources.clientSecret);
      log(`signed in with the refresh token${refreshed.rotates ? ' (rotated)' : ''}`);
      return { api, rotates: refreshed.rotates, tokens: { ...refreshed, refreshToken: refreshed.refreshToken ?? session.refreshToken } };
    } catch (err) {
      if (!refreshRejected(err)) throw err;
      log(`refresh token rejected (${causeName(err)}); signing in with the password`);
    }
  }
  const secrets = await sources.secrets();
  const interaction: Interaction = {
    now: deps.now,
    ...(deps.prompt ? { prompt: deps.prompt } : {}),
    ...(deps.newPassword ? { newPassword: deps.newPassword } : {}),
  };
  let tokens: SignInOutcome;
  try {
    tokens = await signIn(api, profile, secrets, interaction);
  } catch (err) {
    // Cognito takes each TOTP code once. When the stored secret's code was spent already
    // (another profile of the same user signed in within these 30 s), wait for the next one.
    if (!secrets.totpSecret || causeName(err) !== 'ExpiredCodeException') throw err;
    const waitMs = TOTP_STEP_MS - (deps.now() % TOTP_STEP_MS) + 500;
    log(`TOTP code already used; waiting ${waitMs} ms for the next one`);
    await (deps.sleep ?? sleep)(waitMs);
    api = sources.open(); // a fresh time bound: the first one counted the wait
    tokens = await signIn(api, profile, secrets, interaction);
  }
  log('signed in with the password');
  return { api, tokens, rotates: session?.rotates ?? false };
}

/** The profile's secrets; a missing password says how to store it, a locked one how to unlock it. */
export async function loadSecrets(store: SecretStore, profile: CognitoProfile): Promise<SignInSecrets> {
  const [password, clientSecret, totpSecret] = await Promise.all(
    (['password', 'client-secret', 'totp-secret'] as const).map((kind) => store.get(secretAccount(profile.name, kind))),
  );
  if (!password) {
    if ((await absenceOf(store, secretAccount(profile.name, 'password'))) === 'locked') {
      throw lockedError(`${profileLabel(profile.name)}: the keychain is locked, so the password for "${profile.username}" cannot be read`, process.platform);
    }
    throw new CredsError(
      'keychain',
      `${profileLabel(profile.name)}: no password for "${profile.username}" is stored in ${storeName(profile.secretStore)}`,
      `Run \`cognito-creds setup --profile ${profile.name}\` to store it.`,
    );
  }
  return { password, ...(clientSecret ? { clientSecret } : {}), ...(totpSecret ? { totpSecret } : {}) };
}

/** Cognito refused the refresh token itself (expired, revoked, reused): the password can still work. */
function refreshRejected(err: unknown): boolean {
  const name = causeName(err);
  return name === 'NotAuthorizedException' || name === 'RefreshTokenReuseException';
}
