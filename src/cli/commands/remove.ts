/**
 * `cognito-creds remove`: forget a profile's secrets and delete its config section, all or
 * nothing: under the profile's lock (src/cli/profile-lock.ts, so a setup of the same profile
 * runs before or after, never between), the secrets first, then the section; if the section
 * cannot be deleted the secrets are put back, and if a secret cannot be deleted (a locked
 * keyring, an unreachable store) the section stays and the exit code says so. A remembered device
 * is forgotten by Cognito first (best effort, reported: its secrets go whatever Cognito answers).
 */
import { openCredentialsCache } from '../../cache/cache-dir.js';
import { cacheKey } from '../../cache/entry.js';
import { editConfigFile, profileServices, readConfigText } from '../../config/config-file.js';
import { removeProfile, upsertProfile } from '../../config/ini-edit.js';
import { keysToRemove } from '../../config/ownership.js';
import { profilesFromIni } from '../../config/ini-parse.js';
import { KEYS } from '../../config/keys.js';
import { configFilePath, selectedProfile } from '../../config/paths.js';
import { type CognitoProfile, isCognitoProfile, resolveCognitoProfile } from '../../config/profile.js';
import type { ForgetOutcome } from '../../credentials/device-forget.js';
import { CredsError, isCredsError, profileLabel } from '../../errors.js';
import { deleteLargeSecret } from '../../secrets/large-secret.js';
import { absenceOf, lockedError, SECRET_KINDS, secretAccount, type SecretStore, storeName } from '../../secrets/store.js';
import { forgetDevice, reportForget } from '../device-report.js';
import type { DebugLog } from '../../log/debug.js';
import { debugLog, type Io } from '../io.js';
import { withProfileLock } from '../profile-lock.js';
import { restoreSecrets, type Snapshot, snapshotSecrets } from '../setup-steps.js';

export interface RemoveOptions {
  profile?: string | undefined;
  debug: boolean;
}

export async function remove(options: RemoveOptions, io: Io): Promise<void> {
  const log = debugLog(io, options.debug);
  const name = selectedProfile(options.profile, io.env);
  const file = configFilePath(io.env, io.home);
  const { settings, removed, keptSection, deleted, choice, forgotten } = await withProfileLock(file, name, () => removeProfileAndSecrets(name, file, io, log));
  log(`keychain entries deleted: ${deleted.join(', ') || 'none'}`);

  // Cached credentials of the profile's identity go too (a profile too broken to resolve has none).
  let cacheDeleted = false;
  if (settings) {
    let key: string | undefined;
    try {
      key = cacheKey(resolveCognitoProfile(name, settings, file));
    } catch {
      key = undefined;
    }
    if (key) cacheDeleted = await openCredentialsCache(io.env, io.home).delete(key).catch(() => false);
  }

  if (!removed && deleted.length === 0) {
    throw new CredsError('config', `${profileLabel(name)} is not in ${file} and has no stored secrets`, 'Check the name (--profile, AWS_PROFILE); `cognito-creds setup` creates profiles.');
  }
  io.stdout(
    `${profileLabel(name)}: ${removed ? (keptSection ? `its cognito-creds keys removed from ${file} (the section and its other keys stay)` : `section removed from ${file}`) : `no section in ${file}`}; ` +
      `${deleted.length ? `${deleted.join(', ')} deleted from ${storeName(choice)}` : 'no secrets were stored'}` +
      `${cacheDeleted ? '; cached credentials deleted' : ''}.\n` +
      reportForget(io, name, forgotten, storeName(choice)),
  );
}

interface Removal {
  settings: Readonly<Record<string, string>> | undefined;
  removed: boolean;
  /** Setup had written into the user's section: only its keys went. */
  keptSection: boolean;
  deleted: string[];
  choice: 'keychain' | 'file';
  forgotten: ForgetOutcome;
}

/** Under the profile's lock: read the section (a setup may just have written it), delete the secrets, then the section. */
async function removeProfileAndSecrets(name: string, file: string, io: Io, log: DebugLog): Promise<Removal> {
  const text = (await readConfigText(file)) ?? '';
  const settings = profilesFromIni(text).get(name);
  // Never delete a section that cognito-creds did not write: it may hold someone's real keys.
  if (settings && !isCognitoProfile(settings)) {
    throw new CredsError(
      'config',
      `${profileLabel(name)} in ${file} is not a cognito-creds profile (no cognito_* settings); it was left alone`,
      'Check the profile name; edit the file by hand to remove other profiles.',
    );
  }
  const choice = settings?.[KEYS.secretStore] === 'file' ? 'file' : 'keychain';
  const store = await io.secrets(choice);
  // What is stored now: what a failure puts back. Reading it also proves the store can be reached.
  const snapshot = await snapshotSecrets(store, name).catch((err: unknown) => {
    throw nothingRemoved(err);
  });
  // A locked keyring answers as if nothing were stored (and deletes nothing): ask before anything changes.
  const locked = await lockedKinds(store, name, snapshot);
  if (locked.length > 0) {
    throw lockedError(`${profileLabel(name)}: the keychain is locked, so its ${list(locked)} cannot be deleted; nothing was removed`, process.platform);
  }
  const profile = settings ? usable(name, settings, file, text) : undefined;
  const forgotten: ForgetOutcome = profile ? await forgetDevice(io, log, profile, store) : { outcome: 'none' };
  const deleted: string[] = [];
  const gone = new Set<string>();
  // Put back what was deleted (and only that: the store may be failing).
  const undo = () => restoreSecrets(store, name, snapshot.filter(([kind]) => gone.has(kind)));
  try {
    for (const { kind, label } of SECRET_KINDS) {
      gone.add(kind);
      if (await deleteLargeSecret(store, secretAccount(name, kind))) deleted.push(label);
    }
  } catch (err) {
    await undo();
    throw nothingRemoved(err);
  }
  let removed = false;
  let keptSection = false;
  if (settings) {
    try {
      const what = keysToRemove(settings);
      await editConfigFile(file, (bytes) => {
        if (what !== 'section') {
          // Setup wrote into the user's own section: take back only its keys, leave the rest.
          removed = true;
          return upsertProfile(bytes, name, Object.fromEntries(what.map((key) => [key, undefined])));
        }
        const result = removeProfile(bytes, name);
        removed = result.removed;
        return result.text;
      });
      keptSection = what !== 'section';
    } catch (err) {
      await undo(); // the section stays, so its secrets come back
      throw err;
    }
  }
  return { settings, removed, keptSection, deleted, choice, forgotten };
}

/** The profile as a sign-in would read it; undefined when it is too broken (then no device can be forgotten). */
function usable(name: string, settings: Readonly<Record<string, string>>, file: string, text: string): CognitoProfile | undefined {
  try {
    return resolveCognitoProfile(name, settings, file, profileServices(text, settings));
  } catch {
    return undefined;
  }
}

/** The labels of the secrets that are stored but locked (those the snapshot could not read). */
async function lockedKinds(store: SecretStore, name: string, snapshot: Snapshot): Promise<string[]> {
  const locked: string[] = [];
  for (const [kind, value] of snapshot) {
    if (value !== null) continue;
    if ((await absenceOf(store, secretAccount(name, kind))) === 'locked') locked.push(SECRET_KINDS.find((s) => s.kind === kind)?.label ?? kind);
  }
  return locked;
}

function nothingRemoved(err: unknown): unknown {
  if (!isCredsError(err)) return err;
  return new CredsError(err.kind, `${err.message}; nothing was removed`, err.hint, { cause: err });
}

function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
