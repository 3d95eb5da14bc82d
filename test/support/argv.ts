/** Command lines the specs run, built in one place. */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface SetupIds {
  userPoolId: string;
  clientId: string;
  identityPoolId: string;
  username: string;
}

/**
 * `setup --profile P --user-pool-id … --username … --password-stdin …extra`. The password always
 * goes on stdin and secrets in the environment: no spec passes a secret as an argument.
 */
export function setupArgv(profile: string, ids: SetupIds, extra: string[] = []): string[] {
  return [
    'setup',
    '--profile',
    profile,
    '--user-pool-id',
    ids.userPoolId,
    '--client-id',
    ids.clientId,
    '--identity-pool-id',
    ids.identityPoolId,
    '--username',
    ids.username,
    '--password-stdin',
    ...extra,
  ];
}

/** Every regular file below `dir`, for scanning a test home for secrets. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}
