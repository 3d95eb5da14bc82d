/**
 * Typed errors that carry a hint for the person reading them, and the one place that maps
 * them to exit codes and to the text printed on stderr.
 */

/** What kind of failure this is; each kind has its own exit code. */
export type ErrorKind =
  | 'usage' // bad command-line arguments
  | 'config' // the AWS config file or a profile in it
  | 'auth' // Cognito refused the sign-in (password, user, flow, challenge)
  | 'keychain' // the OS keychain could not be reached or held no secret
  | 'network' // endpoint unreachable, timeout, throttling, 5xx, bad answers
  | 'cognito' // another error answered by Cognito
  | 'cache' // the credentials cache
  | 'cancelled' // the person pressed Ctrl-C (or Ctrl-D) at a prompt
  | 'internal'; // a bug: anything we did not expect

export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = {
  internal: 1,
  usage: 2,
  config: 3,
  auth: 4,
  keychain: 5,
  network: 6,
  cognito: 7,
  cache: 8,
  cancelled: 130, // what a shell reports for a process ended by Ctrl-C (128 + SIGINT)
};

export class CredsError extends Error {
  override readonly name = 'CredsError';
  readonly kind: ErrorKind;
  /** One line telling the person what to do about it. */
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.hint = hint;
  }
}

/**
 * By shape, not `instanceof`: the warm path is bundled into one file while the modules a sign-in
 * needs load from dist/src, so two copies of this class can meet in one process.
 */
export function isCredsError(err: unknown): err is CredsError {
  if (!(err instanceof Error) || err.name !== 'CredsError') return false;
  const kind = (err as { kind?: unknown }).kind;
  return typeof kind === 'string' && Object.hasOwn(EXIT_CODES, kind);
}

export function exitCodeFor(err: unknown): number {
  return isCredsError(err) ? EXIT_CODES[err.kind] : EXIT_CODES.internal;
}

/** `profile "dev"`: how every message names a profile. */
export function profileLabel(profile: string): string {
  return `profile "${profile}"`;
}

/**
 * The text for stderr: one line of cause, one line of fix. No stack trace unless debugging,
 * and never the message of an unknown error's cause chain beyond its first line.
 */
export function formatError(err: unknown, debug = false): string {
  const lines: string[] = [];
  if (isCredsError(err)) {
    lines.push(`cognito-creds: ${forTerminal(err.message)}`);
    if (err.hint) lines.push(`  ${forTerminal(err.hint)}`);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    lines.push(`cognito-creds: unexpected error: ${forTerminal(firstLine(message, 300))}`);
    lines.push('  This is a bug in cognito-creds; run again with --debug and report what it prints.');
  }
  if (debug) {
    let cause: unknown = err;
    while (cause instanceof Error) {
      if (cause.stack) lines.push(`[debug] ${cause.stack.split('\n').map(forTerminal).join('\n')}`);
      cause = cause.cause;
    }
  }
  return lines.join('\n') + '\n';
}

/** The first line of an error's message (or of any text), cut at `max` characters. */
export function firstLine(value: unknown, max = 200): string {
  const text = value instanceof Error ? value.message : String(value);
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** A file system error in words (`EACCES` → `permission denied`), else its message. */
export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string') {
    const known: Record<string, string> = {
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      EISDIR: 'it is a directory',
      ENOTDIR: 'a part of the path is not a directory',
      EROFS: 'read-only file system',
      ENOSPC: 'no space left on the device',
      ENOENT: 'no such file or directory',
    };
    return known[e.code] ?? e.code;
  }
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------------
// Text echoed to people: values from the user, the environment or the config file reach the
// terminal only through these.

/** One line for a terminal: every URL's user:password masked, every control character escaped. */
export function forTerminal(text: string): string {
  return escapeControls(maskUrlCredentials(text));
}

/**
 * C0 controls and DEL as `\x1b`, C1 controls as `\u009b`: an escape sequence, a carriage
 * return or a line break in a profile name, a path or a value never reaches the terminal raw.
 */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what it replaces
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * One URL as a message shows it: anything before its last `@` (after the scheme, if any) is
 * user:password and becomes `***`. For URLs that do not parse too, with or without a scheme,
 * and a password holding `/`, `@` or `:` (over-masking is the safe side).
 */
export function shownUrl(text: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? '';
  const at = text.lastIndexOf('@');
  return at < scheme.length ? text : `${scheme}***${text.slice(at)}`;
}

/** Any `scheme://user:password@` inside a text, masked as `scheme://***@`: the last line of defence. */
export function maskUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s"'<>]*@/gi, '$1***@');
}
