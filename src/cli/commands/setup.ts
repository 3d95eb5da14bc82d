/**
 * `cognito-creds setup`: gather a profile's values (flags, prompts, the profile as it stands) and
 * secrets (stdin, environment, hidden prompts), sign in once to prove them, then store the
 * secrets and write the one config section. If anything fails, nothing the user had is lost.
 */
import { openCredentialsCache } from '../../cache/cache-dir.js';
import { cacheKey, entryFor, identityOf } from '../../cache/entry.js';
import { decodeBase32 } from '../../cognito/totp.js';
import { editConfigFile, profileServices, readConfigText } from '../../config/config-file.js';
import { upsertProfile } from '../../config/ini-edit.js';
import { profilesFromIni } from '../../config/ini-parse.js';
import { KEYS } from '../../config/keys.js';
import { configFilePath, selectedProfile } from '../../config/paths.js';
import { ENDPOINT_KEYS, resolveCognitoProfile } from '../../config/profile.js';
import {
  type Check,
  checkAuthFlow,
  checkClientId,
  checkIdentityPoolId,
  checkProfileName,
  checkRegion,
  checkRoleArn,
  checkSecretStore,
  checkUserPoolId,
  checkUsername,
  shown,
} from '../../config/validate.js';
import { CredsError, profileLabel } from '../../errors.js';
import { deleteLargeSecret, getLargeSecret, setLargeSecret } from '../../secrets/large-secret.js';
import { SECRET_KINDS, secretAccount, type SecretKind, type SecretStore, storeName } from '../../secrets/store.js';
import { debugLog, type Io, signInDeps } from '../io.js';
import { ask, readLines } from '../prompt.js';
import { credentialProcessLine, selfCommand } from '../self-command.js';

export interface SetupOptions {
  profile?: string | undefined;
  userPoolId?: string | undefined;
  clientId?: string | undefined;
  identityPoolId?: string | undefined;
  username?: string | undefined;
  authFlow?: string | undefined;
  region?: string | undefined;
  roleArn?: string | undefined;
  secretStore?: string | undefined;
  passwordStdin: boolean;
  verify: boolean;
  debug: boolean;
}

interface Field {
  key: string;
  flag: string;
  label: string;
  check: Check;
  required: boolean;
  value: (o: SetupOptions) => string | undefined;
}

const FIELDS: Field[] = [
  { key: KEYS.userPoolId, flag: '--user-pool-id', label: 'User pool id', check: checkUserPoolId, required: true, value: (o) => o.userPoolId },
  { key: KEYS.clientId, flag: '--client-id', label: 'App client id', check: checkClientId, required: true, value: (o) => o.clientId },
  { key: KEYS.identityPoolId, flag: '--identity-pool-id', label: 'Identity pool id', check: checkIdentityPoolId, required: true, value: (o) => o.identityPoolId },
  { key: KEYS.username, flag: '--username', label: 'Username', check: checkUsername, required: true, value: (o) => o.username },
  { key: KEYS.authFlow, flag: '--auth-flow', label: 'Auth flow', check: checkAuthFlow, required: false, value: (o) => o.authFlow },
  { key: KEYS.region, flag: '--region', label: 'User pool region', check: checkRegion, required: false, value: (o) => o.region },
  { key: KEYS.roleArn, flag: '--role-arn', label: 'Role ARN', check: checkRoleArn, required: false, value: (o) => o.roleArn },
  { key: KEYS.secretStore, flag: '--secret-store', label: 'Secret store (keychain or file)', check: checkSecretStore, required: false, value: (o) => o.secretStore },
];

/** The optional secrets: where each comes from when not prompted for. */
const OPTIONAL_SECRETS = [
  { kind: 'client-secret', env: 'COGNITO_CLIENT_SECRET', label: 'App client secret', what: 'the app client has none' },
  { kind: 'totp-secret', env: 'COGNITO_TOTP_SECRET', label: 'TOTP secret (base32)', what: 'the user has no TOTP MFA' },
] as const;

