/**
 * The Cognito clients of one sign-in, for one profile: where the requests go (the profile's
 * endpoint settings), bounded by the sign-in's deadline, every failure a message that names the
 * profile. A sign-in may open a second connection (a fresh deadline after waiting for the next
 * TOTP step); `close` ends them all.
 */
import { createCognitoApi, type CognitoApi, DEFAULT_TOTAL_TIMEOUT_MS } from '../cognito/api.js';
import { withMessages } from '../cognito/errors.js';
import { apiTarget } from './api-target.js';
import type { CognitoProfile } from '../config/profile.js';
import { CredsError, isCredsError, profileLabel } from '../errors.js';
import type { DebugLog } from '../log/debug.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface Connection {
  /** Open the clients (a new deadline each time). */
  open(): CognitoApi;
  close(): void;
}

export function connection(profile: CognitoProfile, env: Env, log: DebugLog): Connection {
  const totalTimeoutMs = totalTimeout(env);
  const opened: CognitoApi[] = [];
  return {
    open() {
      let api: CognitoApi;
      try {
        // A malformed endpoint or proxy setting fails here, before any request.
        api = createCognitoApi({ ...apiTarget(profile, env), totalTimeoutMs, log });
      } catch (err) {
        if (!isCredsError(err)) throw err;
        throw new CredsError(err.kind, `${profileLabel(profile.name)}: ${err.message}`, err.hint, { cause: err });
      }
      if (opened.length === 0) log(`endpoints: ${api.routes.userPool.detail}, ${api.routes.identity.detail}`);
      opened.push(api);
      return withMessages(api, profile, totalTimeoutMs);
    },
    close() {
      for (const api of opened.splice(0)) api.destroy();
    },
  };
}

/** `COGNITO_CREDS_TIMEOUT` in seconds, else the default. */
export function totalTimeout(env: Env): number {
  const raw = env.COGNITO_CREDS_TIMEOUT;
  if (raw === undefined || raw === '') return DEFAULT_TOTAL_TIMEOUT_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new CredsError('usage', `COGNITO_CREDS_TIMEOUT = ${JSON.stringify(raw)} is not a number of seconds between 0 and 600`, 'Set it to, for example, 30, or unset it.');
  }
  return Math.round(seconds * 1000);
}
