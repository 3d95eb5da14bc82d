/**
 * The command line that setup writes into `credential_process`: absolute paths to node and to
 * this program, so it works from any directory and with whatever PATH the consumer has. It is
 * read two ways: botocore splits it like a POSIX shell without running one, and the JS SDK runs
 * it through /bin/sh (cmd.exe on Windows). Double quotes with \ " $ ` escaped mean the same to all.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from './package-root.js';

export function quoteArg(arg: string, platform: NodeJS.Platform = process.platform): string {
  if (/^[A-Za-z0-9_/.:+@%=,\\-]+$/.test(arg) && (platform === 'win32' || !arg.includes('\\'))) return arg;
  if (platform === 'win32') {
    if (arg.includes('"')) throw new Error(`cannot quote ${arg} for cmd.exe`);
    return `"${arg}"`;
  }
  return `"${arg.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/** `"/usr/bin/node" "/path/to/bin/cognito-creds.cjs"`, quoted as needed. */
export function selfCommand(): string {
  const script = realpathSync(path.join(packageRoot(), 'bin', 'cognito-creds.cjs'));
  return `${quoteArg(process.execPath)} ${quoteArg(script)}`;
}

export function credentialProcessLine(self: string, profile: string): string {
  return `${self} credential-process --profile ${quoteArg(profile)}`;
}
