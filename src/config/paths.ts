import os from 'node:os';
import path from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

/** `AWS_CONFIG_FILE` (a leading `~` expanded, as the AWS CLI does), else `~/.aws/config`. */
export function configFilePath(env: Env = process.env, home: string = os.homedir()): string {
  const fromEnv = env.AWS_CONFIG_FILE;
  if (fromEnv) return expandHome(fromEnv, home);
  return path.join(home, '.aws', 'config');
}

/** `AWS_SHARED_CREDENTIALS_FILE` (a leading `~` expanded), else `~/.aws/credentials`. */
export function credentialsFilePath(env: Env = process.env, home: string = os.homedir()): string {
  const fromEnv = env.AWS_SHARED_CREDENTIALS_FILE;
  if (fromEnv) return expandHome(fromEnv, home);
  return path.join(home, '.aws', 'credentials');
}

/** `--profile`, else `AWS_PROFILE`, else `default`. */
export function selectedProfile(flag: string | undefined, env: Env = process.env): string {
  return flag || env.AWS_PROFILE || 'default';
}

function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith(`~${path.sep}`)) return path.join(home, p.slice(2));
  return p;
}
