/**
 * The shared credentials file (~/.aws/credentials): cognito-creds never writes it, but a section
 * there with a profile's name is read by the AWS CLI and every SDK *before* the config file's
 * credential_process, so setup and doctor say when one would win.
 */
import { readConfigText } from './config-file.js';
import { parseIni } from './ini-parse.js';
import { CREDENTIAL_SOURCES } from './ownership.js';
import { credentialsFilePath, type Env } from './paths.js';

/** Keys that give credentials of their own: any of them beats credential_process. */
const CREDENTIAL_KEYS = [...CREDENTIAL_SOURCES, 'credential_process'];

export interface ShadowingSection {
  file: string;
  /** The section's keys that give credentials (their values are never read out). */
  credentialKeys: string[];
  /** Every key of the section. */
  keys: string[];
}

/**
 * The section of the credentials file with this profile's name (`[dev]`: no `profile ` prefix
 * there), if it has any key; undefined when there is none or the file cannot be read.
 */
export async function shadowingSection(profile: string, env: Env, home: string): Promise<ShadowingSection | undefined> {
  const file = credentialsFilePath(env, home);
  const text = await readConfigText(file).catch(() => undefined);
  if (text === undefined) return undefined;
  const keys = new Set<string>();
  for (const section of parseIni(text)) {
    if (section.name !== profile) continue;
    for (const key of [...Object.keys(section.settings), ...Object.keys(section.subsections)]) keys.add(key);
  }
  if (keys.size === 0) return undefined;
  return { file, keys: [...keys], credentialKeys: CREDENTIAL_KEYS.filter((k) => keys.has(k)) };
}

/** The words setup and doctor use for it. */
export function describeShadowing(profile: string, { file, credentialKeys }: ShadowingSection): { text: string; hint: string } {
  return {
    text:
      `[${profile}] in ${file} has ${credentialKeys.join(', ')}: the AWS CLI and SDKs use ${credentialKeys.length > 1 ? 'those' : 'that'} ` +
      'instead of cognito-creds for this profile',
    hint: `Remove the [${profile}] section from ${file} (or those keys), or use another profile name.`,
  };
}
