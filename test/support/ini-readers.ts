/**
 * The real readers of the AWS config file, to compare ours with: botocore (the AWS CLI's and
 * boto3's configloader, in python3) and the JS SDK (@smithy/core's loadSharedConfigFiles).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/core/config';
import { runCommand } from './env.js';

/** A setting as botocore holds it: a string, or the dict of a sub-setting block. */
export type BotoValue = string | Record<string, string>;

export type BotocoreReading =
  | { refused: string }
  | {
      /** raw_config_parse's section names, in order ([DEFAULT] not among them). */
      sections: string[];
      profiles: Record<string, Record<string, BotoValue>>;
      services: Record<string, Record<string, BotoValue>>;
    };

// One process for every file: raw_config_parse, then build_profile_map, as botocore's session does.
const SCRIPT = `
import json, sys
import botocore.configloader as loader
import botocore.exceptions as exceptions
out = []
for path in json.load(sys.stdin):
    try:
        raw = loader.raw_config_parse(path)
    except exceptions.ConfigParseError as e:
        out.append({"refused": type(e.kwargs.get("error")).__name__})
        continue
    built = loader.build_profile_map(raw)
    out.append({"sections": list(raw), "profiles": built["profiles"], "services": built["services"]})
print(json.dumps(out))
`;

/** How botocore reads each file (bytes), in one python3 process; UTF-8 whatever the locale. */
export async function readWithBotocore(files: readonly (string | Uint8Array)[]): Promise<BotocoreReading[]> {
  return withFiles(files, async (paths) => {
    const r = await runCommand('python3', ['-c', SCRIPT], {
      env: { PYTHONUTF8: '1', PYTHONDONTWRITEBYTECODE: '1' },
      input: JSON.stringify(paths),
      timeoutMs: 60_000,
    });
    if (r.code !== 0) throw new Error(`botocore failed (exit ${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as BotocoreReading[];
  });
}

/** How the JS SDK reads each file: its profiles (and sso-session / services sections by key). */
export async function readWithJsSdk(files: readonly (string | Uint8Array)[]): Promise<Record<string, Record<string, string>>[]> {
  return withFiles(files, async (paths) => {
    const readings: Record<string, Record<string, string>>[] = [];
    for (const configFilepath of paths) {
      const { configFile } = await loadSharedConfigFiles({ configFilepath, filepath: `${configFilepath}.absent`, ignoreCache: true });
      readings.push(configFile as Record<string, Record<string, string>>);
    }
    return readings;
  });
}

async function withFiles<T>(files: readonly (string | Uint8Array)[], use: (paths: string[]) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ini-readers-'));
  try {
    const paths: string[] = [];
    for (const [i, content] of files.entries()) {
      paths.push(join(dir, `config-${i}`));
      await writeFile(paths[i]!, content);
    }
    return await use(paths);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
