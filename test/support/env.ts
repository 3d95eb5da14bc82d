/**
 * Hermetic test homes and bounded child-process runners for e2e specs.
 *
 * Every child process started through `runCli` / `runCommand` gets exactly the
 * env it is given (plus the parent's PATH when the given env has none), so a
 * test can never read the real ~/.aws, the real keychain (D-Bus session bus)
 * or a developer's AWS_* variables by accident.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/cli/package-root.js';

/** Absolute path of the repository root, from the sources or compiled into dist/ (for the demo). */
export const REPO_ROOT = packageRoot();

/** Absolute path of the CLI entry point that `runCli` runs. */
export const CLI_BIN = join(REPO_ROOT, 'bin', 'cognito-creds.cjs');

/**
 * Parent variables that are harmless and useful to children (locale, temp dir,
 * pyenv selection so `python3`/`moto_server` shims resolve the same interpreter).
 * Everything else — in particular AWS_*, DBUS_*, XDG_*, DISPLAY, *_PROXY — is
 * NOT inherited.
 */
const INHERITED_VARS = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'PYENV_ROOT', 'PYENV_VERSION'];

/** AWS variables that must never leak from the developer's shell into a test. */
export const STRIPPED_AWS_VARS = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
] as const;

export interface TestHome {
  /** The temp HOME (contains `.aws/`). */
  home: string;
  /** `<home>/.aws/config`, created empty; AWS_CONFIG_FILE points here. */
  configFile: string;
  /** `<home>/.aws/credentials`, created empty; AWS_SHARED_CREDENTIALS_FILE points here. */
  credentialsFile: string;
  /** `<home>/.cache` = XDG_CACHE_HOME. */
  cacheDir: string;
  /** `<home>/.config` = XDG_CONFIG_HOME. */
  configDir: string;
  /** The complete env for a child process (see INHERITED_VARS). */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** The small allow-listed part of process.env that children may inherit. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_VARS) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export async function makeTestHome(): Promise<TestHome> {
  const home = await mkdtemp(join(tmpdir(), 'cognito-creds-home-'));
  const awsDir = join(home, '.aws');
  const cacheDir = join(home, '.cache');
  const configDir = join(home, '.config');
  await mkdir(awsDir, { recursive: true });
  await mkdir(cacheDir, { recursive: true });
  await mkdir(configDir, { recursive: true });
  const configFile = join(awsDir, 'config');
  const credentialsFile = join(awsDir, 'credentials');
  await writeFile(configFile, '');
  await writeFile(credentialsFile, '');

  const env: Record<string, string> = {
    ...baseEnv(),
    HOME: home,
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    XDG_CACHE_HOME: cacheDir,
    XDG_CONFIG_HOME: configDir,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const name of STRIPPED_AWS_VARS) delete env[name];

  return {
    home,
    configFile,
    credentialsFile,
    cacheDir,
    configDir,
    env,
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

export interface RunOptions {
  /** Exact env of the child; PATH is taken from process.env only if absent here. */
  env: Record<string, string>;
  /** Written to stdin, then stdin is closed. Without it stdin is /dev/null. */
  input?: string;
  /** Kill the child (and its process group) after this long. Default 30 s. */
  timeoutMs?: number;
  /** Working directory. Default: env.HOME if set, else the repo root. */
  cwd?: string;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number;
  /** True when the child was killed because timeoutMs elapsed. */
  timedOut: boolean;
}

/**
 * Run any command with exactly `opts.env` (+ PATH), bounded by timeoutMs.
 * Never rejects for a non-zero exit; rejects only if the command cannot be spawned.
 */
export function runCommand(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const env: Record<string, string> = { ...opts.env };
  if (env.PATH === undefined && process.env.PATH !== undefined) env.PATH = process.env.PATH;
  const cwd = opts.cwd ?? env.HOME ?? REPO_ROOT;

  return new Promise<RunResult>((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, {
      env,
      cwd,
      // Own process group so a timeout can kill grandchildren (e.g. a credential_process).
      detached: true,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {
        /* child may exit before reading stdin (EPIPE) */
      });
      child.stdin.end(opts.input);
    }

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, timeoutMs);

    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) stderr += `\n[runCommand] ${cmd} killed after ${timeoutMs} ms timeout\n`;
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr,
        ms: Math.round(performance.now() - started),
        timedOut,
      });
    });
  });
}

/** Run `node bin/cognito-creds.cjs ...args` with exactly `opts.env` (+ PATH). */
export function runCli(args: string[], opts: RunOptions): Promise<RunResult> {
  return runCommand(process.execPath, [CLI_BIN, ...args], opts);
}

/** Signal a whole process group (pid of a `detached: true` child), ignoring "no such process". */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Process groups of long-lived helpers (moto, dbus, gnome-keyring) still alive;
 * SIGKILLed synchronously if the test process exits without calling stop().
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

export function trackGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const p of liveGroups) killGroup(p, 'SIGKILL');
    });
  }
}

export function untrackGroup(pid: number | undefined): void {
  if (pid !== undefined) liveGroups.delete(pid);
}

/** Wait until `child` has exited, at most `ms`; true when it did. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => resolvePromise(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise(true);
    });
  });
}

/** A loopback port nothing listens on right now (for a server to start on, or a dead endpoint). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('no port'));
        return;
      }
      const port = addr.port;
      srv.close(() => resolvePromise(port));
    });
  });
}