export async function setup(options: SetupOptions, io: Io): Promise<void> {
  const log = debugLog(io, options.debug);
  const name = selectedProfile(options.profile, io.env);
  const nameProblem = checkProfileName(name);
  if (nameProblem) throw new CredsError('usage', `--profile ${shown(name)} ${nameProblem}`, 'Choose another name.');
  const file = configFilePath(io.env, io.home);
  const text = (await readConfigText(file)) ?? '';
  const existing = profilesFromIni(text).get(name) ?? {};
  const interactive = io.stdinIsTTY && !options.passwordStdin;
  log(`config file ${file}, profile ${name}, ${interactive ? 'interactive' : 'scripted'}`);

  // Every value: the flag, else a prompt (showing the current value), else the current value.
  const settings: Record<string, string> = {};
  for (const field of FIELDS) {
    let value = field.value(options);
    const current = existing[field.key];
    if (value === undefined && interactive && (field.required || current !== undefined || field.key === KEYS.roleArn)) {
      const answer = (await ask(io, `${field.label}${current ? ` [${current}]` : field.required ? '' : ' (Enter to skip)'}: `)).trim();
      value = answer || current;
    }
    value ??= current;
    if (value === undefined || value === '') {
      if (field.required) {
        throw new CredsError('usage', `${profileLabel(name)}: ${field.flag} is required`, `Pass ${field.flag}, or run setup in a terminal to be asked.`);
      }
      continue;
    }
    const problem = field.check(value);
    if (problem) throw new CredsError('usage', `${field.flag} ${shown(value)} ${problem}`, `Pass a valid ${field.flag}.`);
    settings[field.key] = value;
  }
  // The sign-in goes where the profile's endpoint settings (kept as they are) send it.
  const endpointSettings = Object.fromEntries(ENDPOINT_KEYS.flatMap((k) => (existing[k] === undefined ? [] : [[k, existing[k]]])));
  const profile = resolveCognitoProfile(name, { ...endpointSettings, ...settings }, file, profileServices(text, existing));

  const [password, newPasswordLine] = await readPassword(options, io, interactive, name);
  const store = await io.secrets(profile.secretStore);
  // Read before anything changes: it proves the store can be reached before a sign-in is spent,
  // and it is what a failed save puts back.
  const snapshot = await snapshotSecrets(store, name);
  const storedOf = (kind: SecretKind) => snapshot.find(([k]) => k === kind)?.[1] ?? null;
  // A stored optional secret carries over only while it can still be right: same client, same user.
  const sameClient = existing[KEYS.clientId] === profile.clientId && existing[KEYS.userPoolId] === profile.userPoolId;
  const sameUser = sameClient && existing[KEYS.username] === profile.username;
  const optional: Partial<Record<SecretKind, string>> = {};
  for (const spec of OPTIONAL_SECRETS) {
    const keep = spec.kind === 'client-secret' ? sameClient : sameUser;
    const stored = keep ? storedOf(spec.kind) : null;
    let value = io.env[spec.env] || undefined;
    if (value === undefined && interactive) {
      value = (await ask(io, `${spec.label} (not shown; Enter ${stored ? 'keeps the stored one' : `if ${spec.what}`}): `, true)).trim() || undefined;
    }
    value ??= stored ?? undefined;
    if (value !== undefined) optional[spec.kind] = value;
  }
  if (optional['totp-secret'] !== undefined) {
    try {
      decodeBase32(optional['totp-secret']);
    } catch {
      throw new CredsError('usage', `${profileLabel(name)}: the TOTP secret is not base32 (letters A-Z and digits 2-7)`, 'Copy the secret key your authenticator app was set up with (not a 6-digit code).');
    }
  }

  let finalPassword = password;
  let signedIn: Awaited<ReturnType<typeof verify>> | undefined;
  const verify = async () => {
    const { signInForCredentials } = await import('../../credentials/sign-in.js');
    return signInForCredentials(
      profile,
      { ...signInDeps(io, log), newPassword: () => chooseNewPassword(io, interactive, name, newPasswordLine) },
      {
        secrets: {
          password,
          ...(optional['client-secret'] ? { clientSecret: optional['client-secret'] } : {}),
          ...(optional['totp-secret'] ? { totpSecret: optional['totp-secret'] } : {}),
        },
        useSession: false,
        keepSession: true,
        store,
      },
    );
  };
  if (options.verify) {
    signedIn = await verify();
    await signedIn.sessionSaved;
    if (signedIn.tokens.newPassword) finalPassword = signedIn.tokens.newPassword;
    log('verified: the sign-in worked');
  }

  // Save: the secrets first, then the config. If the config cannot be written, the keychain
  // entries are put back as they were, so that nothing is half-saved.
  await saveSecrets(store, name, { password: finalPassword, 'client-secret': optional['client-secret'], 'totp-secret': optional['totp-secret'] });
  const values: Record<string, string | undefined> = {
    [KEYS.credentialProcess]: credentialProcessLine(io.selfCommand ?? selfCommand(), name),
    [KEYS.userPoolId]: profile.userPoolId,
    [KEYS.clientId]: profile.clientId,
    [KEYS.identityPoolId]: profile.identityPoolId,
    [KEYS.username]: profile.username,
    [KEYS.authFlow]: settings[KEYS.authFlow],
    [KEYS.region]: settings[KEYS.region],
    [KEYS.roleArn]: settings[KEYS.roleArn],
    // The keychain is the default: only the file is written down.
    [KEYS.secretStore]: profile.secretStore === 'file' ? 'file' : undefined,
  };
  try {
    await editConfigFile(file, (text) => {
      try {
        return upsertProfile(text, name, values);
      } catch (err) {
        // The editor refuses values that would not read back the same (a line break, a comment).
        throw new CredsError('config', `${profileLabel(name)}: cannot write the profile: ${(err as Error).message}`, 'Nothing was changed; see docs/troubleshooting.md.', { cause: err });
      }
    });
  } catch (err) {
    await restoreSecrets(store, name, snapshot);
    throw err;
  }

  // The verifying sign-in's credentials serve the first calls (an MFA code is not asked twice).
  if (signedIn) {
    const cache = openCredentialsCache(io.env, io.home);
    await cache.write(cacheKey(profile), entryFor(name, identityOf(profile), signedIn.credentials, io.now())).catch((err: unknown) => log(`not cached: ${(err as Error).message}`));
  }

  const where = storeName(profile.secretStore);
  const saved = ['the password', optional['client-secret'] && 'the client secret', optional['totp-secret'] && 'the TOTP secret'].filter(Boolean) as string[];
  io.stdout(
    `${profileLabel(name)} saved in ${file}; ${list(saved)} ${saved.length > 1 ? 'are' : 'is'} in ${where}` +
      `${options.verify ? ' and the sign-in was verified' : ''}${finalPassword !== password ? ' (with the new password)' : ''}.\n` +
      `Try it: aws sts get-caller-identity --profile ${name}\n`,
  );
}

