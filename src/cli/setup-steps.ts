/**
 * The gathering steps of `cognito-creds setup` (src/cli/commands/setup.ts): the profile's values
 * (flags, prompts, the profile as it stands), its password and optional secrets (stdin,
 * environment, hidden prompts), and the snapshot, save and restore of its stored secrets.
 */
import { decodeBase32 } from '../cognito/totp.js';
import { profileServices, readConfigText } from '../config/config-file.js';
import { profilesFromIni } from '../config/ini-parse.js';
import { KEYS } from '../config/keys.js';
import { configFilePath, selectedProfile } from '../config/paths.js';
import { type CognitoProfile, ENDPOINT_KEYS, resolveCognitoProfile } from '../config/profile.js';
import {
  type Check,
  checkAuthFlow,
  checkClientId,
  checkDeviceName,
  checkIdentityPoolId,
  checkProfileName,
  checkRegion,
  checkRoleArn,
  checkSecretStore,
  checkUserPoolId,
  checkUsername,
  shown,
  USERNAME_COMMENT,
} from '../config/validate.js';
import { CredsError, profileLabel } from '../errors.js';
import { deleteLargeSecret, getLargeSecret, setLargeSecret } from '../secrets/large-secret.js';
import { SECRET_KINDS, secretAccount, type SecretKind, type SecretStore } from '../secrets/store.js';
import type { Io } from './io.js';
import { ask, readLines } from './prompt.js';
import { credentialProcessLine, selfCommand } from './self-command.js';

export interface SetupOptions {
  profile?: string | undefined;
  userPoolId?: string | undefined;
  clientId?: string | undefined;
  identityPoolId?: string | undefined;
  username?: string | undefined;
  authFlow?: string | undefined;
  region?: string | undefined;
  roleArn?: string | undefined;
  /** cognito_device_name: what Cognito calls this computer (default: the host name). */
  deviceName?: string | undefined;
  /** --remember-device / --no-remember-device; undefined keeps the profile's choice (default: remember). */
  rememberDevice?: boolean | undefined;
  secretStore?: string | undefined;
  passwordStdin: boolean;
  /** Take over a section that has credentials of its own (removing those keys). */
  force?: boolean;
  verify: boolean;
  debug: boolean;
}

/** The profile setup writes, and where, as it stands before setup changes anything. */
export interface Target {
  name: string;
  file: string;
  /** The config file's text ('' when there is none). */
  text: string;
  /** The profile's settings in it ({} when it has no such section). */
  existing: Record<string, string>;
  /** Whether setup may ask questions (a terminal, and no --password-stdin). */
  interactive: boolean;
}

/** The profile's name, checked, and the config file as it is. */
export async function readTarget(options: SetupOptions, io: Io): Promise<Target> {
  const name = selectedProfile(options.profile, io.env);
  const nameProblem = checkProfileName(name);
  if (nameProblem) throw new CredsError('usage', `--profile ${shown(name)} ${nameProblem}`, 'Choose another name.');
  // The credential_process line setup will write: an install path it cannot hold is refused now, before any request.
  credentialProcessLine(io.selfCommand ?? selfCommand(), name);
  const file = configFilePath(io.env, io.home);
  const text = (await readConfigText(file)) ?? '';
  const existing = profilesFromIni(text).get(name) ?? {};
  return { name, file, text, existing, interactive: io.stdinIsTTY && !options.passwordStdin };
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
  { key: KEYS.deviceName, flag: '--device-name', label: 'Device name', check: checkDeviceName, required: false, value: (o) => o.deviceName },
  { key: KEYS.secretStore, flag: '--secret-store', label: 'Secret store (keychain or file)', check: checkSecretStore, required: false, value: (o) => o.secretStore },
];

const USERNAME_COMMENT_FIX = 'Pass another name Cognito accepts for this user (an email or other alias the pool allows); nothing was sent or saved.';

/**
 * Every value: the flag, else a prompt (showing the current value, which Enter keeps), else the
 * current value; each checked. A flag's bad value is an error in flag words; a bad answer at a
 * prompt is explained in prompt words and asked again, so one typo never loses the other answers.
 */
