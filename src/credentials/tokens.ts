/**
 * Step 2 of a sign-in: the user pool's tokens. The stored refresh token when there is one (the
 * password when Cognito refuses it), else the password (SRP or USER_PASSWORD_AUTH), waiting once
 * for the next TOTP step when the stored secret's code was already spent. Both name the
 * remembered device, when one is stored; a device Cognito no longer knows is dropped, once, and
 * the sign-in goes on without it; a device Cognito issues is confirmed (device.ts).
 */
import type { CognitoApi } from '../cognito/api.js';
import { isUnknownDevice } from '../cognito/errors.js';
import { causeName } from '../cognito/identity.js';
import { refreshSignIn } from '../cognito/refresh.js';
import { type Interaction, type SignInOutcome, type SignInSecrets, signIn } from '../cognito/sign-in.js';
import type { CognitoProfile } from '../config/profile.js';
import { CredsError, profileLabel } from '../errors.js';
import type { DebugLog } from '../log/debug.js';
import { deviceKeyPrefix, type StoredDevice } from '../secrets/device.js';
import type { StoredSession } from '../secrets/session.js';
import { absenceOf, lockedError, secretAccount, type SecretStore, storeName } from '../secrets/store.js';
import { sleep } from '../time.js';
import { applyRememberChoice, confirmNewDevice, deviceSecretOf } from './device.js';

const TOTP_STEP_MS = 30_000;

export interface TokenDeps extends Interaction {
  log: DebugLog;
  /** Waiting (for the next TOTP step); tests pass one that moves their clock. */
  sleep?: (ms: number) => Promise<void>;
  /** This computer's name, for a new device (default: os.hostname). */
  hostname?: () => string;
}

export interface TokensResult {
  tokens: SignInOutcome;
  /** The app client rotates refresh tokens (GetTokensFromRefreshToken). */
  rotates: boolean;
  /** The remembered device after the sign-in: the stored one, a new one, or none (dropped). */
  device: StoredDevice | undefined;
}

/** What getTokens needs: a way to (re)open the clients, the session, and the secrets when needed. */
export interface TokenSources {
  open: () => CognitoApi;
  session: StoredSession | undefined;
  clientSecret: string | undefined;
  /** The password (and the optional secrets); read only when the refresh token cannot serve. */
  secrets: () => Promise<SignInSecrets>;
  /** The remembered device, when one is stored for this pool and user. */
  device?: StoredDevice | undefined;
  /** Delete the stored device at once when Cognito no longer knows it (even if the sign-in then fails). */
  dropDevice?: () => Promise<void>;
}

export async function getTokens(api: CognitoApi, profile: CognitoProfile, sources: TokenSources, deps: TokenDeps): Promise<{ api: CognitoApi } & TokensResult> {
  const { session } = sources;
  const { log } = deps;
  const state: DeviceState = { device: sources.device, log, drop: sources.dropDevice };
  if (session?.refreshToken) {
    try {
      const refreshed = await refreshSignIn(api, profile, { ...session, refreshToken: session.refreshToken, deviceKey: state.device?.deviceKey }, sources.clientSecret);
      log(`signed in with the refresh token${refreshed.rotates ? ' (rotated)' : ''}${asDevice(state.device)}`);
      const device = state.device && (await applyRememberChoice(api, profile, state.device, refreshed.accessToken, log));
      return { api, rotates: refreshed.rotates, tokens: { ...refreshed, refreshToken: refreshed.refreshToken ?? session.refreshToken }, device };
    } catch (err) {
      if (!(await dropUnknownDevice(state, err, 'the refresh token'))) {
        if (!refreshRejected(err)) throw err;
        log(`refresh token rejected (${causeName(err)}); signing in with the password`);
      }
    }
  }
  const signedIn = await passwordSignIn(api, profile, sources, deps, state);
  log(`signed in with the password${asDevice(state.device)}`);
  const { tokens } = signedIn;
  // A new device is issued when the sign-in named none Cognito knows: it replaces the stored one.
  const device = tokens.newDevice
    ? await confirmNewDevice(signedIn.api, profile, tokens, log, deps.hostname)
    : state.device && (await applyRememberChoice(signedIn.api, profile, state.device, tokens.accessToken, log));
  return { ...signedIn, rotates: session?.rotates ?? false, device };
}

const asDevice = (device: StoredDevice | undefined) => (device ? ` as device ${deviceKeyPrefix(device.deviceKey)}` : '');

/** The remembered device of one sign-in, dropped when Cognito no longer knows it. */
interface DeviceState {
  device: StoredDevice | undefined;
  log: DebugLog;
  drop: (() => Promise<void>) | undefined;
}

/** If Cognito refused the device itself, forget it for this sign-in and in the store: true when it did. */
async function dropUnknownDevice(state: DeviceState, err: unknown, what: string): Promise<boolean> {
  if (!state.device || !isUnknownDevice(err)) return false;
  state.log(`Cognito no longer knows device ${deviceKeyPrefix(state.device.deviceKey)} (${causeName(err)} to ${what}); it is dropped and the sign-in goes on without it`);
  state.device = undefined;
  await state.drop?.();
  return true;
}

/**
 * The password sign-in, as the remembered device while Cognito knows it (dropped once, then
 * again without it); waiting once for the next TOTP step when the stored secret's code was spent
 * (another profile of the same user signed in within these 30 s): Cognito takes each code once.
 */
async function passwordSignIn(api: CognitoApi, profile: CognitoProfile, sources: TokenSources, deps: TokenDeps, state: DeviceState): Promise<{ api: CognitoApi; tokens: SignInOutcome }> {
  const secrets = await sources.secrets();
  const interaction: Interaction = {
    now: deps.now,
    ...(deps.prompt ? { prompt: deps.prompt } : {}),
    ...(deps.newPassword ? { newPassword: deps.newPassword } : {}),
  };
  let waited = false;
  for (;;) {
    try {
      return { api, tokens: await signIn(api, profile, secrets, interaction, state.device && deviceSecretOf(state.device)) };
    } catch (err) {
      if (await dropUnknownDevice(state, err, 'the sign-in')) continue;
      if (waited || !secrets.totpSecret || causeName(err) !== 'ExpiredCodeException') throw err;
      const waitMs = TOTP_STEP_MS - (deps.now() % TOTP_STEP_MS) + 500;
      deps.log(`TOTP code already used; waiting ${waitMs} ms for the next one`);
      await (deps.sleep ?? sleep)(waitMs);
      api = sources.open(); // a fresh time bound: the first one counted the wait
      waited = true;
    }
  }
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
