/** Hints for a command line that went wrong: where exec's `--` goes, the flag or command meant. */
import { CredsError } from '../errors.js';
import { closest } from '../words.js';
import { quotePosix } from './self-command.js';

/** What yargs knows of the options at this point of the parse (the command's own and the global ones). */
export interface KnownOptions {
  key?: Record<string, unknown>;
  boolean?: string[];
  default?: Record<string, unknown>;
}

/**
 * `exec --profile dev ls -la`: yargs would read `-la` as two unknown flags. Anything before `--`
 * that is not one of exec's own options is the command, so say where the `--` goes.
 */
export function execWithoutDashDash(argv: string[]): CredsError | undefined {
  if (argv[0] !== 'exec') return undefined;
  const own: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg === '--profile' && i + 1 < argv.length) own.push(arg, argv[++i]!);
    else if (/^--profile=|^--(no-)?debug$|^--help$|^-h$/.test(arg)) own.push(arg);
    else {
      const shown = ['cognito-creds', 'exec', ...own, '--', ...argv.slice(i)].map(quotePosix).join(' ');
      return new CredsError('usage', `exec runs the command written after \`--\`; ${JSON.stringify(arg)} comes before it`, `Run \`${shown}\`.`);
    }
  }
  return undefined;
}

/** A flag that is on by default is completed as its --no- form (`--no-verify`), the one worth typing. */
export function negatedWhenOn(name: string, options: KnownOptions): string {
  const key = name.replace(/^--/, '');
  return name.startsWith('--') && options.boolean?.includes(key) && options.default?.[key] === true ? `--no-${key}` : name;
}

/** `completion --help`: yargs would print the script itself. */
export const COMPLETION_HELP =
  'cognito-creds completion\n\nPrint a bash or zsh completion script (zsh when $SHELL is zsh)\n\n' +
  'Examples:\n  cognito-creds completion >> ~/.bashrc   bash\n  cognito-creds completion >> ~/.zshrc    zsh (with SHELL=zsh)\n';

/**
 * yargs' message, with a suggestion: "Unknown argument: verfy" → "…; did you mean --verify?" when
 * a known flag is close; its bare "Did you mean setup?" says what was unknown first.
 */
export function withSuggestion(message: string, typed: readonly string[], flags: string[], commands: string[]): string {
  const first = typed[0];
  const match = /^Unknown arguments?: (.+)$/.exec(message);
  if (!match) return message;
  // yargs lists a dashed flag twice, as typed and camel-cased: keep the typed one.
  const unknown = match[1]!.split(', ').filter((u) => !/[A-Z]/.test(u));
  if (first !== undefined && unknown[0] === first && !first.startsWith('-')) {
    const guess = closest(first, commands);
    return `unknown command ${JSON.stringify(first)}${guess ? `; did you mean ${guess}?` : ''}`;
  }
  message = `Unknown argument${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`;
  const guesses = unknown.flatMap((u) => {
    const guess = closest(u, flags);
    return guess === undefined ? [] : [`--${typed.includes(`--no-${u}`) ? 'no-' : ''}${guess}`];
  });
  return guesses.length ? `${message}; did you mean ${guesses.join(', ')}?` : message;
}
