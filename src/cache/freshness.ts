/**
 * When may cached credentials be served? A pure rule, so it can be tested on its own.
 *
 * Serve them while more than a window of life remains. The window is the minimum lifetime
 * (default 15 minutes, as botocore refreshes 15 minutes before expiry), but never more than half
 * of the credentials' whole lifetime: short-lived credentials (moto's 90 seconds, a role with a
 * short session) would otherwise never be served from the cache at all, and each of the AWS
 * CLI's two calls per command (load, then refresh) would sign in again.
 */
import { CLOCK_SKEW_MS, MAX_CREDENTIALS_LIFETIME_MS } from '../time.js';

export const DEFAULT_MIN_TTL_SECONDS = 15 * 60;

export interface Lifetime {
  /** When the credentials were received (ms since the epoch, this machine's clock). */
  issuedAt: number;
  /** When they expire (ms since the epoch). */
  expiresAt: number;
}

/** The remaining life below which credentials are renewed, for credentials of this lifetime. */
export function renewalWindowMs(lifetime: Lifetime, minTtlMs: number): number {
  const total = Math.max(0, lifetime.expiresAt - lifetime.issuedAt);
  return Math.min(minTtlMs, total / 2);
}

/**
 * Fresh: issued no later than now (plus the clock skew allowance), living no longer than any
 * credentials can (MAX_CREDENTIALS_LIFETIME_MS, also counted from now), and with more than the
 * renewal window left.
 */
export function isFresh(lifetime: Lifetime, now: number, minTtlMs: number): boolean {
  // An entry "issued" in the future means the clock moved back: do not trust its arithmetic.
  if (lifetime.issuedAt > now + CLOCK_SKEW_MS) return false;
  // Credentials said to live longer than any can were not Cognito's: a miss, signed in anew.
  if (lifetime.expiresAt - lifetime.issuedAt > MAX_CREDENTIALS_LIFETIME_MS || lifetime.expiresAt - now > MAX_CREDENTIALS_LIFETIME_MS) return false;
  const remaining = lifetime.expiresAt - now;
  return remaining > 0 && remaining > renewalWindowMs(lifetime, minTtlMs);
}
