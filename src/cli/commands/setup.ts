/**
 * `cognito-creds setup`: gather a profile's values (flags, prompts, the profile as it stands) and
 * secrets (stdin, environment, hidden prompts), sign in once to prove them, then store the
 * secrets and write the one config section. If anything fails, nothing the user had is lost.
 * The gathering steps are in src/cli/setup-steps.ts.
 */
import { openCredentialsCache } from '../../cache/cache-dir.js';
import { cacheKey, entryFor, identityOf } from '../../cache/entry.js';
import { KEYS } from '../../config/keys.js';
import type { CognitoProfile } from '../../config/profile.js';
import type { SignInResult } from '../../credentials/sign-in.js';
import { CredsError, formatError, isCredsError, profileLabel } from '../../errors.js';
import type { DebugLog } from '../../log/debug.js';
import { deviceLabel } from '../../secrets/device.js';
import { absenceOf, lockedError, SECRET_KINDS, secretAccount, type SecretStore, storeName } from '../../secrets/store.js';
import { debugLog, type Io, signInDeps } from '../io.js';
import { withProfileLock } from '../profile-lock.js';
import { ask } from '../prompt.js';
import { preflight } from '../setup-checks.js';
import { checkWritable, writeProfile } from '../setup-write.js';
import {
  chooseNewPassword,
  gatherOptionalSecrets,
  gatherSettings,
  type GivenPassword,
  type OptionalSecrets,
  profileFor,
  readPassword,
  readTarget,
  restoreSecrets,
  saveSecrets,
  type SetupOptions,
  type Snapshot,
  snapshotSecrets,
  storedPassword,
  type Target,
} from '../setup-steps.js';

export type { SetupOptions } from '../setup-steps.js';

export async function setup(options: SetupOptions, io: Io): Promise<void> {
  const log = debugLog(io, options.debug);
  const target = await readTarget(options, io);
  log(`config file ${target.file}, profile ${target.name}, ${target.interactive ? 'interactive' : 'scripted'}`);
  await preflight(options, io, target);
  const settings = await gatherSettings(options, io, target);
  const profile = profileFor(target, settings);
  checkWritable(io, target, profile, settings, options.force === true);
  const store = await io.secrets(profile.secretStore);
  // Read before anything changes: it proves the store can be reached before a sign-in is spent,
  // it is what a failed save puts back, and its password is what Enter at the prompt keeps.
  const snapshot = await snapshotSecrets(store, target.name);
  // A locked keyring reads as "nothing stored", and would refuse the save after a sign-in: ask now.
  if (!snapshot.find(([kind]) => kind === 'password')?.[1] && (await absenceOf(store, secretAccount(target.name, 'password'))) === 'locked') {
    throw lockedError(`${profileLabel(target.name)}: the keychain is locked, so setup cannot keep the profile's secrets; nothing was sent or saved`, process.platform);
  }
  const given = await readPassword(options, io, target, storedPassword(target, profile, snapshot));
  const optional = await gatherOptionalSecrets(io, target, profile, snapshot);
  const answers: Answers = { settings, profile, store, snapshot, given, optional };
  const signedIn = options.verify ? await verifyOrCorrect(options, { io, log, target }, answers) : undefined;
  await save(io, log, target, answers, signedIn, options);
}

/** What setup gathered; a failed verification may replace any of it. */
interface Answers {
  settings: Record<string, string>;
  profile: CognitoProfile;
  store: SecretStore;
  snapshot: Snapshot;
  given: GivenPassword;
  optional: OptionalSecrets;
}

/**
 * Save, under the profile's lock (a remove of the same profile runs wholly before or after): the
 * secrets first, then the config. If the config cannot be written, the keychain entries are put
 * back as they were, so that nothing is half-saved.
 */
async function save(io: Io, log: DebugLog, target: Target, a: Answers, signedIn: SignInResult | undefined, options: SetupOptions): Promise<void> {
  const password = signedIn?.tokens.newPassword || a.given.password;
  let overridden: string[] = [];
  await withProfileLock(target.file, target.name, async () => {
    // Read again: a remove may have run since the first snapshot, deleting what it saw.
    const current = await snapshotSecrets(a.store, target.name);
    await saveSecrets(a.store, target.name, { password, 'client-secret': a.optional['client-secret'], 'totp-secret': a.optional['totp-secret'] });
    try {
      overridden = await writeProfile(io, target, a.profile, a.settings, options.force === true);
    } catch (err) {
      await restoreSecrets(a.store, target.name, undoTo(a.snapshot, current, signedIn !== undefined));
      throw err;
    }
  });
  // The verifying sign-in's credentials serve the first calls (an MFA code is not asked twice).
  if (signedIn) await cacheCredentials(io, log, target.name, a.profile, signedIn);
  io.stdout(summary(target, a.profile, a.optional, options.verify, password !== a.given.password, overridden, deviceLine(signedIn)));
}

/** Verifications a person at the terminal may correct before setup gives up. */
const MAX_VERIFICATIONS = 3;

/**
 * Sign in once to prove the answers. At a terminal, a refusal that a typo can cause (the
 * password, a user, an id, the flow, a client secret) is shown and the person may correct the
 * answers, each prompt showing what was typed (Enter keeps it), instead of starting over.
 */
