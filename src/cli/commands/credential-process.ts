/** `cognito-creds credential-process`: the credential_process JSON for one profile on stdout. */
import { cachedCredentials } from '../../cache/cached-credentials.js';
import { cacheDirPath, CredentialsCache } from '../../cache/cache-dir.js';
import { type CacheEntry, cacheKey, identityOf } from '../../cache/entry.js';
import { DEFAULT_MIN_TTL_SECONDS } from '../../cache/freshness.js';
import { loadCognitoProfile } from '../../config/config-file.js';
import { configFilePath, selectedProfile } from '../../config/paths.js';
import type { CognitoProfile } from '../../config/profile.js';
import { checkSeconds } from '../../config/validate.js';
import { CredsError } from '../../errors.js';
import { credentialProcessJson } from '../../output/credential-process.js';
import { debugLog, type Io, terminalPrompt } from '../io.js';
import { loadProvider } from '../load-provider.js';
import { prefetching } from '../../secrets/prefetch.js';
import { secretAccount } from '../../secrets/store.js';

export interface CredentialProcessOptions {
  profile?: string | undefined;
  debug: boolean;
}

export async function credentialProcess(options: CredentialProcessOptions, io: Io): Promise<void> {
  const { entry } = await profileCredentials(options, io);
  io.stdout(
    credentialProcessJson({
      accessKeyId: entry.accessKeyId,
      secretAccessKey: entry.secretAccessKey,
      sessionToken: entry.sessionToken,
      expiration: new Date(entry.expiresAt),
    }),
  );
}

/** A profile's credentials: from the cache while fresh, else from one sign-in (shared by exec and export). */
export async function profileCredentials(options: CredentialProcessOptions, io: Io): Promise<{ profile: CognitoProfile; entry: CacheEntry }> {
  const log = debugLog(io, options.debug);
  const name = selectedProfile(options.profile, io.env);
  const file = configFilePath(io.env, io.home);
  log(`config file ${file}, profile ${name}`);
  const profile = await loadCognitoProfile(file, name);
  const cache = new CredentialsCache(cacheDirPath(io.env, io.home));
  let sessionSaved: Promise<void> = Promise.resolve();
  const entry = await cachedCredentials(
    {
      cache,
      key: cacheKey(profile),
      identity: identityOf(profile),
      profile: name,
      minTtlMs: minTtlSeconds(profile, io.env) * 1000,
      now: io.now,
      log,
      warn: (message) => io.stderr(`cognito-creds: warning: ${message}\n`),
      lockTimeoutMs: 45_000,
    },
    async () => {
      // Only a sign-in loads the keychain library and the sign-in module. The keychain reads
      // start first: they proceed on keytar's thread while the sign-in module loads on this one.
      const keychain = profile.secretStore === 'keychain';
      const opening = io.secrets(profile.secretStore).then((store) =>
        keychain ? prefetching(store, (['refresh-token', 'client-secret', 'password', 'totp-secret'] as const).map((k) => secretAccount(name, k))) : store,
      );
      opening.catch(() => undefined); // awaited below
      const codeCacheDir = await cache.checkDir(false).then((ok) => (ok ? cache.dir : undefined), () => undefined);
      const { signInForCredentials } = await loadProvider(codeCacheDir, log);
      const store = await opening;
      const deps = {
        log,
        env: io.env,
        now: io.now,
        prompt: terminalPrompt(io),
        ...(io.sleep ? { sleep: io.sleep } : {}),
        ...(io.createApi ? { createApi: io.createApi } : {}),
      };
      const result = await signInForCredentials(profile, deps, { useSession: true, store });
      sessionSaved = result.sessionSaved; // the keychain write goes on while the cache is written
      return result.credentials;
    },
  );
  await sessionSaved;
  return { profile, entry };
}

/** `COGNITO_CREDS_MIN_TTL` (the environment wins, as with AWS settings), else `cognito_min_ttl`, else 15 minutes. */
export function minTtlSeconds(profile: CognitoProfile, env: Io['env']): number {
  const fromEnv = env.COGNITO_CREDS_MIN_TTL;
  if (fromEnv !== undefined && fromEnv !== '') {
    const problem = checkSeconds(fromEnv);
    if (problem) throw new CredsError('usage', `COGNITO_CREDS_MIN_TTL = ${JSON.stringify(fromEnv)} ${problem}`, 'Fix or unset it.');
    return Number(fromEnv);
  }
  return profile.minTtlSeconds ?? DEFAULT_MIN_TTL_SECONDS;
}
