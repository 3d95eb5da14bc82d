/** What the Cognito clients take from a profile (no SDK here: doctor imports it from the parser bundle). */
import type { CognitoApiOptions } from '../cognito/api.js';
import { endpointChoices } from '../config/endpoint-settings.js';
import type { CognitoProfile } from '../config/profile.js';

/**
 * The profile's name (the SDK's `profile`), the two regions and where the requests go. A
 * malformed endpoint setting throws, naming it.
 */
export function apiTarget(
  profile: CognitoProfile,
  env: Readonly<Record<string, string | undefined>>,
): Pick<CognitoApiOptions, 'profileName' | 'userPoolRegion' | 'identityRegion' | 'endpoints'> {
  return { profileName: profile.name, userPoolRegion: profile.region, identityRegion: profile.identityRegion, endpoints: endpointChoices(profile.endpoints, env) };
}
