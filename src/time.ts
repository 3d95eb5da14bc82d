/** Waiting, for the layers that wait (a lock held by another process, the next TOTP step). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The longest-lived credentials cognito-creds accepts, from Cognito or from its cache: 12 hours
 * (the most an IAM role session can last) plus a clock skew allowance of 5 minutes. An answer
 * that claims more (an Expiration in milliseconds, a century ahead) is not Cognito's.
 */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
export const MAX_CREDENTIALS_LIFETIME_MS = 12 * 3600 * 1000 + CLOCK_SKEW_MS;

/** The last millisecond of year 9999: beyond it an ISO 8601 time no longer has a 4-digit year. */
export const LAST_ISO_TIME_MS = 253_402_300_799_999; // Date.UTC(9999, 11, 31, 23, 59, 59, 999)
