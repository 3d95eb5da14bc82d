/**
 * `npm run bench [-- --rounds N] [--aws-runs M] [--json FILE] [--env clean|machine|both]`: how fast is cognito-creds?
 * A script, not a test: it prints figures and the goals next to them, and asserts nothing.
 *
 * Everything runs against moto on 127.0.0.1 with a temporary HOME and a private keychain (a
 * private D-Bus session with gnome-keyring); the real ~/.aws and keychain are never touched.
 * The variants run INTERLEAVED, one run of each per round (the order rotates each round), so a
 * change in machine load shows up in every variant alike instead of in one of them:
 *
 * - `node -e 0`, the baseline: what starting Node costs on this machine;
 * - warm: `credential-process` served from a fresh cache (checked: the timed call wrote nothing);
 * - cold USER_PASSWORD_AUTH and cold USER_SRP_AUTH: before each run, untimed, `logout` (forgets
 *   the refresh token and the cached credentials), so the call signs in with the password;
 * - the AWS CLI v2 doing the same sign-in by hand (three calls), in fewer rounds: it is slow.
 *
 * Each child runs under GNU `/usr/bin/time -f '%e %M'` (the baseline too, so every figure carries
 * the same overhead) for its peak RSS; wall time is measured here with process.hrtime around
 * spawnSync. Then the SRP maths alone, in this process, and one `--debug` cold call's step timings.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { passwordVerifier, startSrp } from '../src/cognito/srp.js';
import { CLI_BIN, makeTestHome, runCli, type TestHome } from '../test/support/env.js';
import { startKeyring, type Keyring } from '../test/support/keyring.js';
import { createCognitoFixture, startMoto, type CognitoFixture, type Moto } from '../test/support/moto.js';

// This process loads the AWS SDK (to create the fixture in moto): not its Node-version notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TIME = '/usr/bin/time';
const AWS = '/usr/bin/aws';
const NODE = process.execPath;
const SRP_RUNS = 50;
const SRP_POOL_ID = 'us-east-1_AbCdEf123';

const GOALS = {
  warmWall: 1.25,
  warmRss: 1.3,
  coldVsNode: 2.5,
  coldVsAwsCli: 0.1,
  srpMs: 15,
} as const;

type Variant = 'node' | 'warm' | 'coldPassword' | 'coldSrp' | 'awsCli';

const PROFILE = { password: 'bench', srp: 'bench-srp' } as const;

interface Sample {
  round: number;
  wallMs: number;
  /** Peak RSS in KiB, from GNU time (absent without it). */
  rssKb?: number;
}

interface Timed {
  wallMs: number;
  rssKb?: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** An environment the children run in: the clean test env, plus `extra`. */
interface BenchEnv {
  name: 'clean' | 'machine';
  /** What the report says of it. */
  label: string;
  extra: Record<string, string>;
}

interface Options {
  rounds: number;
  awsRuns: number;
  json: string | undefined;
  envs: BenchEnv[];
}

// ---------------------------------------------------------------------------------------------
// Ctrl-C / SIGTERM: the first signal stops the run between two measurements and cleans up; a
// second one exits at once (the exit hooks still kill moto, dbus and gnome-keyring and delete
// the temporary directories).

class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

let interrupted: NodeJS.Signals | undefined;
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) process.exit(signal === 'SIGINT' ? 130 : 143);
  interrupted = signal;
  process.stderr.write(`\nbench: ${signal}, cleaning up (again to quit at once)\n`);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/** Directories to delete even if the process exits without reaching `finally`. */
const tempDirs = new Set<string>();
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Yield to the event loop (so a pending signal is handled), then stop if one came. */
async function checkpoint(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  if (interrupted) throw new Interrupted(interrupted);
}

// ---------------------------------------------------------------------------------------------
// Options, machine, statistics, formatting