async function verifyOrCorrect(options: SetupOptions, ctx: { io: Io; log: DebugLog; target: Target }, answers: Answers): Promise<SignInResult> {
  const { io, target } = ctx;
  for (let attempt = 1; ; attempt++) {
    try {
      return await verifySignIn({ ...ctx, ...answers });
    } catch (err) {
      if (!target.interactive || attempt >= MAX_VERIFICATIONS || !isCredsError(err) || !CORRECTABLE.has(err.kind)) throw err;
      io.stderr(formatError(err));
      if (!(await confirm(io, 'Correct the answers and sign in again? [Y/n] '))) {
        // The refusal is on the screen already; the same kind, so the same exit code.
        throw new CredsError(err.kind, `${profileLabel(target.name)}: setup stopped after the refusal above; nothing was saved`, 'Run setup again when you have the right values.', { cause: err });
      }
      Object.assign(answers, await regather(options, io, target, answers));
    }
  }
}

/** Kinds of refusal that a wrong answer causes: sign-in refused, not found, refused parameters. */
const CORRECTABLE = new Set(['auth', 'config', 'cognito']);

/** Ask every question again, what was typed before shown as the current value. */
async function regather(options: SetupOptions, io: Io, target: Target, before: Answers): Promise<Answers> {
  const typed: Target = { ...target, existing: { ...target.existing, ...before.settings } };
  const settings = await gatherSettings(options, io, typed);
  const profile = profileFor(target, settings);
  const sameStore = profile.secretStore === before.profile.secretStore;
  const store = sameStore ? before.store : await io.secrets(profile.secretStore);
  const snapshot = sameStore ? before.snapshot : await snapshotSecrets(store, target.name);
  const given = await readPassword(options, io, typed, before.given.password, 'typed');
  const typedSecrets: Snapshot = SECRET_KINDS.map(({ kind }) => [kind, before.optional[kind] ?? null]);
  const optional = await gatherOptionalSecrets(io, typed, profile, typedSecrets);
  return { settings, profile, store, snapshot, given, optional };
}

async function confirm(io: Io, question: string): Promise<boolean> {
  const answer = (await ask(io, question)).trim().toLowerCase();
  return answer === '' || answer === 'y' || answer === 'yes';
}

interface Verification {
  io: Io;
  log: DebugLog;
  target: Target;
  profile: CognitoProfile;
  store: SecretStore;
  given: GivenPassword;
  optional: OptionalSecrets;
}

/**
 * What a failed save puts back: the secrets as they are under the lock, except the refresh token
 * and the device that the verifying sign-in wrote, which go back to what they were before (unless
 * a remove has deleted them since: then they stay deleted).
 */
function undoTo(before: Snapshot, current: Snapshot, verified: boolean): Snapshot {
  return current.map(([kind, value]) => {
    if ((kind !== 'refresh-token' && kind !== 'device') || !verified || value === null) return [kind, value];
    return [kind, before.find(([k]) => k === kind)?.[1] ?? null];
  });
}

/** Sign in once with what was given (asking for a new password if Cognito requires one), and keep the session. */
async function verifySignIn({ io, log, target, profile, store, given, optional }: Verification): Promise<SignInResult> {
  const { signInForCredentials } = await import('../../credentials/sign-in.js');
  const signedIn = await signInForCredentials(
    profile,
    { ...signInDeps(io, log), newPassword: () => chooseNewPassword(io, target, given.newPasswordLine) },
    {
      secrets: {
        password: given.password,
        ...(optional['client-secret'] ? { clientSecret: optional['client-secret'] } : {}),
        ...(optional['totp-secret'] ? { totpSecret: optional['totp-secret'] } : {}),
      },
      useSession: false,
      keepSession: true,
      store,
    },
  );
  await signedIn.sessionSaved;
  log('verified: the sign-in worked');
  return signedIn;
}

/** Cache the verifying sign-in's credentials; a failure only costs the first call a sign-in. */
async function cacheCredentials(io: Io, log: DebugLog, name: string, profile: CognitoProfile, signedIn: SignInResult): Promise<void> {
  const cache = openCredentialsCache(io.env, io.home);
  await cache.write(cacheKey(profile), entryFor(name, identityOf(profile), signedIn.credentials, io.now())).catch((err: unknown) => log(`not cached: ${(err as Error).message}`));
}

/** What was saved where, and how to try it. */
function summary({ name, file, existing }: Target, profile: CognitoProfile, optional: OptionalSecrets, verified: boolean, newPassword: boolean, overridden: string[], device: string): string {
  const where = storeName(profile.secretStore);
  const saved = ['the password', optional['client-secret'] && 'the client secret', optional['totp-secret'] && 'the TOTP secret'].filter(Boolean) as string[];
  const region = existing[KEYS.awsRegion] ?? profile.identityRegion;
  return (
    `${profileLabel(name)} saved in ${file}; ${list(saved)} ${saved.length > 1 ? 'are' : 'is'} in ${where}` +
    `${verified ? ' and the sign-in was verified' : ''}${newPassword ? ' (with the new password)' : ''}.\n` +
    (overridden.length ? `Removed from the section (--force): ${overridden.join(', ')}.\n` : '') +
    `Region for AWS commands: ${region}${existing[KEYS.awsRegion] === undefined ? ' (the identity pool\'s; change it with `region =` in the profile)' : ' (the profile\'s own)'}.\n` +
    device +
    `Try it: aws sts get-caller-identity --profile ${name}\n`
  );
}

/** What the verifying sign-in made of this computer, when the user pool tracks devices. */
function deviceLine(signedIn: SignInResult | undefined): string {
  const device = signedIn?.device;
  if (!device) return '';
  const which = `${signedIn.newDevice ? 'now ' : ''}device ${deviceLabel(device)} of the user pool`;
  return device.remembered
    ? `This computer is ${which}, remembered: sign-ins from it skip the MFA code.\n`
    : `This computer is ${which}, not remembered: Cognito still asks for the MFA code${device.userChoice ? ' (setup --remember-device changes that)' : ''}.\n`;
}

function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
