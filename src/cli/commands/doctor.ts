/**
 * `cognito-creds doctor`: one line per check of what a sign-in depends on (the config file, the
 * profile's keys, the keychain, the stored secrets, the cache directory, the endpoints), with the
 * fix under each failure; exit non-zero when any fails. Never prints a secret.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { openCredentialsCache } from '../../cache/cache-dir.js';
import type { Route } from '../../cognito/api.js';
import { apiTarget } from '../../credentials/api-target.js';
import { networkReason } from '../../cognito/errors.js';
import { profileServices, readConfigText } from '../../config/config-file.js';
import { describeShadowing, shadowingSection } from '../../config/credentials-file.js';
import { foreignCredentialKeys, runsCognitoCreds } from '../../config/ownership.js';
import { profilesFromIni } from '../../config/ini-parse.js';
import { describeUnknownKey, type SecretStoreChoice, unknownCognitoKeys } from '../../config/keys.js';
import { configFilePath, selectedProfile } from '../../config/paths.js';
import { type CognitoProfile, resolveCognitoProfile } from '../../config/profile.js';
import { forTerminal, isCredsError, profileLabel } from '../../errors.js';
import { createDebugLog } from '../../log/debug.js';
import { deviceLabel, readDevice } from '../../secrets/device.js';
import { getLargeSecret } from '../../secrets/large-secret.js';
import { absenceOf, hasSecret, SECRET_KINDS, secretAccount, type SecretStore, unlockHint } from '../../secrets/store.js';
import type { Io } from '../io.js';

export interface DoctorOptions {
  profile?: string | undefined;
  debug: boolean;
}

interface Check {
  ok: boolean;
  /** `warn` checks do not fail the run (e.g. an optional secret that is absent). */
  warn?: boolean;
  text: string;
  hint?: string;
}

export async function doctor(options: DoctorOptions, io: Io): Promise<number> {
  const name = selectedProfile(options.profile, io.env);
  const file = configFilePath(io.env, io.home);
  // Each step's lines are printed before the next step starts (it may ask for a passphrase).
  const checks: Check[] = [];
  const report = (found: Check[]) => {
    for (const check of found) {
      checks.push(check);
      const mark = check.ok ? 'ok  ' : check.warn ? 'warn' : 'FAIL';
      io.stdout(`${mark}  ${forTerminal(check.text)}\n${!check.ok && check.hint ? `      ${forTerminal(check.hint)}\n` : ''}`);
    }
  };

  const config = await checkConfigFile(file, name);
  report(config.checks);
  const found = config.text === undefined ? undefined : checkProfile(name, file, config.text);
  if (found) report(found.checks);
  report(await checkCredentialsFile(name, io));
  const profile = found?.profile;
  const opened = await openSecretStore(name, profile?.secretStore ?? 'keychain', io);
  report(opened.checks);
  if (opened.store) report(await checkSecrets(name, opened.store));
  if (opened.store && profile) report(await checkDevice(profile, opened.store.store));
  report(await checkCacheDir(io));
  if (profile) report(await probeEndpoints(profile, io));

  const failed = checks.filter((c) => !c.ok && !c.warn).length;
  io.stdout(failed ? `\n${failed} check(s) failed.\n` : '\nAll checks passed.\n');
  return failed ? 1 : 0;
}

/** 1. The config file: its text, or undefined when it is missing or unreadable. */
async function checkConfigFile(file: string, name: string): Promise<{ checks: Check[]; text?: string | undefined }> {
  try {
    const text = await readConfigText(file);
    return text === undefined
      ? { checks: [{ ok: false, text: `config file ${file} does not exist`, hint: `Run \`cognito-creds setup --profile ${name}\`, or set AWS_CONFIG_FILE.` }] }
      : { checks: [{ ok: true, text: `config file ${file} is readable` }], text };
  } catch (err) {
    return { checks: [failure(err)] };
  }
}