function parseOptions(): Options | undefined {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      'aws-runs': { type: 'string' },
      json: { type: 'string' },
      env: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npm run bench -- [--rounds N] [--aws-runs M] [--json FILE] [--env clean|machine|both]\n' +
        '  --rounds N    interleaved rounds (default 15)\n' +
        '  --aws-runs M  how many of the rounds also run the AWS CLI flow (default min(5, N))\n' +
        '  --json FILE   also write the raw samples to FILE\n' +
        '  --env E       clean: a bare environment; machine: the same plus this shell\'s NODE_EXTRA_CA_CERTS\n' +
        '                and SSL_CERT_FILE (a custom CA bundle, which every Node process loads at start-up);\n' +
        '                both (default): one after the other, each with its own baseline',
    );
    return undefined;
  }
  const positive = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} wants a whole number ≥ 1, not ${JSON.stringify(text)}`);
    return n;
  };
  const rounds = positive('rounds', values.rounds, 15);
  const awsRuns = Math.min(rounds, positive('aws-runs', values['aws-runs'], Math.min(5, rounds)));
  // npm runs scripts from the package root; a relative --json is meant from where npm was called.
  const json = values.json === undefined ? undefined : resolve(process.env.INIT_CWD ?? process.cwd(), values.json);
  const which = values.env ?? 'both';
  if (!['clean', 'machine', 'both'].includes(which)) throw new Error(`--env wants clean, machine or both, not ${JSON.stringify(which)}`);
  const extra: Record<string, string> = {};
  for (const name of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE']) {
    const value = process.env[name];
    if (value) extra[name] = value;
  }
  const clean: BenchEnv = { name: 'clean', label: 'clean: a temporary home and nothing else (no NODE_EXTRA_CA_CERTS)', extra: {} };
  const machineEnv: BenchEnv = {
    name: 'machine',
    label: Object.keys(extra).length
      ? `machine: the clean one plus this shell's ${Object.keys(extra).join(' and ')} (a custom CA bundle Node loads at start-up)`
      : 'machine: this shell sets no NODE_EXTRA_CA_CERTS or SSL_CERT_FILE, so the same as clean',
    extra,
  };
  // Where the machine's environment adds nothing, "both" is the clean run alone.
  const envs = which === 'clean' ? [clean] : which === 'machine' ? [machineEnv] : Object.keys(extra).length ? [clean, machineEnv] : [clean];
  return { rounds, awsRuns, json, envs };
}

function onPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      /* not here */
    }
  }
  return false;
}

function machine() {
  const nproc = spawnSync('nproc', [], { encoding: 'utf8' });
  let cpu = 'unknown CPU';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpu = m[1].trim();
  } catch {
    /* not Linux */
  }
  return {
    nproc: nproc.status === 0 ? Number(nproc.stdout.trim()) : availableParallelism(),
    cpu,
    node: process.version,
    kernel: `${process.platform} ${release()}`,
    date: new Date().toISOString(),
  };
}

