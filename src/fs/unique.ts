/**
 * A suffix no other process or call on this machine is using: the pid, a monotonic clock and a
 * counter. Unique, not secret (files are created exclusively anyway), and it keeps node:crypto off
 * the warm path.
 */
let counter = 0;

export function uniqueSuffix(): string {
  counter += 1;
  return `${process.pid}-${process.hrtime.bigint().toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
