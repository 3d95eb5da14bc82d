/**
 * A private D-Bus session bus + gnome-keyring (Secret Service) for one temp
 * HOME, so keytar in a child process stores secrets in a throwaway keyring and
 * can never reach the real user's keychain.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, baseEnv, killGroup, runCommand, trackGroup, untrackGroup, waitForExit } from './env.js';

/** Password of the throwaway login keyring gnome-keyring creates and unlocks. */
export const KEYRING_PASSWORD = 'pw';

export interface Keyring {
  /**
   * What a child needs to reach this keyring: DBUS_SESSION_BUS_ADDRESS, HOME,
   * XDG_RUNTIME_DIR (private 0700 dir holding the bus socket), XDG_DATA_HOME
   * (`<home>/.local/share`, where `keyrings/login.keyring` is written),
   * XDG_CONFIG_HOME (`<home>/.config`), XDG_CACHE_HOME (`<home>/.cache`) — the
   * same XDG paths makeTestHome uses, so the two envs can be merged.
   */
  env: Record<string, string>;
  /** Directory of the keyring files (`$XDG_DATA_HOME/keyrings`). */
  keyringDir: string;
  /** pids of dbus-daemon and gnome-keyring-daemon (each leads its own process group). */
  pids: number[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spawnTracked(cmd: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(cmd, args, { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  trackGroup(child.pid);
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  untrackGroup(child.pid);
  if (child.exitCode !== null || child.signalCode !== null) return;
  killGroup(child.pid, 'SIGTERM');
  if (!(await waitForExit(child, 3_000))) {
    killGroup(child.pid, 'SIGKILL');
    await waitForExit(child, 3_000);
  }
}

export async function startKeyring(home: string): Promise<Keyring> {
  // Short path under /tmp: a unix socket path must stay under ~108 bytes.
  const runtimeDir = await mkdtemp(join(tmpdir(), 'ccr-run-'));
  await chmod(runtimeDir, 0o700);
  const dataHome = join(home, '.local', 'share');
  await mkdir(dataHome, { recursive: true });
  const env: Record<string, string> = {
    HOME: home,
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_DATA_HOME: dataHome,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
  };
  const daemonEnv = { ...baseEnv(), ...env };

  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children.reverse()) await stopChild(c);
    children.length = 0;
    await rm(runtimeDir, { recursive: true, force: true });
  };

  try {
    // 1. Private session bus; its address is the first line on stdout.
    const bus = spawnTracked(
      'dbus-daemon',
      ['--session', '--nofork', '--nopidfile', '--print-address=1', `--address=unix:path=${join(runtimeDir, 'bus')}`],
      daemonEnv,
    );
    children.push(bus);
    bus.stdin?.end();
    const address = await new Promise<string>((resolvePromise, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`dbus-daemon printed no address in 10 s: ${err}`)), 10_000);
      bus.stderr?.on('data', (b: Buffer) => (err += b.toString()));
      bus.stdout?.on('data', (b: Buffer) => {
        out += b.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          resolvePromise(out.slice(0, nl).trim());
        }
      });
      bus.on('error', (e) => reject(new Error(`cannot spawn dbus-daemon: ${e.message}`)));
      bus.on('exit', (code) => reject(new Error(`dbus-daemon exited (${code}): ${err}`)));
    });
    env.DBUS_SESSION_BUS_ADDRESS = address;
    daemonEnv.DBUS_SESSION_BUS_ADDRESS = address;

    // 2. gnome-keyring in the foreground (so we own its pid), creating and
    //    unlocking a login keyring with the password read from stdin.
    const gk = spawnTracked('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], daemonEnv);
    children.push(gk);
    let gkOut = '';
    gk.stdout?.on('data', (b: Buffer) => (gkOut += b.toString()));
    gk.stderr?.on('data', (b: Buffer) => (gkOut += b.toString()));
    gk.on('error', () => {
      /* reported through exitCode below */
    });
    gk.stdin?.end(KEYRING_PASSWORD);

    // 3. Ready once org.freedesktop.secrets has an owner on our bus.
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (gk.exitCode !== null || gk.signalCode !== null) {
        throw new Error(`gnome-keyring-daemon exited (${gk.exitCode ?? gk.signalCode}): ${gkOut}`);
      }
      const r = await runCommand(
        'dbus-send',
        [
          '--session',
          '--print-reply',
          '--dest=org.freedesktop.DBus',
          '/org/freedesktop/DBus',
          'org.freedesktop.DBus.NameHasOwner',
          'string:org.freedesktop.secrets',
        ],
        { env: daemonEnv, timeoutMs: 5_000, cwd: home },
      );
      if (r.code === 0 && /boolean true/.test(r.stdout)) break;
      if (Date.now() > deadline) throw new Error(`gnome-keyring did not claim org.freedesktop.secrets: ${gkOut}${r.stderr}`);
      await sleep(100);
    }
  } catch (e) {
    await stop();
    throw e;
  }

  const pids = children.map((c) => c.pid).filter((p): p is number => p !== undefined);
  return { env, keyringDir: join(dataHome, 'keyrings'), pids, stop };
}

export type KeytarOp = 'set' | 'get' | 'delete';

export interface KeytarResult {
  ok: boolean;
  /** set: true; get: the password or null; delete: whether something was deleted. */
  value?: string | boolean | null;
  error?: string;
}

/**
 * Run one keytar call in a child `node` (ESM, loading keytar from this repo's
 * node_modules via createRequire, as the CLI does) with exactly `env` (+PATH).
 */
export async function keytarInChild(
  env: Record<string, string>,
  op: KeytarOp,
  service: string,
  account: string,
  password?: string,
): Promise<KeytarResult> {
  const code = `
import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(REPO_ROOT, 'package.json'))});
const [op, service, account, password] = ${JSON.stringify([op, service, account, password ?? null])};
try {
  const keytar = require('keytar');
  let value;
  if (op === 'set') { await keytar.setPassword(service, account, password); value = true; }
  else if (op === 'get') value = await keytar.getPassword(service, account);
  else value = await keytar.deletePassword(service, account);
  process.stdout.write(JSON.stringify({ ok: true, value }));
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(e && e.message || e) }));
}
`;
  const r = await runCommand(process.execPath, ['--input-type=module', '-e', code], {
    env,
    timeoutMs: 20_000,
    cwd: REPO_ROOT,
  });
  try {
    return JSON.parse(r.stdout) as KeytarResult;
  } catch {
    return { ok: false, error: `child failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr}` };
  }
}

/** The REAL user's keyring directory (`$XDG_DATA_HOME/keyrings`, default ~/.local/share/keyrings); tests only stat it. */
export function realKeyringDir(): string {
  const realData = process.env.XDG_DATA_HOME ?? join(process.env.HOME ?? '/root', '.local', 'share');
  return join(realData, 'keyrings');
}