async function readPassword(options: SetupOptions, io: Io, interactive: boolean, name: string): Promise<[string, string | undefined]> {
  if (options.passwordStdin) {
    const [password, newPassword] = await readLines(io.stdin, 2);
    if (!password) {
      throw new CredsError('usage', `${profileLabel(name)}: --password-stdin was given but standard input held no password`, 'Pipe the password as the first line, e.g. `printf %s "$PW" | cognito-creds setup ... --password-stdin`.');
    }
    return [password, newPassword || undefined];
  }
  if (interactive) {
    const password = await ask(io, 'Password (not shown): ', true);
    if (password === '') throw new CredsError('usage', `${profileLabel(name)}: the password was empty`, 'Run setup again and type the password.');
    return [password, undefined];
  }
  throw new CredsError('usage', `${profileLabel(name)}: no password given and no terminal to ask for one`, 'Pass --password-stdin and write the password on standard input.');
}

/** NEW_PASSWORD_REQUIRED: the second line of stdin, else asked twice in the terminal. */
async function chooseNewPassword(io: Io, interactive: boolean, name: string, fromStdin: string | undefined): Promise<string> {
  if (fromStdin) return fromStdin;
  if (interactive) {
    io.stderr('Cognito requires a new password for this user.\n');
    const first = await ask(io, 'New password (not shown): ', true);
    const second = await ask(io, 'New password again: ', true);
    if (first && first === second) return first;
    throw new CredsError('usage', `${profileLabel(name)}: the new passwords were empty or did not match`, 'Run setup again.');
  }
  throw new CredsError(
    'auth',
    `${profileLabel(name)}: Cognito requires a new password and none was given`,
    'Run setup in a terminal, or with --password-stdin put the new password on the second line of standard input.',
  );
}

/** Store the secrets (deleting optional ones that are now absent); returns how to put the old ones back. */
const KINDS: SecretKind[] = SECRET_KINDS.map((s) => s.kind);
type Snapshot = Array<[SecretKind, string | null]>;

/** The profile's secrets as they are now (read before anything changes, which also proves the store can be reached). */
async function snapshotSecrets(store: SecretStore, profile: string): Promise<Snapshot> {
  const snapshot: Snapshot = [];
  for (const kind of KINDS) snapshot.push([kind, await getLargeSecret(store, secretAccount(profile, kind))]);
  return snapshot;
}

/** Store the secrets, deleting optional ones that are now absent. */
async function saveSecrets(store: SecretStore, profile: string, secrets: Partial<Record<SecretKind, string | undefined>>): Promise<void> {
  for (const [kind, value] of Object.entries(secrets) as Array<[SecretKind, string | undefined]>) {
    const account = secretAccount(profile, kind);
    if (value !== undefined) await store.set(account, value);
    else await store.delete(account);
  }
}

/** Put every secret of the profile back as the snapshot had it (the refresh token included). */
async function restoreSecrets(store: SecretStore, profile: string, snapshot: Snapshot): Promise<void> {
  for (const [kind, old] of snapshot) {
    const account = secretAccount(profile, kind);
    await (old === null ? deleteLargeSecret(store, account) : setLargeSecret(store, account, old)).catch(() => undefined);
  }
}

function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