function sorted(xs: number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

function median(xs: number[]): number {
  const s = sorted(xs);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank 90th percentile. */
function p90(xs: number[]): number {
  const s = sorted(xs);
  if (s.length === 0) return NaN;
  return s[Math.max(0, Math.ceil(0.9 * s.length) - 1)]!;
}

const fmtMs = (ms: number) => (Number.isNaN(ms) ? '—' : ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`);
const fmtMb = (kb: number) => (Number.isNaN(kb) ? '—' : `${(kb / 1024).toFixed(1)} MiB`);
const fmtX = (x: number) => (Number.isNaN(x) ? '—' : x < 0.1 ? `${x.toFixed(3)}×` : `${x.toFixed(2)}×`);
const mark = (ok: boolean | undefined) => (ok === undefined ? '?' : ok ? '✓' : '✗');

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : i === row.length - 1 ? cell : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const [head, ...body] = rows;
  return [line(head!), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Running children

class Runner {
  /** GNU time's output file; undefined when there is no GNU /usr/bin/time. */
  readonly timeFile: string | undefined;

  constructor(readonly home: TestHome) {
    const file = join(home.home, 'time.out');
    const probe = spawnSync(TIME, ['-f', '%e %M', '-o', file, 'true'], { stdio: 'ignore' });
    this.timeFile = probe.status === 0 && readRss(file) !== undefined ? file : undefined;
  }

  /** Run `cmd args` under GNU time (when there is one) and time it; never throws for an exit code. */
  timed(cmd: string, args: string[], env: Record<string, string>): Timed {
    const file = this.timeFile;
    if (file) rmSync(file, { force: true });
    const [exe, argv] = file ? [TIME, ['-f', '%e %M', '-o', file, cmd, ...args]] : [cmd, args];
    const t0 = process.hrtime.bigint();
    const r = spawnSync(exe, argv, {
      env,
      cwd: this.home.home,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
    const out: Timed = { wallMs, code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
    const rssKb = file ? readRss(file) : undefined;
    if (rssKb !== undefined) out.rssKb = rssKb;
    return out;
  }
}

/** The peak RSS (KiB) from GNU time's `%e %M` line (the last line: a non-zero exit adds one before it). */
function readRss(file: string): number | undefined {
  try {
    const last = readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
    const m = /^\d+(?:\.\d+)?\s+(\d+)$/.exec(last.trim());
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function fail(what: string, r: { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }): never {
  if (interrupted) throw new Interrupted(interrupted);
  // Ctrl-C reaches the child too (same process group), and it can end before our own handler
  // has had a turn: a child killed by (or exiting for) SIGINT/SIGTERM is the interruption.
  if (r.signal === 'SIGINT' || r.code === 130) throw new Interrupted('SIGINT');
  if (r.signal === 'SIGTERM' || r.code === 143) throw new Interrupted('SIGTERM');
  const detail = r.signal ? `signal ${r.signal}` : `exit ${r.code}`;
  throw new Error(`${what} failed (${detail})\n${r.stderr.trim()}${r.stdout.trim() ? `\nstdout: ${r.stdout.trim()}` : ''}`);
}

function jsonOf(what: string, r: Timed): Record<string, unknown> {
  if (r.code !== 0) fail(what, r);
  try {
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    return fail(`${what} (stdout is not JSON)`, r);
  }
}

/** What the benchmark needs to run each variant. */
class Bench {
  readonly cacheDir: string;

  constructor(
    readonly runner: Runner,
    readonly fixture: CognitoFixture,
    readonly moto: Moto,
    /** Env of every `node` child: the test home, the private keychain, AWS_ENDPOINT_URL = moto. */
    readonly env: Record<string, string>,
    /** Env of the AWS CLI: the test home only (no real ~/.aws, no keychain). */
    readonly awsEnv: Record<string, string>,
  ) {
    this.cacheDir = join(runner.home.cacheDir, 'cognito-creds');
  }

  /** An untimed CLI call that must succeed. */
  cli(args: string[]): Timed {
    const r = spawnSync(NODE, [CLI_BIN, ...args], {
      env: this.env,
      cwd: this.runner.home.home,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.error) throw new Error(`cannot run cognito-creds: ${r.error.message}`);
    const out: Timed = { wallMs: NaN, code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
    if (r.status !== 0) fail(`cognito-creds ${args.join(' ')}`, out);
    return out;
  }

  /** Names and mtimes of the cache entries: unchanged across a call means it was served from the cache. */
  cacheState(): string {
    try {
      return readdirSync(this.cacheDir)
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name) => `${name}@${statSync(join(this.cacheDir, name)).mtimeMs}`)
        .join(',');
    } catch {
      return '';
    }
  }

  /**
   * Untimed: `logout` forgets the refresh token and the cached credentials, so the next call signs
   * in with the password.
   */
  makeCold(profile: string): void {
    this.cli(['logout', '--profile', profile]);
  }

  baseline(round: number): Sample {
    const r = this.runner.timed(NODE, ['-e', '0'], this.env);
    if (r.code !== 0) fail('node -e 0', r);
    return sample(round, r);
  }

  /** A cache hit; undefined (and a note) when the timed call was not served from the cache after all. */
  warm(round: number): Sample | undefined {
    this.cli(['credential-process', '--profile', PROFILE.password]); // untimed: makes sure the cache is fresh
    const before = this.cacheState();
    const r = this.runner.timed(NODE, [CLI_BIN, 'credential-process', '--profile', PROFILE.password], this.env);
    const doc = jsonOf('warm credential-process', r);
    if (typeof doc.AccessKeyId !== 'string') fail('warm credential-process (no AccessKeyId)', r);
    if (before === '' || this.cacheState() !== before) return undefined;
    return sample(round, r);
  }

  cold(round: number, profile: string): Sample {
    this.makeCold(profile);
    const r = this.runner.timed(NODE, [CLI_BIN, 'credential-process', '--profile', profile], this.env);
    const doc = jsonOf(`cold credential-process --profile ${profile}`, r);
    if (typeof doc.AccessKeyId !== 'string') fail('cold credential-process (no AccessKeyId)', r);
    return sample(round, r);
  }

  /** The AWS CLI v2 signing in by hand: InitiateAuth, GetId, GetCredentialsForIdentity, timed together. */
  awsCli(round: number): Sample {
    const f = this.fixture;
    const common = ['--endpoint-url', this.moto.url, '--region', f.region, '--no-sign-request', '--output', 'json'];
    const t0 = process.hrtime.bigint();
    const auth = this.runner.timed(
      AWS,
      [
        'cognito-idp', 'initiate-auth',
        '--auth-flow', 'USER_PASSWORD_AUTH',
        '--client-id', f.clientId,
        // A throwaway moto user: on the command line for this baseline only.
        '--auth-parameters', `USERNAME=${f.username},PASSWORD=${f.password}`,
        ...common,
      ],
      this.awsEnv,
    );
    const idToken = (jsonOf('aws cognito-idp initiate-auth', auth).AuthenticationResult as { IdToken?: string } | undefined)?.IdToken;
    if (!idToken) fail('aws cognito-idp initiate-auth (no IdToken)', auth);
    const logins = `${f.providerName}=${idToken}`;
    const getId = this.runner.timed(
      AWS,
      ['cognito-identity', 'get-id', '--identity-pool-id', f.identityPoolId, '--logins', logins, ...common],
      this.awsEnv,
    );
    const identityId = jsonOf('aws cognito-identity get-id', getId).IdentityId;
    if (typeof identityId !== 'string') fail('aws cognito-identity get-id (no IdentityId)', getId);
    const creds = this.runner.timed(
      AWS,
      ['cognito-identity', 'get-credentials-for-identity', '--identity-id', identityId, '--logins', logins, ...common],
      this.awsEnv,
    );
    const got = jsonOf('aws cognito-identity get-credentials-for-identity', creds).Credentials as { AccessKeyId?: string } | undefined;
    if (!got?.AccessKeyId) fail('aws cognito-identity get-credentials-for-identity (no AccessKeyId)', creds);
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const out: Sample = { round, wallMs };
    const rss = [auth, getId, creds].map((r) => r.rssKb);
    if (rss.every((x): x is number => x !== undefined)) out.rssKb = Math.max(...rss);
    return out;
  }

  run(variant: Variant, round: number): Sample | undefined {
    switch (variant) {
      case 'node':
        return this.baseline(round);
      case 'warm':
        return this.warm(round);
      case 'coldPassword':
        return this.cold(round, PROFILE.password);
      case 'coldSrp':
        return this.cold(round, PROFILE.srp);
      case 'awsCli':
        return this.awsCli(round);
    }
  }
}

function sample(round: number, r: Timed): Sample {
  const s: Sample = { round, wallMs: r.wallMs };
  if (r.rssKb !== undefined) s.rssKb = r.rssKb;
  return s;
}

// ---------------------------------------------------------------------------------------------
// The SRP maths alone, in this process

interface SrpTimes {
  /** The very first call in this process (lazy initialisation, no JIT yet). */
  firstMs: number;
  wallMs: number[];
  cpuMs: number[];
}

function srpMaths(runs: number): SrpTimes {
  const one = () => {
    // Realistic inputs, made outside the timed region: a random B in the 3072-bit range, a
    // 16-byte salt, a secret block of the size Cognito sends.
    const srpBHex = randomBytes(384).toString('hex');
    const saltHex = randomBytes(16).toString('hex');
    const secretBlock = randomBytes(1152).toString('base64');
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const session = startSrp();
    passwordVerifier({ session, poolId: SRP_POOL_ID, userIdForSrp: 'alice', password: 'Correct-Horse-9-Battery!', saltHex, srpBHex, secretBlock });
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(c0);
    return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  const first = one();
  const times: SrpTimes = { firstMs: first.wallMs, wallMs: [], cpuMs: [] };
  for (let i = 0; i < runs; i++) {
    const t = one();
    times.wallMs.push(t.wallMs);
    times.cpuMs.push(t.cpuMs);
  }
  return times;
}

// ---------------------------------------------------------------------------------------------

const LABEL: Record<Variant, string> = {
  node: 'node -e 0 (baseline)',
  warm: 'warm: credential-process, cache hit',
  coldPassword: 'cold USER_PASSWORD_AUTH',
  coldSrp: 'cold USER_SRP_AUTH',
  awsCli: 'AWS CLI v2 by hand (3 calls)',
};

/** Does round r (0-based) of n also run the AWS CLI flow? m of the n rounds do, spread evenly. */
function awsRound(r: number, n: number, m: number): boolean {
  return Math.floor(((r + 1) * m) / n) > Math.floor((r * m) / n);
}

async function main(): Promise<void> {
  const opts = parseOptions();
  if (!opts) return;
  const missing = ['moto_server', 'dbus-daemon', 'gnome-keyring-daemon'].filter((t) => !onPath(t));
  if (missing.length > 0) {
    process.stderr.write(`bench: needs ${missing.join(', ')} on PATH (moto[server], dbus, gnome-keyring)\n`);
    process.exitCode = 1;
    return;
  }
  const box = machine();
  const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

  // 1. The SRP maths, before anything else runs on this machine.
  progress(`SRP maths in-process, ${SRP_RUNS} runs`);
  const srp = srpMaths(SRP_RUNS);

  let home: TestHome | undefined;
  let moto: Moto | undefined;
  let keyring: Keyring | undefined;
  try {
    // 2. moto, the fixture, a temporary home with a private keychain, two profiles.
    progress('starting moto and a private keyring');
    home = await makeTestHome();
    tempDirs.add(home.home);
    moto = await startMoto();
    await checkpoint();
    const fixture = await createCognitoFixture(moto.url);
    keyring = await startKeyring(home.home);
    const runtimeDir = keyring.env.XDG_RUNTIME_DIR;
    if (runtimeDir) tempDirs.add(runtimeDir);
    await checkpoint();

    const setupEnv = { ...home.env, ...keyring.env, AWS_ENDPOINT_URL: moto.url };
    for (const [profile, flow] of [
      [PROFILE.password, ['--auth-flow', 'USER_PASSWORD_AUTH']],
      [PROFILE.srp, []],
    ] as const) {
      const args = [
        'setup', '--profile', profile,
        '--user-pool-id', fixture.userPoolId,
        '--client-id', fixture.clientId,
        '--identity-pool-id', fixture.identityPoolId,
        '--username', fixture.username,
        ...flow,
        '--password-stdin',
      ];
      const r = await runCli(args, { env: setupEnv, input: `${fixture.password}\n`, timeoutMs: 60_000 });
      if (r.code !== 0) fail(`cognito-creds setup --profile ${profile}`, { ...r, signal: r.signal });
    }

    const runner = new Runner(home);
    if (!runner.timeFile) progress(`no GNU ${TIME}: wall time only, no peak RSS`);
    const awsVersion = spawnSync(AWS, ['--version'], { env: { ...home.env, AWS_PAGER: '' }, encoding: 'utf8', cwd: home.home });
    const haveAws = awsVersion.status === 0 && awsVersion.stdout.startsWith('aws-cli/2');
    if (!haveAws) progress(`no AWS CLI v2 at ${AWS}: its flow is left out`);

    const results: EnvResult[] = [];
    for (const benchEnv of opts.envs) {
      // Every child of this run (the baseline and the AWS CLI too) gets the same extra variables.
      const env = { ...setupEnv, ...benchEnv.extra };
      const awsEnv = { ...home.env, ...benchEnv.extra, AWS_PAGER: '' };
      const bench = new Bench(runner, fixture, moto, env, awsEnv);

      // 3. One untimed round (page cache, Python's imports, moto's first requests), then the rounds.
      const variants: Variant[] = ['node', 'warm', 'coldPassword', 'coldSrp'];
      const all: Variant[] = haveAws ? [...variants, 'awsCli'] : variants;
      progress(`${benchEnv.name} environment: warm-up round (not counted)`);
      for (const v of all) {
        await checkpoint();
        bench.run(v, -1);
      }
      const samples: Record<Variant, Sample[]> = { node: [], warm: [], coldPassword: [], coldSrp: [], awsCli: [] };
      let notWarm = 0;
      const started = performance.now();
      for (let r = 0; r < opts.rounds; r++) {
        const list = haveAws && awsRound(r, opts.rounds, opts.awsRuns) ? [...all] : [...variants];
        const order = [...list.slice(r % list.length), ...list.slice(0, r % list.length)];
        for (const v of order) {
          await checkpoint();
          const s = bench.run(v, r);
          if (s) samples[v].push(s);
          else notWarm++;
        }
        progress(`${benchEnv.name}: round ${r + 1}/${opts.rounds} (${order.join(', ')}) ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }

      // 4. One --debug cold call per flow: the steps and their timings (the lines never hold a secret).
      await checkpoint();
      const debugLines: Record<string, string[]> = {};
      for (const profile of [PROFILE.password, PROFILE.srp]) {
        bench.makeCold(profile);
        const r = bench.cli(['credential-process', '--profile', profile, '--debug']);
        debugLines[profile] = r.stderr
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => (line.includes(fixture.password) ? '[line withheld: it contained the password]' : line));
      }
      results.push({ env: benchEnv, samples, notWarm, debugLines });
    }

    // 5. The report: one table per environment, each against its own baseline.
    report(box, opts, runner.timeFile !== undefined, haveAws, results, srp);
    if (opts.json) {
      writeFileSync(
        opts.json,
        `${JSON.stringify(
          {
            machine: box,
            rounds: opts.rounds,
            awsRuns: haveAws ? opts.awsRuns : 0,
            gnuTime: runner.timeFile !== undefined,
            goals: GOALS,
            environments: results.map((r) => ({ name: r.env.name, label: r.env.label, samples: r.samples, notWarm: r.notWarm, debug: r.debugLines })),
            srp: { runs: SRP_RUNS, ...srp },
          },
          null,
          2,
        )}\n`,
      );
      console.log(`\nRaw samples written to ${opts.json}`);
    }
  } finally {
    progress('cleaning up');
    await keyring?.stop().catch(() => undefined);
    await moto?.stop().catch(() => undefined);
    await home?.cleanup().catch(() => undefined);
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    tempDirs.clear();
  }
}