export async function gatherSettings(options: SetupOptions, io: Io, { name, existing, interactive }: Target): Promise<Record<string, string>> {
  const settings: Record<string, string> = {};
  for (const field of FIELDS) {
    const flagged = field.value(options);
    const current = existing[field.key];
    const asked = flagged === undefined && interactive && (field.required || current !== undefined || field.key === KEYS.roleArn);
    const value = asked ? await askField(io, field, current) : (flagged ?? current);
    if (value === undefined || value === '') {
      if (field.required) {
        throw new CredsError('usage', `${profileLabel(name)}: ${field.flag} is required`, `Pass ${field.flag}, or run setup in a terminal to be asked.`);
      }
      continue;
    }
    const problem = field.check(value);
    if (problem) throw new CredsError('usage', `${field.flag} ${shown(value)} ${problem}`, problem === USERNAME_COMMENT ? USERNAME_COMMENT_FIX : `Pass a valid ${field.flag}.`);
    settings[field.key] = value;
  }
  // Remembering this computer is the default: only "false" is written down.
  if (!(options.rememberDevice ?? existing[KEYS.rememberDevice] !== 'false')) settings[KEYS.rememberDevice] = 'false';
  return settings;
}

/** At most this many answers to one question, then setup gives up (a stuck script at a terminal). */
const MAX_ANSWERS = 5;

