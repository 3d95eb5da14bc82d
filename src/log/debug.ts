import { jwtClaims } from './jwt.js';

/**
 * --debug output: on stderr only, each line prefixed, with the time since start. Callers pass
 * only what is safe to show; `redactJwt` shows a token as a few of its claims.
 */
export interface DebugLog {
  readonly enabled: boolean;
  (message: string): void;
  /** Time an async step and log how long it took. */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Milliseconds from a monotonic clock; process.hrtime needs no module (performance loads perf_hooks). */
function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function createDebugLog(enabled: boolean, write: (text: string) => void = (t) => process.stderr.write(t)): DebugLog {
  const started = nowMs();
  const log = ((message: string) => {
    if (enabled) write(`[debug +${Math.round(nowMs() - started)}ms] ${message}\n`);
  }) as DebugLog;
  Object.defineProperty(log, 'enabled', { value: enabled });
  log.step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    if (!enabled) return fn();
    const t0 = nowMs();
    try {
      const result = await fn();
      log(`${name}: ${Math.round(nowMs() - t0)} ms`);
      return result;
    } catch (err) {
      log(`${name}: failed after ${Math.round(nowMs() - t0)} ms`);
      throw err;
    }
  };
  return log;
}

/** A JWT as `jwt(sub=…, exp=…)`, never the token itself. */
export function redactJwt(token: string): string {
  const claims = jwtClaims(token);
  if (!claims) return 'jwt(unreadable)';
  const exp = typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : '?';
  return `jwt(sub=${String(claims.sub ?? '?')}, exp=${exp})`;
}
