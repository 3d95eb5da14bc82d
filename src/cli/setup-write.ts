/**
 * The one config section setup writes: its values, what it records of a section the user had
 * (src/config/ownership.ts), and the edit itself. The same edit is tried on the file as it was
 * read before the verifying sign-in, so that a file the editor refuses costs no sign-in.
 */
import { editConfigFile } from '../config/config-file.js';
import { upsertProfile } from '../config/ini-edit.js';
import { profilesFromIni } from '../config/ini-parse.js';
import { KEYS } from '../config/keys.js';
import { foreignCredentialKeys, setupAddedRecord } from '../config/ownership.js';
import type { CognitoProfile } from '../config/profile.js';
import { CredsError, profileLabel } from '../errors.js';
import type { Io } from './io.js';
import { credentialProcessLine, selfCommand } from './self-command.js';
import { foreignKeysError } from './setup-checks.js';
import type { Target } from './setup-steps.js';

/** What setup writes into the section, before it looks at what the section holds now. */
function sectionValues(io: Io, { name, existing }: Target, profile: CognitoProfile, settings: Record<string, string>): Record<string, string | undefined> {
  return {
    [KEYS.credentialProcess]: credentialProcessLine(io.selfCommand ?? selfCommand(), name),
    [KEYS.userPoolId]: profile.userPoolId,
    [KEYS.clientId]: profile.clientId,
    [KEYS.identityPoolId]: profile.identityPoolId,
    [KEYS.username]: profile.username,
    [KEYS.authFlow]: settings[KEYS.authFlow],
    [KEYS.region]: settings[KEYS.region],
    [KEYS.roleArn]: settings[KEYS.roleArn],
    [KEYS.deviceName]: settings[KEYS.deviceName],
    [KEYS.rememberDevice]: settings[KEYS.rememberDevice],
    // The keychain is the default: only the file is written down.
    [KEYS.secretStore]: profile.secretStore === 'file' ? 'file' : undefined,
    // The AWS CLI and SDKs need a region for the services the credentials are for: the identity
    // pool's, unless the profile has one (which is the user's, and stays).
    ...(existing[KEYS.awsRegion] === undefined ? { [KEYS.awsRegion]: profile.identityRegion } : {}),
  };
}

/** The edit of `text` (string or bytes): the keys --force overrides, and the new text. */
function edited<T extends string | Buffer>(text: T, target: Target, base: Record<string, string | undefined>, force: boolean): { out: T; overridden: string[] } {
  const { name, file } = target;
  const before = profilesFromIni(typeof text === 'string' ? text : text.toString('utf8')).get(name);
  const overridden = before ? foreignCredentialKeys(before) : [];
  if (overridden.length && !force) throw foreignKeysError(name, file, overridden);
  const values = { ...base };
  for (const key of overridden) values[key] = undefined;
  values[KEYS.setupAdded] = setupAddedRecord(before, values);
  try {
    return { out: upsertProfile(text as never, name, values) as T, overridden };
  } catch (err) {
    // The editor refuses values that would not read back the same, and files the readers disagree on.
    throw new CredsError('config', `${profileLabel(name)}: cannot write the profile: ${(err as Error).message}`, 'Nothing was changed; see docs/troubleshooting.md.', { cause: err });
  }
}

/** Before the sign-in: would the edit of the file as it was read be refused? Then say so now. */
export function checkWritable(io: Io, target: Target, profile: CognitoProfile, settings: Record<string, string>, force: boolean): void {
  edited(target.text, target, sectionValues(io, target, profile, settings), force);
}

/** Write the profile's one section of the config file (every other byte stays); the keys --force removed. */
export async function writeProfile(io: Io, target: Target, profile: CognitoProfile, settings: Record<string, string>, force: boolean): Promise<string[]> {
  const base = sectionValues(io, target, profile, settings);
  let overridden: string[] = [];
  // Under the lock, the section as it is now: whose it is decides what setup records.
  await editConfigFile(target.file, (bytes) => {
    const result = edited(bytes, target, base, force);
    overridden = result.overridden;
    return result.out;
  });
  return overridden;
}
