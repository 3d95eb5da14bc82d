/**
 * `cognito-creds setup`: gather a profile's values (flags, prompts, the profile as it stands),
 * sign in once to prove them, then store the password and write the one config section.
 */
import { editConfigFile, readConfigText } from '../../config/config-file.js';
import { profilesFromIni, upsertProfile } from '../../config/ini.js';
import { KEYS } from '../../config/keys.js';
import { configFilePath, selectedProfile } from '../../config/paths.js';
import { resolveCognitoProfile } from '../../config/profile.js';
import {
  type Check,
  checkAuthFlow,
  checkClientId,
  checkIdentityPoolId,
  checkProfileName,
  checkRegion,
  checkUserPoolId,
  checkUsername,
  shown,
} from '../../config/validate.js';
import { signInForCredentials } from '../../cognito/provider.js';
import { CredsError, profileLabel } from '../../errors.js';
import { secretAccount } from '../../secrets/store.js';
import { debugLog, type Io } from '../io.js';
import { ask, readFirstLine } from '../prompt.js';
import { credentialProcessLine, selfCommand } from '../self-command.js';

export interface SetupOptions {
  profile?: string | undefined;
  userPoolId?: string | undefined;
  clientId?: string | undefined;
  identityPoolId?: string | undefined;
  username?: string | undefined;
  authFlow?: string | undefined;
  region?: string | undefined;
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
];

export async function setup(options: SetupOptions, io: Io): Promise<void> {
  const log = debugLog(io, options.debug);
  const name = selectedProfile(options.profile, io.env);
  const nameProblem = checkProfileName(name);
  if (nameProblem) throw new CredsError('usage', `--profile ${shown(name)} ${nameProblem}`, 'Choose another name.');
  const file = configFilePath(io.env, io.home);
  const existing = profilesFromIni((await readConfigText(file)) ?? '').get(name) ?? {};
  const interactive = io.stdinIsTTY && !options.passwordStdin;
  log(`config file ${file}, profile ${name}, ${interactive ? 'interactive' : 'scripted'}`);

  // Every value: the flag, else a prompt (showing the current value), else the current value.
  const settings: Record<string, string> = {};
  for (const field of FIELDS) {
    let value = field.value(options);
    const current = existing[field.key];
    if (value === undefined && interactive && (field.required || current !== undefined)) {
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
  const profile = resolveCognitoProfile(name, settings, file);

  const password = await readPassword(options, io, interactive, name);

  if (options.verify) {
    await signInForCredentials(
      profile,
      { log, env: io.env, now: io.now, ...(io.createApi ? { createApi: io.createApi } : {}) },
      { secrets: { password }, useSession: false },
    );
    log('verified: the sign-in worked');
  }

  // Save: the password first, then the config; if the config cannot be written, put the old
  // password back so that nothing is half-saved.
  const store = await io.secrets();
  const account = secretAccount(name, 'password');
  const oldPassword = await store.get(account);
  await store.set(account, password);
  const values: Record<string, string | undefined> = {
    [KEYS.credentialProcess]: credentialProcessLine(io.selfCommand ?? selfCommand(), name),
    [KEYS.userPoolId]: profile.userPoolId,
    [KEYS.clientId]: profile.clientId,
    [KEYS.identityPoolId]: profile.identityPoolId,
    [KEYS.username]: profile.username,
    [KEYS.authFlow]: settings[KEYS.authFlow],
    [KEYS.region]: settings[KEYS.region],
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
    await (oldPassword === null ? store.delete(account) : store.set(account, oldPassword)).catch(() => undefined);
    throw err;
  }
  io.stdout(
    `${profileLabel(name)} saved in ${file}; the password is in the keychain${options.verify ? ' and the sign-in was verified' : ''}.\n` +
      `Try it: aws sts get-caller-identity --profile ${name}\n`,
  );
}

async function readPassword(options: SetupOptions, io: Io, interactive: boolean, name: string): Promise<string> {
  let password: string | undefined;
  if (options.passwordStdin) {
    password = await readFirstLine(io.stdin);
    if (password === undefined || password === '') {
      throw new CredsError('usage', `${profileLabel(name)}: --password-stdin was given but standard input held no password`, 'Pipe the password as the first line, e.g. `printf %s "$PW" | cognito-creds setup ... --password-stdin`.');
    }
  } else if (interactive) {
    password = await ask(io, 'Password (not shown): ', true);
    if (password === '') throw new CredsError('usage', `${profileLabel(name)}: the password was empty`, 'Run setup again and type the password.');
  } else {
    throw new CredsError('usage', `${profileLabel(name)}: no password given and no terminal to ask for one`, 'Pass --password-stdin and write the password on standard input.');
  }
  return password;
}