/** 1. The profile in it: its cognito_* keys and its credential_process line. */
function checkProfile(name: string, file: string, text: string): { checks: Check[]; profile?: CognitoProfile | undefined } {
  const settings = profilesFromIni(text).get(name);
  if (!settings) {
    return { checks: [{ ok: false, text: `${profileLabel(name)} is not in ${file}`, hint: `Run \`cognito-creds setup --profile ${name}\`, or check --profile / AWS_PROFILE.` }] };
  }
  const checks: Check[] = [];
  let profile: CognitoProfile | undefined;
  try {
    profile = resolveCognitoProfile(name, settings, file, profileServices(text, settings));
    checks.push({ ok: true, text: `${profileLabel(name)}: every cognito_* key is present and well-formed (user ${profile.username}, flow ${profile.authFlow})` });
  } catch (err) {
    checks.push(failure(err));
  }
  const foreign = foreignCredentialKeys(settings);
  if (foreign.length) {
    checks.push({
      ok: false,
      text: `${profileLabel(name)} also has ${foreign.join(', ')}: beside credential_process, the AWS CLI and SDKs disagree on which credentials apply`,
      hint: `Remove ${foreign.join(', ')} from the section, or keep them under another profile name.`,
    });
  }
  const unknown = unknownCognitoKeys(settings);
  if (unknown.length) {
    checks.push({
      ok: false,
      warn: true,
      text: `${profileLabel(name)}: cognito-creds does not know ${unknown.map(describeUnknownKey).join(', ')}; ${unknown.length > 1 ? 'they are' : 'it is'} ignored`,
      hint: 'Fix the spelling, or remove the line; the keys are listed in docs/configuration.md.',
    });
  }
  if (settings.credential_process === undefined) {
    // Without it nothing ever calls cognito-creds: the profile cannot work, so this fails.
    checks.push({ ok: false, text: `${profileLabel(name)} has no credential_process line: the AWS CLI and SDKs will not call cognito-creds`, hint: `Run \`cognito-creds setup --profile ${name}\` to write it.` });
  } else if (!runsCognitoCreds(settings.credential_process)) {
    checks.push({ ok: false, warn: true, text: `${profileLabel(name)}: credential_process does not run cognito-creds credential-process`, hint: `Run \`cognito-creds setup --profile ${name}\` to write it.` });
  } else {
    checks.push({ ok: true, text: `${profileLabel(name)}: credential_process runs cognito-creds` });
  }
  return { checks, profile };
}

/** A same-named section of the shared credentials file wins over credential_process. */
async function checkCredentialsFile(name: string, io: Io): Promise<Check[]> {
  const shadow = await shadowingSection(name, io.env, io.home);
  if (!shadow) return [];
  if (shadow.credentialKeys.length === 0) {
    return [{ ok: false, warn: true, text: `[${name}] in ${shadow.file} sets ${shadow.keys.join(', ')} for this profile too (they override the config file's)`, hint: 'Keep only what you mean to override there.' }];
  }
  return [{ ok: false, ...describeShadowing(name, shadow) }];
}

/** What checkSecrets needs of an opened store. */
interface OpenedStore {
  store: SecretStore;
  hasPassword: boolean;
  /** The encrypted file's path (or a description); undefined for the keychain. */
  file?: string | undefined;
}

/** 2. The secret store (the keychain, or the encrypted file) answers, and is not locked. */
async function openSecretStore(name: string, choice: SecretStoreChoice, io: Io): Promise<{ checks: Check[]; store?: OpenedStore }> {
  try {
    const store = await io.secrets(choice);
    const hasPassword = await hasSecret(store, secretAccount(name, 'password'));
    if (!hasPassword && (await absenceOf(store, secretAccount(name, 'password'))) === 'locked') {
      const where = process.platform === 'linux' ? ' (D-Bus Secret Service)' : '';
      return { checks: [{ ok: false, text: `keychain reachable${where} but locked: the password of ${profileLabel(name)} is stored and cannot be read`, hint: unlockHint(process.platform) }] };
    }
    if (choice === 'file') {
      const file = (store as { file?: string }).file ?? 'the secrets file';
      return { checks: [{ ok: true, text: `secret store: the encrypted file ${file}` }], store: { store, hasPassword, file } };
    }
    return { checks: [{ ok: true, text: `keychain reachable${process.platform === 'linux' ? ' (D-Bus Secret Service)' : ''}` }], store: { store, hasPassword } };
  } catch (err) {
    return { checks: [failure(err)] };
  }
}

/** 2. The secrets in it: the file's passphrase opens it, the password is there, the optional ones may be. */
async function checkSecrets(name: string, { store, hasPassword, file }: OpenedStore): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    if (file !== undefined && hasPassword) {
      // Reading the password proves the passphrase (from COGNITO_CREDS_FILE_PASSPHRASE or the terminal).
      await store.get(secretAccount(name, 'password'));
      checks.push({ ok: true, text: `${file} opens with the passphrase` });
    }
    checks.push(hasPassword
      ? { ok: true, text: `${profileLabel(name)}: password stored` }
      : { ok: false, text: `${profileLabel(name)}: no password stored`, hint: `Run \`cognito-creds setup --profile ${name}\`.` });
    for (const { kind, label } of SECRET_KINDS.filter((s) => s.kind === 'client-secret' || s.kind === 'totp-secret')) {
      const present = await hasSecret(store, secretAccount(name, kind));
      checks.push({ ok: true, text: `${profileLabel(name)}: ${label} ${present ? 'stored' : 'not stored (needed only if the app client has a secret / the user has TOTP MFA)'}` });
    }
  } catch (err) {
    checks.push(failure(err));
  }
  return checks;
}