function report(
  box: ReturnType<typeof machine>,
  opts: Options,
  haveRss: boolean,
  haveAws: boolean,
  results: EnvResult[],
  srp: SrpTimes,
): void {
  const out: string[] = [];
  out.push('cognito-creds benchmark');
  out.push(`date     ${box.date}`);
  out.push(`machine  ${box.nproc} CPU${box.nproc === 1 ? '' : 's'}, ${box.cpu}, ${box.kernel}, node ${box.node}`);
  out.push(
    `method   per environment, ${opts.rounds} interleaved rounds (order rotated each round, after one uncounted warm-up round)` +
      `${haveAws ? `; the AWS CLI flow in ${opts.awsRuns} of them` : ''}; medians and p90 (nearest rank);` +
      ` ratios are median / median, against the baseline of the same environment`,
  );
  out.push(
    haveRss
      ? `         each child under GNU ${TIME} -f '%e %M' (the baseline too); wall time from process.hrtime around spawnSync`
      : `         no GNU ${TIME} on this machine: wall time only (process.hrtime around spawnSync), no peak RSS`,
  );
  for (const result of results) {
    out.push('');
    out.push(`env      ${result.env.label}`);
    out.push('');
    out.push(...envTable(haveRss, haveAws, result, srp));
  }
  out.push('');
  out.push(`SRP maths: first call in this process ${fmtMs(srp.firstMs)} (before the ${srp.wallMs.length} measured ones)`);
  for (const result of results) {
    for (const [profile, lines] of Object.entries(result.debugLines)) {
      out.push('');
      out.push(`--debug, ${result.env.name} environment, one cold call of profile ${profile} (${profile === PROFILE.password ? 'USER_PASSWORD_AUTH' : 'USER_SRP_AUTH'}):`);
      for (const line of lines) out.push(`  ${line}`);
    }
  }
  console.log(out.join('\n'));
}

