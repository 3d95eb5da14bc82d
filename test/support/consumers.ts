/**
 * Read a profile's credentials through the three real consumers of
 * `credential_process`: AWS CLI v2, botocore (boto3) and the AWS SDK for JS v3.
 * Each runs as a child process with exactly the given env (+PATH).
 */
import { REPO_ROOT, runCommand, type RunResult } from './env.js';

export interface ConsumerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** As the consumer reports it (format differs per consumer), if it reports one. */
  expiration?: string;
}

export interface ConsumerOptions {
  timeoutMs?: number;
}

export class ConsumerError extends Error {
  constructor(
    readonly consumer: string,
    readonly result: RunResult,
    detail: string,
  ) {
    super(
      `${consumer} failed (${detail}; exit ${result.code}${result.signal ? `, signal ${result.signal}` : ''}${
        result.timedOut ? ', timed out' : ''
      }):\n${result.stderr.trim()}${result.stdout.trim() ? `\nstdout: ${result.stdout.trim()}` : ''}`,
    );
    this.name = 'ConsumerError';
  }
}

function parse(consumer: string, r: RunResult): Record<string, unknown> {
  if (r.code !== 0) throw new ConsumerError(consumer, r, 'non-zero exit');
  try {
    const v: unknown = JSON.parse(r.stdout);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new ConsumerError(consumer, r, 'stdout is not a JSON object');
}

function pick(consumer: string, r: RunResult, o: Record<string, unknown>, keys: [string, string, string, string]) {
  const [ak, sk, st, exp] = keys.map((k) => o[k]);
  if (typeof ak !== 'string' || typeof sk !== 'string' || typeof st !== 'string') {
    throw new ConsumerError(consumer, r, `missing fields in ${JSON.stringify(o)}`);
  }
  const creds: ConsumerCredentials = { accessKeyId: ak, secretAccessKey: sk, sessionToken: st };
  if (typeof exp === 'string' && exp) creds.expiration = exp;
  return creds;
}

/** `/usr/bin/aws configure export-credentials --profile P --format process` (AWS CLI v2). */
export async function viaAwsCliV2(
  profile: string,
  env: Record<string, string>,
  opts: ConsumerOptions = {},
): Promise<ConsumerCredentials> {
  const r = await runCommand(
    '/usr/bin/aws',
    ['configure', 'export-credentials', '--profile', profile, '--format', 'process'],
    { env: { AWS_PAGER: '', ...env }, timeoutMs: opts.timeoutMs ?? 30_000 },
  );
  const o = parse('aws-cli-v2', r);
  return pick('aws-cli-v2', r, o, ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
}

const BOTOCORE_SCRIPT = `
import json, sys
import boto3
creds = boto3.Session(profile_name=sys.argv[1]).get_credentials()
if creds is None:
    sys.exit("botocore found no credentials")
frozen = creds.get_frozen_credentials()
expiry = getattr(creds, "_expiry_time", None)
print(json.dumps({
    "AccessKeyId": frozen.access_key,
    "SecretAccessKey": frozen.secret_key,
    "SessionToken": frozen.token,
    "Expiration": expiry.isoformat() if expiry is not None else None,
}))
`;

/** `boto3.Session(profile_name=P).get_credentials().get_frozen_credentials()` in `python3`. */
export async function viaBotocore(
  profile: string,
  env: Record<string, string>,
  opts: ConsumerOptions = {},
): Promise<ConsumerCredentials> {
  const r = await runCommand('python3', ['-c', BOTOCORE_SCRIPT, profile], { env, timeoutMs: opts.timeoutMs ?? 30_000 });
  const o = parse('botocore', r);
  return pick('botocore', r, o, ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
}

/** `fromIni({ profile: P })()` from `@aws-sdk/credential-providers` in a child node (ESM). */
export async function viaJsSdkFromIni(
  profile: string,
  env: Record<string, string>,
  opts: ConsumerOptions = {},
): Promise<ConsumerCredentials> {
  const code = `
import { fromIni } from '@aws-sdk/credential-providers';
const c = await fromIni({ profile: ${JSON.stringify(profile)}, ignoreCache: true })();
process.stdout.write(JSON.stringify({
  AccessKeyId: c.accessKeyId,
  SecretAccessKey: c.secretAccessKey,
  SessionToken: c.sessionToken,
  Expiration: c.expiration ? c.expiration.toISOString() : null,
}));
`;
  // cwd = repo root so the bare import resolves from this repo's node_modules.
  const r = await runCommand(process.execPath, ['--input-type=module', '-e', code], {
    env,
    cwd: REPO_ROOT,
    timeoutMs: opts.timeoutMs ?? 30_000,
  });
  const o = parse('js-sdk-fromIni', r);
  return pick('js-sdk-fromIni', r, o, ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
}

export const CONSUMERS = {
  'aws-cli-v2': viaAwsCliV2,
  botocore: viaBotocore,
  'js-sdk-fromIni': viaJsSdkFromIni,
} as const;

export type ConsumerName = keyof typeof CONSUMERS;
