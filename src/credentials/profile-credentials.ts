/**
 * A profile's credentials: from the cache while they are fresh, else from one sign-in shared by
 * every process that asks at the same time (src/cache/cached-credentials.ts). What
 * credential-process, exec and export print. A cache hit loads neither keytar nor the sign-in
 * module (the AWS SDK): both are loaded here only when a sign-in is needed.
 */
import { cachedCredentials } from '../cache/cached-credentials.js';
import { openCredentialsCache } from '../cache/cache-dir.js';
import { type CacheEntry, cacheKey, identityOf } from '../cache/entry.js';
import { DEFAULT_MIN_TTL_SECONDS } from '../cache/freshness.js';
import { loadCognitoProfile } from '../config/config-file.js';
import type { SecretStoreChoice } from '../config/keys.js';
import { configFilePath, selectedProfile } from '../config/paths.js';
import type { CognitoProfile } from '../config/profile.js';
import { checkSeconds } from '../config/validate.js';
import { CredsError } from '../errors.js';
import { prefetching } from '../secrets/prefetch.js';
import { secretAccount, type SecretStore } from '../secrets/store.js';
import { loadSignIn } from './load-sign-in.js';
import type { SignInDeps } from './sign-in.js';

/** What a sign-in needs from the outside world, and the cache around it (the CLI's Io gives it). */
export interface CredentialsContext extends SignInDeps {
  home: string;
  /** One line for stderr that does not stop the call (e.g. the cache cannot be written). */
  warn: (message: string) => void;
  /** The secret store a profile chose, created on first use. */
  secrets: (choice: SecretStoreChoice) => Promise<SecretStore>;
}

export async function profileCredentials(profileName: string | undefined, ctx: CredentialsContext): Promise<{ profile: CognitoProfile; entry: CacheEntry }> {
  const { log } = ctx;
  const name = selectedProfile(profileName, ctx.env);
  const file = configFilePath(ctx.env, ctx.home);
  log(`config file ${file}, profile ${name}`);
  const profile = await loadCognitoProfile(file, name);
  const cache = openCredentialsCache(ctx.env, ctx.home);
  let sessionSaved: Promise<void> = Promise.resolve();
  const entry = await cachedCredentials(
    {
      cache,
      key: cacheKey(profile),
      identity: identityOf(profile),
      profile: name,
      minTtlMs: minTtlSeconds(profile, ctx.env) * 1000,
      now: ctx.now,
      log,
      warn: ctx.warn,
      lockTimeoutMs: 45_000,
    },
    async () => {
      // Only a sign-in loads the keychain library and the sign-in module. The keychain reads
      // start first: they proceed on keytar's thread while the sign-in module loads on this one.
      const keychain = profile.secretStore === 'keychain';
      const opening = ctx.secrets(profile.secretStore).then((store) =>
        keychain ? prefetching(store, (['refresh-token', 'client-secret', 'device', 'password', 'totp-secret'] as const).map((k) => secretAccount(name, k))) : store,
      );
      opening.catch(() => undefined); // awaited below
      const codeCacheDir = await cache.checkDir(false).then((ok) => (ok ? cache.dir : undefined), () => undefined);
      const { signInForCredentials } = await loadSignIn(codeCacheDir, log);
      const store = await opening;
      const result = await signInForCredentials(profile, ctx, { useSession: true, store });
      sessionSaved = result.sessionSaved; // the keychain write goes on while the cache is written
      return result.credentials;
    },
  );
  await sessionSaved;
  return { profile, entry };
}

/** `COGNITO_CREDS_MIN_TTL` (the environment wins, as with AWS settings), else `cognito_min_ttl`, else 15 minutes. */
export function minTtlSeconds(profile: CognitoProfile, env: Readonly<Record<string, string | undefined>>): number {
  const fromEnv = env.COGNITO_CREDS_MIN_TTL;
  if (fromEnv !== undefined && fromEnv !== '') {
    const problem = checkSeconds(fromEnv);
    if (problem) throw new CredsError('usage', `COGNITO_CREDS_MIN_TTL = ${JSON.stringify(fromEnv)} ${problem}`, 'Fix or unset it.');
    return Number(fromEnv);
  }
  return profile.minTtlSeconds ?? DEFAULT_MIN_TTL_SECONDS;
}
