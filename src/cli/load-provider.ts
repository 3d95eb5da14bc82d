/**
 * Loading the sign-in (the Cognito flows and their requests): a plain import, which the published
 * bundle turns into a require() of dist/provider.cjs (about 40 KB, 3–6 ms to load).
 */
import type { DebugLog } from '../log/debug.js';

type Provider = typeof import('../cognito/provider.js');

export function loadProvider(log: DebugLog): Promise<Provider> {
  return log.step('load sign-in module', () => import('../cognito/provider.js'));
}