/** Ask for one field until the answer (or Enter for the current value) passes its check. */
async function askField(io: Io, field: Field, current: string | undefined): Promise<string | undefined> {
  const question = `${field.label}${current ? ` [${current}]` : field.required ? '' : ' (Enter to skip)'}: `;
  let problem = '';
  for (let answers = 1; answers <= MAX_ANSWERS; answers++) {
    const value = (await ask(io, question)).trim() || current;
    if (value === undefined || value === '') {
      if (!field.required) return undefined;
      problem = `the ${field.label.toLowerCase()} is needed`;
      io.stderr(`  ${capitalised(problem)}: type it (Ctrl-C cancels setup).\n`);
      continue;
    }
    const bad = field.check(value);
    if (!bad) return value;
    problem = `${shown(value)} ${bad}`;
    io.stderr(`  ${problem}; type it again (Ctrl-C cancels setup).\n`);
  }
  throw new CredsError('usage', `setup gave up on the ${field.label.toLowerCase()} after ${MAX_ANSWERS} answers: ${problem}`, 'Run setup again; every value can also be given as a flag (see `cognito-creds setup --help`).');
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The profile the gathered values make; the sign-in goes where its endpoint settings (kept as they are) send it. */
export function profileFor({ name, file, text, existing }: Target, settings: Record<string, string>): CognitoProfile {
  const endpointSettings = Object.fromEntries(ENDPOINT_KEYS.flatMap((k) => (existing[k] === undefined ? [] : [[k, existing[k]]])));
  return resolveCognitoProfile(name, { ...endpointSettings, ...settings }, file, profileServices(text, existing));
}

export interface GivenPassword {
  password: string;
  /** The second line of stdin: the new password, should Cognito require one. */
  newPasswordLine: string | undefined;
}

/**
 * The password: the first line of stdin (with --password-stdin; typed hidden when stdin is a
 * terminal), else a hidden prompt, where Enter keeps `stored` (the one stored for this user, or
 * the one typed before a failed verification).
 */
export async function readPassword(options: SetupOptions, io: Io, { name, interactive }: Target, stored?: string, keptIs: 'stored' | 'typed' = 'stored'): Promise<GivenPassword> {
  if (options.passwordStdin && io.stdinIsTTY) {
    // Reading lines from a terminal would echo the password and wait for Ctrl-D.
    const password = await ask(io, 'Password (not shown): ', true);
    if (password === '') throw new CredsError('usage', `${profileLabel(name)}: the password was empty`, 'Run setup again and type the password.');
    return { password, newPasswordLine: undefined };
  }
  if (options.passwordStdin) {
    const [password, newPassword] = await readLines(io.stdin, 2);
    if (!password) {
      throw new CredsError('usage', `${profileLabel(name)}: --password-stdin was given but standard input held no password`, 'Pipe the password as the first line, e.g. `printf %s "$PW" | cognito-creds setup ... --password-stdin`.');
    }
    return { password, newPasswordLine: newPassword || undefined };
  }
  if (interactive) {
    for (let answers = 1; answers <= MAX_ANSWERS; answers++) {
      const password = await ask(io, `Password (not shown${stored ? `; Enter keeps the ${keptIs === 'stored' ? 'stored one' : 'one typed before'}` : ''}): `, true);
      if (password !== '') return { password, newPasswordLine: undefined };
      if (stored) return { password: stored, newPasswordLine: undefined };
      io.stderr('  The password is needed: type it (Ctrl-C cancels setup).\n');
    }
    throw new CredsError('usage', `${profileLabel(name)}: the password was empty`, 'Run setup again and type the password.');
  }
  throw new CredsError('usage', `${profileLabel(name)}: no password given and no terminal to ask for one`, 'Pass --password-stdin and write the password on standard input.');
}

/** The stored password, while it can still be right: the profile names the same user in the same pool. */
export function storedPassword({ existing }: Target, profile: CognitoProfile, snapshot: Snapshot): string | undefined {
  const same = existing[KEYS.userPoolId] === profile.userPoolId && existing[KEYS.username] === profile.username;
  return (same && snapshot.find(([kind]) => kind === 'password')?.[1]) || undefined;
}

/** NEW_PASSWORD_REQUIRED: the second line of stdin, else asked twice in the terminal. */
export async function chooseNewPassword(io: Io, { name, interactive }: Target, fromStdin: string | undefined): Promise<string> {
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

/** The optional secrets: where each comes from when not prompted for. */
const OPTIONAL_SECRETS = [
  { kind: 'client-secret', env: 'COGNITO_CLIENT_SECRET', label: 'App client secret', what: 'the app client has none' },
  { kind: 'totp-secret', env: 'COGNITO_TOTP_SECRET', label: 'TOTP secret (base32)', what: 'the user has no TOTP MFA' },
] as const;

export type OptionalSecrets = Partial<Record<SecretKind, string>>;

/** The client secret and the TOTP secret: the environment, else a hidden prompt, else the stored one while it can still be right. */
export async function gatherOptionalSecrets(io: Io, { name, existing, interactive }: Target, profile: CognitoProfile, snapshot: Snapshot): Promise<OptionalSecrets> {
  const storedOf = (kind: SecretKind) => snapshot.find(([k]) => k === kind)?.[1] ?? null;
  // A stored optional secret carries over only while it can still be right: same client, same user.
  const sameClient = existing[KEYS.clientId] === profile.clientId && existing[KEYS.userPoolId] === profile.userPoolId;
  const sameUser = sameClient && existing[KEYS.username] === profile.username;
  const optional: OptionalSecrets = {};
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
  return optional;
}

const KINDS: SecretKind[] = SECRET_KINDS.map((s) => s.kind);
export type Snapshot = Array<[SecretKind, string | null]>;

/** The profile's secrets as they are now (read before anything changes, which also proves the store can be reached). */
export async function snapshotSecrets(store: SecretStore, profile: string): Promise<Snapshot> {
  const snapshot: Snapshot = [];
  for (const kind of KINDS) snapshot.push([kind, await getLargeSecret(store, secretAccount(profile, kind))]);
  return snapshot;
}

/** Store the secrets, deleting optional ones that are now absent. */
export async function saveSecrets(store: SecretStore, profile: string, secrets: Partial<Record<SecretKind, string | undefined>>): Promise<void> {
  for (const [kind, value] of Object.entries(secrets) as Array<[SecretKind, string | undefined]>) {
    const account = secretAccount(profile, kind);
    if (value !== undefined) await store.set(account, value);
    else await store.delete(account);
  }
}

/** Put every secret of the profile back as the snapshot had it (the refresh token included). */
export async function restoreSecrets(store: SecretStore, profile: string, snapshot: Snapshot): Promise<void> {
  for (const [kind, old] of snapshot) {
    const account = secretAccount(profile, kind);
    await (old === null ? deleteLargeSecret(store, account) : setLargeSecret(store, account, old)).catch(() => undefined);
  }
}
