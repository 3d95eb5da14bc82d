/**
 * Run the CLI in-process through main(), against a FakeCognito (real SDK clients, real HTTP) and
 * an in-memory secret store, in a temporary home. `useInProcessCli()` registers the vitest hooks
 * and returns the live context.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { MemorySecretStore } from './memory-store.js';
import type { SecretStore } from '../../src/secrets/store.js';
import { FakeCognito, type FakeCognitoOptions } from '../fake-cognito/server.js';

export const SELF_COMMAND = `"/opt/cognito creds/node" /opt/cognito-creds/bin/cognito-creds.cjs`;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  stdin?: string;
  env?: Record<string, string>;
  now?: () => number;
  /** Answers for terminal prompts (MFA codes), in order; none means no terminal. */
  tty?: string[];
  /** Another secret store than the harness's memory store (e.g. one that fails). */
  secrets?: () => Promise<SecretStore>;
}

export interface InProcessCli {
  readonly fake: FakeCognito;
  readonly tmp: string;
  readonly configFile: string;
  readonly cacheDir: string;
  readonly store: MemorySecretStore;
  run(argv: string[], opts?: RunOptions): Promise<Run>;
  /** The clock the CLI and the fake share (real time plus what waits and `advance` added). */
  now(): number;
  advance(ms: number): void;
  /** Write a [profile NAME] with the fake's ids (and `extra` lines). */
  writeProfile(extra?: string, name?: string, clientId?: string): Promise<void>;
}

export function useInProcessCli(fakeOptions: FakeCognitoOptions): InProcessCli {
  let fake: FakeCognito;
  let tmp = '';
  let store = new MemorySecretStore();
  const savedEnv = { ...process.env };
  // One clock for the CLI and the fake; the CLI's waits move it instead of sleeping.
  let offset = 0;
  const now = () => Date.now() + offset;

  beforeAll(async () => {
    fake = new FakeCognito({ now, ...fakeOptions });
    await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-cli-'));
    store = new MemorySecretStore();
    // The commands read process.env (their Io default): keep them off the developer's files.
    process.env.HOME = tmp;
    process.env.AWS_CONFIG_FILE = path.join(tmp, '.aws', 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(tmp, 'credentials');
    process.env.AWS_ENDPOINT_URL = fake.url;
    process.env.XDG_CACHE_HOME = path.join(tmp, '.cache');
    delete process.env.AWS_PROFILE;
    for (const name of ['COGNITO_CLIENT_SECRET', 'COGNITO_TOTP_SECRET', 'COGNITO_CREDS_MIN_TTL', 'COGNITO_CREDS_TIMEOUT']) delete process.env[name];
    // A developer's proxy or endpoint settings must not send the fake's requests anywhere else.
    for (const name of Object.keys(process.env)) {
      if (/^(https?_proxy|no_proxy|all_proxy)$/i.test(name) || /^AWS_(ENDPOINT_URL_|USE_FIPS|USE_DUALSTACK|IGNORE_CONFIGURED)/.test(name)) delete process.env[name];
    }
    fake.requests.length = 0;
    fake.clearFailures();
  });
  afterEach(async () => {
    process.env = { ...savedEnv };
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const ctx: InProcessCli = {
    get fake() {
      return fake;
    },
    get tmp() {
      return tmp;
    },
    get configFile() {
      return path.join(tmp, '.aws', 'config');
    },
    get cacheDir() {
      return path.join(tmp, '.cache', 'cognito-creds');
    },
    get store() {
      return store;
    },
    now,
    advance(ms) {
      offset += ms;
    },
    async run(argv, opts = {}) {
      let stdout = '';
      let stderr = '';
      const answers = [...(opts.tty ?? [])];
      const io: Io = {
        env: { ...process.env, ...opts.env },
        home: tmp,
        now: opts.now ?? now,
        sleep: async (ms: number) => {
          offset += ms;
        },
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
        stdinIsTTY: false,
        secrets: opts.secrets ?? (async () => store),
        selfCommand: SELF_COMMAND,
        ...(opts.tty ? { terminal: async (question: string) => { stderr += `[tty] ${question}`; return answers.shift(); } } : { terminal: async () => undefined }),
      };
      // The AWS SDK and the proxy rules read process.env itself, as they do in the real program,
      // where the Io's env is process.env: the run's variables go there too, for the run.
      const before = { ...process.env };
      for (const [k, v] of Object.entries(opts.env ?? {})) process.env[k] = v;
      const t0 = performance.now();
      try {
        const code = await main(argv, io);
        return { code, stdout, stderr, ms: performance.now() - t0 };
      } finally {
        process.env = before;
      }
    },
    async writeProfile(extra = '', name = 'dev', clientId = 'fakeclient0000000000000001') {
      await fs.mkdir(path.join(tmp, '.aws'), { recursive: true });
      await fs.writeFile(
        ctx.configFile,
        `[profile ${name}]\ncognito_user_pool_id = ${fake.userPoolId}\ncognito_client_id = ${clientId}\n` +
          `cognito_identity_pool_id = ${fake.identityPoolId}\ncognito_username = alice\n${extra}`,
      );
    },
  };
  return ctx;
}
