/** `cognito-creds status`: the Cognito profiles, whether their secrets are stored, when their cached credentials expire. Never a secret. */
import { type CredentialsCache, openCredentialsCache } from '../../cache/cache-dir.js';
import { cacheKey, identityOf } from '../../cache/entry.js';
import { isFresh, renewalWindowMs } from '../../cache/freshness.js';
import { readConfigText } from '../../config/config-file.js';
import { profilesFromIni } from '../../config/ini-parse.js';
import { configFilePath } from '../../config/paths.js';
import { type CognitoProfile, isCognitoProfile, resolveCognitoProfile } from '../../config/profile.js';
import { CredsError, forTerminal, isCredsError, profileLabel } from '../../errors.js';
import { deviceLabel, readDevice } from '../../secrets/device.js';
import { getLargeSecret } from '../../secrets/large-secret.js';
import { absenceOf, hasSecret, SECRET_KINDS, secretAccount, storeName } from '../../secrets/store.js';
import { isoSeconds } from '../../output/credential-process.js';
import { type Io } from '../io.js';
import { minTtlSeconds } from '../../credentials/profile-credentials.js';

export interface StatusOptions {
  profile?: string | undefined;
  debug: boolean;
}


export async function status(options: StatusOptions, io: Io): Promise<void> {
  const file = configFilePath(io.env, io.home);
  const text = await readConfigText(file);
  const all = profilesFromIni(text ?? '');
  const names = options.profile
    ? [options.profile]
    : [...all].filter(([, settings]) => isCognitoProfile(settings)).map(([n]) => n);
  if (options.profile && !all.has(options.profile)) {
    throw new CredsError('config', `${profileLabel(options.profile)} is not in ${file}`, `Run \`cognito-creds setup --profile ${options.profile}\`.`);
  }
  if (names.length === 0) {
    io.stdout(`No cognito-creds profiles in ${forTerminal(file)}. Run \`cognito-creds setup --profile NAME\` to add one.\n`);
    return;
  }
  const cache = openCredentialsCache(io.env, io.home);
  const lines: string[] = [`Config file ${file}, cache ${cache.dir}`];
  for (const name of names) {
    lines.push('');
    let profile;
    try {
      profile = resolveCognitoProfile(name, all.get(name) ?? {}, file);
    } catch (err) {
      lines.push(`${name}: not usable: ${isCredsError(err) ? err.message : String(err)}`);
      continue;
    }
    lines.push(`${name}: ${profile.username} in ${profile.userPoolId}, identity pool ${profile.identityPoolId}${profile.roleArn ? `, role ${profile.roleArn}` : ''}`);

    lines.push(...(await secretsLines(profile, io)));
    lines.push(...(await deviceLine(profile, io)));
    lines.push(await credentialsLine(profile, cache, io));
  }
  io.stdout(`${lines.map(forTerminal).join('\n')}\n`);
}

/**
 * `  keychain:   password stored, client secret not stored, …` (or why the store is unreachable);
 * a secret behind a locked keyring is "stored but locked", with a line saying what to do.
 */
async function secretsLines(profile: CognitoProfile, io: Io): Promise<string[]> {
  const stored: string[] = [];
  let problem: string | undefined;
  let locked = false;
  try {
    const store = await io.secrets(profile.secretStore);
    // The device has a line of its own (deviceLine).
    for (const { kind, label } of SECRET_KINDS.filter((s) => s.kind !== 'device')) {
      const account = secretAccount(profile.name, kind);
      const present = kind === 'refresh-token' ? (await getLargeSecret(store, account)) !== null : await hasSecret(store, account);
      const lockedHere = !present && (await absenceOf(store, account)) === 'locked';
      locked ||= lockedHere;
      stored.push(`${label} ${present ? 'stored' : lockedHere ? 'stored but locked' : 'not stored'}`);
    }
  } catch (err) {
    problem = isCredsError(err) ? err.message : String(err);
  }
  const where = storeName(profile.secretStore).replace(/^the /, '');
  const line = `  ${`${where}:`.padEnd(12)} ${problem ? `unreachable (${problem})` : stored.join(', ')}`;
  // Two lines, each escaped for the terminal on its own.
  return locked ? [line, `${' '.repeat(15)}the keychain is locked: unlock it to use them (docs/troubleshooting.md, "The keychain is locked")`] : [line];
}

/** `  device:      remembered as "laptop" (us-east-1_0f1e2d3c…)`, when one is stored: its name and key prefix, never its password. */
async function deviceLine(profile: CognitoProfile, io: Io): Promise<string[]> {
  let device;
  try {
    device = await readDevice(await io.secrets(profile.secretStore), profile);
  } catch {
    return []; // the keychain line says why the store cannot be read
  }
  if (!device) return [];
  return [`  device:      ${device.remembered ? 'remembered' : 'tracked, not remembered (MFA still asked)'}: ${deviceLabel(device)}`];
}

/** `  credentials: cached, expire … (in …); served until …`, or none, expired, unusable. */
async function credentialsLine(profile: CognitoProfile, cache: CredentialsCache, io: Io): Promise<string> {
  let cached;
  try {
    cached = await cache.read(cacheKey(profile));
    if (cached && cached.identity !== identityOf(profile)) cached = undefined;
  } catch (err) {
    return `  credentials: cache unusable (${isCredsError(err) ? err.message : String(err)})`;
  }
  const now = io.now();
  if (!cached) return '  credentials: none cached';
  if (cached.expiresAt <= now) return `  credentials: expired at ${isoSeconds(new Date(cached.expiresAt))}`;
  const minTtlMs = minTtlSeconds(profile, io.env) * 1000;
  const lifetime = { issuedAt: cached.issuedAt, expiresAt: cached.expiresAt };
  const renewAt = cached.expiresAt - renewalWindowMs(lifetime, minTtlMs);
  return (
    `  credentials: cached, expire ${isoSeconds(new Date(cached.expiresAt))} (in ${minutes(cached.expiresAt - now)}); ` +
    (isFresh(lifetime, now, minTtlMs) ? `served until ${isoSeconds(new Date(renewAt))}` : 'renewed on the next call')
  );
}

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}
