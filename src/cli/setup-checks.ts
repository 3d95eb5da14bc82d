/**
 * What setup checks of the profile as it stands, before it asks or sends anything: a section
 * with credentials of its own is refused (unless --force), and what would make the profile not
 * work as written (a same-named section of the shared credentials file, unknown cognito_* keys)
 * is said on stderr.
 */
import { describeShadowing, shadowingSection } from '../config/credentials-file.js';
import { describeUnknownKey, unknownCognitoKeys } from '../config/keys.js';
import { foreignCredentialKeys } from '../config/ownership.js';
import { CredsError, profileLabel } from '../errors.js';
import type { Io } from './io.js';
import type { SetupOptions, Target } from './setup-steps.js';

export async function preflight(options: SetupOptions, io: Io, target: Target): Promise<void> {
  const foreign = foreignCredentialKeys(target.existing);
  if (foreign.length && !options.force) throw foreignKeysError(target.name, target.file, foreign);
  const warn = (text: string, hint: string) => io.stderr(`cognito-creds: warning: ${text}\n  ${hint}\n`);
  const shadow = await shadowingSection(target.name, io.env, io.home);
  if (shadow && shadow.credentialKeys.length) {
    const { text, hint } = describeShadowing(target.name, shadow);
    warn(text, hint);
  }
  const unknown = unknownCognitoKeys(target.existing);
  if (unknown.length) {
    warn(
      `${profileLabel(target.name)} has ${unknown.map(describeUnknownKey).join(', ')}, which cognito-creds does not know; setup leaves ${unknown.length > 1 ? 'them' : 'it'} as ${unknown.length > 1 ? 'they are' : 'it is'}, and it is ignored`,
      'Fix the spelling, or remove the line; the keys are listed in docs/configuration.md.',
    );
  }
}

/** A section with credentials of its own: setup would leave the AWS CLI and SDKs disagreeing. */
export function foreignKeysError(name: string, file: string, keys: string[]): CredsError {
  return new CredsError(
    'config',
    `${profileLabel(name)} in ${file} already has ${keys.join(', ')}, which setup did not write; beside a credential_process line the AWS CLI and SDKs would disagree on which credentials apply`,
    `Choose another profile name (--profile), or pass --force to remove ${keys.join(', ')} from that section and use cognito-creds there.`,
  );
}
