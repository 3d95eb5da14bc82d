/** Waiting, for the layers that wait (a lock held by another process, the next TOTP step). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