interface EnvResult {
  env: BenchEnv;
  samples: Record<Variant, Sample[]>;
  notWarm: number;
  debugLines: Record<string, string[]>;
}

/** One environment's table, its goals line and notes. */
function envTable(haveRss: boolean, haveAws: boolean, result: EnvResult, srp: SrpTimes): string[] {
  const { samples, notWarm } = result;
  const wall = (v: Variant) => samples[v].map((s) => s.wallMs);
  const rss = (v: Variant) => samples[v].flatMap((s) => (s.rssKb === undefined ? [] : [s.rssKb]));
  const nodeWall = median(wall('node'));
  const nodeRss = median(rss('node'));
  const awsWall = median(wall('awsCli'));

  const rows: string[][] = [['figure', 'n', 'median', 'p90', 'ratio', 'goal']];
  const goals: boolean[] = [];
  const goal = (ok: boolean | undefined, text: string) => {
    if (ok !== undefined) goals.push(ok);
    return `${text} ${mark(ok)}`;
  };
  const check = (x: number, limit: number) => (Number.isNaN(x) ? undefined : x <= limit);

  const wallRow = (v: Variant, ratio: string, goalText: string) => {
    const xs = wall(v);
    rows.push([`${LABEL[v]} — wall`, String(xs.length), fmtMs(median(xs)), fmtMs(p90(xs)), ratio, goalText]);
  };
  const rssRow = (v: Variant, goalText = '') => {
    if (!haveRss) return;
    const xs = rss(v);
    const name = v === 'awsCli' ? `${LABEL[v]} — peak RSS (largest call)` : `${LABEL[v]} — peak RSS`;
    rows.push([name, String(xs.length), fmtMb(median(xs)), fmtMb(p90(xs)), v === 'node' ? '1.00×' : `${fmtX(median(xs) / nodeRss)} node`, goalText]);
  };

  wallRow('node', '1.00×', '');
  rssRow('node');

  const warmX = median(wall('warm')) / nodeWall;
  wallRow('warm', `${fmtX(warmX)} node`, goal(check(warmX, GOALS.warmWall), `≤ ${GOALS.warmWall}× node`));
  const warmRssX = median(rss('warm')) / nodeRss;
  rssRow('warm', goal(check(warmRssX, GOALS.warmRss), `≤ ${GOALS.warmRss}× node`));

  const cold = median(wall('coldPassword'));
  const coldX = cold / nodeWall;
  wallRow('coldPassword', `${fmtX(coldX)} node`, goal(check(coldX, GOALS.coldVsNode), `≤ ${GOALS.coldVsNode}× node`));
  const coldAwsX = cold / awsWall;
  rows.push(['', '', '', '', haveAws ? `${fmtX(coldAwsX)} AWS CLI` : 'no AWS CLI v2', goal(haveAws ? check(coldAwsX, GOALS.coldVsAwsCli) : undefined, `≤ ${GOALS.coldVsAwsCli}× AWS CLI`)]);
  rssRow('coldPassword');

  wallRow('coldSrp', `${fmtX(median(wall('coldSrp')) / nodeWall)} node`, '');
  rssRow('coldSrp');

  if (haveAws) {
    wallRow('awsCli', `${fmtX(awsWall / nodeWall)} node`, '');
    rssRow('awsCli');
  }

  const srpMs = median(srp.wallMs);
  rows.push(['SRP maths in-process (startSrp + passwordVerifier) — wall', String(srp.wallMs.length), fmtMs(srpMs), fmtMs(p90(srp.wallMs)), '', goal(check(srpMs, GOALS.srpMs), `≤ ${GOALS.srpMs} ms`)]);
  rows.push(['SRP maths in-process — CPU (user + system)', String(srp.cpuMs.length), fmtMs(median(srp.cpuMs)), fmtMs(p90(srp.cpuMs)), '', '']);

  const out: string[] = [table(rows), '', `goals met (${result.env.name}): ${goals.filter(Boolean).length}/${goals.length}`];
  if (notWarm > 0) out.push(`note: ${notWarm} warm run(s) were not served from the cache and were left out`);
  return out;
}

main().catch((err: unknown) => {
  if (err instanceof Interrupted) {
    process.exitCode = err.signal === 'SIGINT' ? 130 : 143;
    return;
  }
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
