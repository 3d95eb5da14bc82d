/**
 * Which keys of a profile's section are setup's, so that setup never takes what the user had and
 * remove gives back only what setup wrote. Pure.
 *
 * The record: a section setup creates is setup's whole (remove deletes it). When setup writes
 * into a section that was there before, it adds `cognito_setup_added`, listing the keys besides
 * cognito_* that it added there (`credential_process region`); remove then deletes the cognito_*
 * keys and those, and leaves the section with everything else the user had.
 */
import { KEYS } from './keys.js';
import { isCognitoProfile } from './profile.js';

/** Keys that give a profile credentials of its own: writing credential_process beside them leaves the SDKs disagreeing. */
export const CREDENTIAL_SOURCES: readonly string[] = [
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'role_arn',
  'source_profile',
  'credential_source',
  'web_identity_token_file',
  'sso_session',
  'sso_start_url',
  'sso_account_id',
  'sso_role_name',
  'sso_region',
];

/** Whether a credential_process line runs cognito-creds (any quoting, any install path). */
export function runsCognitoCreds(line: string): boolean {
  return /cognito-creds/.test(line) && /(^|\s|')credential-process(\s|'|$)/.test(line);
}

/** The keys of `existing` that setup did not write and that would fight its credential_process. */
export function foreignCredentialKeys(existing: Readonly<Record<string, string>>): string[] {
  const keys = CREDENTIAL_SOURCES.filter((k) => existing[k] !== undefined);
  const process = existing[KEYS.credentialProcess];
  if (process !== undefined && !runsCognitoCreds(process)) keys.push(KEYS.credentialProcess);
  return keys;
}

/**
 * The `cognito_setup_added` value for a setup that writes `written` (key → value, undefined for a
 * deletion) into the section as it was (`existing`, undefined when there is none): undefined when
 * setup creates the section or the section is setup's already.
 */
export function setupAddedRecord(existing: Readonly<Record<string, string>> | undefined, written: Readonly<Record<string, string | undefined>>): string | undefined {
  if (existing === undefined) return undefined;
  const before = existing[KEYS.setupAdded];
  const ours = isCognitoProfile(existing); // a section setup wrote (it has cognito_* keys)
  if (ours && before === undefined) return undefined;
  const added = new Set((before ?? '').split(/\s+/).filter(Boolean));
  for (const [key, value] of Object.entries(written)) {
    if (value !== undefined && !key.startsWith('cognito_') && existing[key] === undefined) added.add(key);
  }
  return [...added].sort().join(' ');
}

/**
 * What remove deletes: the whole section when setup created it, else only the keys it wrote
 * there (every cognito_* key, the record, and the keys the record names).
 */
export function keysToRemove(settings: Readonly<Record<string, string>>): 'section' | string[] {
  const record = settings[KEYS.setupAdded];
  if (record === undefined) return 'section';
  const listed = record.split(/\s+/).filter(Boolean);
  return [...new Set([...Object.keys(settings).filter((k) => k.startsWith('cognito_')), ...listed])];
}
