/**
 * The command line that setup writes into `credential_process`: absolute paths to node and to
 * this program, so it works from any directory and with whatever PATH the consumer has. Each
 * consumer reads it its own way, and the line must mean the same to all of them:
 *
 * - POSIX: botocore (the AWS CLI, boto3) splits it with Python's `shlex.split` and runs no
 *   shell; the JS and Go SDKs run it with `/bin/sh -c`. In both, `'…'` is literal and `'\''`
 *   puts a quote in it, so every word with a character outside [A-Za-z0-9@%_+=:,./-] is
 *   single-quoted (test/unit/cli/self-command-quoting.test.ts runs both on generated paths).
 * - Windows: botocore splits it as the C runtime does (`_windows_shell_split`); the JS SDK runs
 *   `cmd.exe /d /s /c "<line>"`, and node.exe splits what cmd.exe passes it by the same C
 *   runtime rules. Double quotes mean the same to both; `%` and `!` (which cmd.exe expands even
 *   inside quotes), `"`, a trailing `\` and a # or ; after white space cannot be written: refused.
 *
 * Both readers of the config file come first: the line must be one line, and a `#` or `;` after
 * white space would start a comment for the JS and Go SDKs' readers (ini-edit.ts refuses it).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { shown } from '../config/validate.js';
import { CredsError } from '../errors.js';
import { packageRoot } from './package-root.js';

const POSIX_SAFE = /^[A-Za-z0-9@%_+=:,./-]+$/;
/** A first word `NAME=…` would be a variable assignment to sh. */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** cmd.exe takes , ; = as separators and % as an expansion outside quotes: none of them bare. */
const WINDOWS_SAFE = /^[A-Za-z0-9@_+:./\\-]+$/;

/** One word of the line, quoted as `platform`'s consumers need it. Throws for what cannot be written. */
export function quoteArg(arg: string, platform: NodeJS.Platform = process.platform): string {
  const problem = unwritable(arg, platform);
  if (problem) throw new CredsError('config', `cannot write ${shown(arg)} into credential_process: it has ${problem}`, 'See docs/troubleshooting.md.');
  return platform === 'win32' ? quoteWindows(arg) : quotePosix(arg);
}

/** What in `arg` the line cannot hold on `platform`, in words; undefined when it can. */
function unwritable(arg: string, platform: NodeJS.Platform): string | undefined {
  if (/[\r\n]/.test(arg)) return 'a line break, which the config file cannot hold';
  if (/(?!\t)\p{Cc}/u.test(arg)) return 'a control character, which the config file cannot hold';
  if (platform !== 'win32') return undefined;
  const c = /["%!]/.exec(arg)?.[0];
  if (c) return `a ${c}, which cmd.exe and the AWS CLI would read differently`;
  if (/\s[#;]/.test(arg)) return 'a # or ; after white space, which the config file would read as a comment';
  // Before the closing quote it would need doubling for the C runtime, which cmd.exe, finding the program, does not undo.
  if (arg.endsWith('\\')) return 'a \\ at its end, which cmd.exe and the AWS CLI would read differently';
  return undefined;
}

/** One word as a POSIX shell (and shlex) reads it back: as it is when safe, else single-quoted. */
export function quotePosix(arg: string): string {
  if (POSIX_SAFE.test(arg) && !ASSIGNMENT.test(arg)) return arg;
  // A quote is '\'' (close, an escaped quote, reopen). White space before # or ; gets '' (close
  // and reopen) after it, so that no config reader sees a comment start.
  return `'${arg.replace(/'/g, `'\\''`).replace(/(\s)(?=[#;])/gu, `$1''`)}'`;
}

function quoteWindows(arg: string): string {
  // Inside "…" a backslash is literal to the C runtime unless a run of them ends at a quote (refused above).
  return WINDOWS_SAFE.test(arg) ? arg : `"${arg}"`;
}

/**
 * `/usr/bin/node /path/to/bin/cognito-creds.cjs`, each quoted as needed. An install path the
 * line cannot hold (a line break; on Windows also " % ! and more) is a config error naming it.
 */
export function selfCommand(
  execPath: string = process.execPath,
  script: string = realpathSync(path.join(packageRoot(), 'bin', 'cognito-creds.cjs')),
  platform: NodeJS.Platform = process.platform,
): string {
  const word = (what: string, value: string) => {
    const problem = unwritable(value, platform);
    if (problem) {
      throw new CredsError(
        'config',
        `the path of ${what} (${JSON.stringify(value)}) has ${problem}, so setup cannot write the credential_process line`,
        `Install ${what} under a path without it, then run setup again; nothing was sent or saved.`,
      );
    }
    return quoteArg(value, platform);
  };
  return `${word('node', execPath)} ${word('cognito-creds', script)}`;
}

export function credentialProcessLine(self: string, profile: string, platform: NodeJS.Platform = process.platform): string {
  return `${self} credential-process --profile ${quoteArg(profile, platform)}`;
}
