/**
 * The credentials as environment variables, for tools that do not read credential_process:
 * lines a shell applies (`eval "$(cognito-creds export)"`), a dotenv file, or the JSON document.
 */
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
        return `${name}=${dotenvValue(value)}`;
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

/** PowerShell: single-quoted literal, a quote doubled. */
function psQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** dotenv: bare when safe, else double-quoted with \\ and " escaped. */
function dotenvValue(value: string): string {
  return /^[A-Za-z0-9_./+=:-]*$/.test(value) ? value : `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
