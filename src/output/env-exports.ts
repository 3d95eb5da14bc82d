/**
 * The credentials as environment variables, for tools that do not read credential_process:
 * lines a shell applies (`eval "$(cognito-creds export)"`), a dotenv file, or the JSON document.
 */
import { CredsError } from '../errors.js';
import { isoSeconds } from './credential-process.js';

export const EXPORT_FORMATS = ['sh', 'fish', 'powershell', 'dotenv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface EnvCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  region?: string | undefined;
}

/** The variables, in a stable order; the region ones only when a region is known. */
export function credentialVariables(c: EnvCredentials): Array<[string, string]> {
  const vars: Array<[string, string]> = [
    ['AWS_ACCESS_KEY_ID', c.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', c.secretAccessKey],
    ['AWS_SESSION_TOKEN', c.sessionToken],
    ['AWS_CREDENTIAL_EXPIRATION', isoSeconds(c.expiration)],
  ];
  if (c.region) vars.push(['AWS_REGION', c.region], ['AWS_DEFAULT_REGION', c.region]);
  return vars;
}

export function formatExports(c: EnvCredentials, format: Exclude<ExportFormat, 'json'>): string {
  const lines = credentialVariables(c).map(([name, value]) => {
    switch (format) {
      case 'sh':
        return `export ${name}=${shSingleQuote(value)}`;
      case 'fish':
        return `set -gx ${name} ${fishQuote(value)};`;
      case 'powershell':
        return `$Env:${name} = ${psQuote(value)}`;
      case 'dotenv':
        return `${name}=${dotenvValue(name, value)}`;
    }
  });
  return `${lines.join('\n')}\n`;
}

/** 'it'\''s': POSIX single quotes, nothing expands inside. */
export function shSingleQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** fish: inside single quotes only \\ and \' are special. */
function fishQuote(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * PowerShell: a single-quoted literal. PowerShell ends such a string at any of its four
 * single-quote characters (' U+2018 U+2019 U+201A U+201B) and reads one doubled as itself.
 */
export function psQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (c) => c + c)}'`;
}

/**
 * dotenv, in the one form that `set -a; . file` (POSIX sh), the `dotenv` npm library and
 * python-dotenv all read as the same value: bare when safe; else in single quotes (literal to
 * all three, python-dotenv's \\ and \' aside); else in double quotes when nothing in it is
 * special to sh there ($ ` \). python-dotenv expands ${…} in any form, and none of them has an
 * escape all three read alike: a value holding ${, a backslash, a control character, or both
 * quote characters is refused, naming the variable (never showing the value).
 */
export function dotenvValue(name: string, value: string): string {
  if (/^[A-Za-z0-9_./+=:-]*$/.test(value)) return value;
  const problem = dotenvProblem(value);
  if (problem) {
    throw new CredsError(
      'usage',
      `cannot write ${name} in dotenv form: its value holds ${problem}, which sh and the dotenv libraries read differently`,
      'Use --format sh or --format json for these credentials.',
    );
  }
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}

function dotenvProblem(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  if (/[\x00-\x1f\x7f]/.test(value)) return 'a control character';
  if (value.includes('\\')) return 'a backslash';
  if (value.includes('${')) return '${';
  if (value.includes("'") && /["$`]/.test(value)) return "' together with \" $ or `";
  return undefined;
}