/**
 * 2. Whether the user pool tracks devices, as far as its answers show: a stored device says it
 * does (and whether this computer is remembered); a refresh token without one, that the last
 * sign-in was issued no device; neither, nothing (no sign-in has shown it).
 */
async function checkDevice(profile: CognitoProfile, store: SecretStore): Promise<Check[]> {
  const label = profileLabel(profile.name);
  try {
    const device = await readDevice(store, profile);
    if (device) {
      const how = device.remembered
        ? 'remembered: its sign-ins skip the MFA code'
        : `not remembered: Cognito asks for the MFA code${device.userChoice ? ` (the pool lets the user choose; \`cognito-creds setup --profile ${profile.name} --remember-device\`)` : ''}`;
      return [{ ok: true, text: `${label}: the user pool tracks devices; this computer is device ${deviceLabel(device)}, ${how}` }];
    }
    // No sign-in yet (no refresh token): no answer shows it either way, so nothing is said.
    if ((await getLargeSecret(store, secretAccount(profile.name, 'refresh-token'))) === null) return [];
    return [{ ok: true, text: `${label}: the user pool does not track devices, as far as the last sign-in shows (it was issued no device)` }];
  } catch (err) {
    return [failure(err)];
  }
}

/** 3. The cache directory: private, and no file in it readable by others. */
async function checkCacheDir(io: Io): Promise<Check[]> {
  const cache = openCredentialsCache(io.env, io.home);
  try {
    const exists = await cache.checkDir(false);
    if (!exists) return [{ ok: true, text: `cache directory ${cache.dir} does not exist yet (created on the first sign-in)` }];
    const loose: string[] = [];
    for (const entry of await fs.readdir(cache.dir)) {
      const stat = await fs.lstat(path.join(cache.dir, entry));
      if (stat.isFile() && (stat.mode & 0o077) !== 0) loose.push(entry);
    }
    return [loose.length
      ? { ok: false, text: `cache directory ${cache.dir}: ${loose.length} file(s) readable by others (${loose.join(', ')})`, hint: `chmod 600 ${cache.dir}/* (or delete them: they are only a cache).` }
      : { ok: true, text: `cache directory ${cache.dir} is yours, 0700, its files 0600` }];
  } catch (err) {
    return [failure(err)];
  }
}

/**
 * 4. The endpoints answer (any HTTP answer will do), through the proxy the sign-in would use.
 * One harmless request to each endpoint, sent by the same SDK clients as a sign-in: an
 * InitiateAuth with no parameters, and GetCredentialsForIdentity for an identity that does not
 * exist. Both are unsigned and change nothing; Cognito refuses them (HTTP 400), and any HTTP
 * answer means the endpoint is there.
 */
async function probeEndpoints(profile: CognitoProfile, io: Io): Promise<Check[]> {
  const { createCognitoApi } = await import('../../cognito/api.js');
  let api;
  try {
    api = createCognitoApi({
      ...apiTarget(profile, io.env),
      totalTimeoutMs: 12_000,
      connectTimeoutMs: PROBE_TIMEOUT_MS,
      requestTimeoutMs: PROBE_TIMEOUT_MS,
      maxAttempts: 1,
      log: createDebugLog(false, () => undefined),
    });
  } catch (err) {
    return [failure(err)];
  }
  try {
    const userPool = await probe('user pool', api.routes.userPool, () => api.initiateAuth({ AuthFlow: 'USER_SRP_AUTH', ClientId: profile.clientId, AuthParameters: {} }));
    const identity = await probe('identity pool', api.routes.identity, () =>
      api.getCredentialsForIdentity({ IdentityId: `${profile.identityRegion}:00000000-0000-4000-8000-000000000000`, Logins: {} }),
    );
    return [userPool, identity];
  } finally {
    api.destroy();
  }
}

const PROBE_TIMEOUT_MS = 5_000;

async function probe(label: 'user pool' | 'identity pool', route: Route, request: () => Promise<unknown>): Promise<Check> {
  const where = `${label} endpoint ${route.described}`;
  try {
    await request();
    return { ok: true, text: `${where} answers (HTTP 200)` };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    if (status && e.name !== 'ProxyError') return { ok: true, text: `${where} answers (HTTP ${status})` };
    const why =
      e.name === 'ProxyError'
        ? `the proxy answered HTTP ${status}`
        : e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `no answer in ${PROBE_TIMEOUT_MS / 1000} s`
          : e.code
            ? networkReason(e.code)
            : e.message;
    return { ok: false, text: `${where} does not answer: ${why}`, hint: 'Check your network or proxy (HTTPS_PROXY, NO_PROXY), and AWS_ENDPOINT_URL if you set it.' };
  }
}

function failure(err: unknown): Check {
  if (isCredsError(err)) return { ok: false, text: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { ok: false, text: `unexpected: ${err instanceof Error ? err.message : String(err)}` };
}
