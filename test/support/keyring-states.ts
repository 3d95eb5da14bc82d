/**
 * Putting the private keyring (test/support/keyring.ts) into the states issue 13 is about: its
 * default collection locked (over D-Bus, as a screen lock or `Lock` does), or its daemon frozen
 * (SIGSTOP: the Secret Service owns its name on the bus and never answers).
 */
import type { Keyring } from './keyring.js';
import { runCommand } from './env.js';

async function dbus(keyring: Keyring, args: string[]): Promise<string> {
  const r = await runCommand('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.secrets', ...args], { env: keyring.env, timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`dbus-send ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Lock the collection behind the "default" alias (where keytar stores), and check that it is locked. */
export async function lockDefaultCollection(keyring: Keyring): Promise<string> {
  const alias = await dbus(keyring, ['/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.ReadAlias', 'string:default']);
  const collection = /object path "([^"]+)"/.exec(alias)?.[1];
  if (!collection || collection === '/') throw new Error(`no default collection: ${alias}`);
  await dbus(keyring, ['/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', `array:objpath:${collection}`]);
  const locked = await dbus(keyring, [collection, 'org.freedesktop.DBus.Properties.Get', 'string:org.freedesktop.Secret.Collection', 'string:Locked']);
  if (!/boolean true/.test(locked)) throw new Error(`${collection} is not locked: ${locked}`);
  return collection;
}

/** The gnome-keyring-daemon's pid (startKeyring starts the bus first, then it). */
function daemonPid(keyring: Keyring): number {
  const pid = keyring.pids[1];
  if (pid === undefined) throw new Error('no gnome-keyring-daemon pid');
  return pid;
}

/** Freeze the daemon: calls to the Secret Service then wait for an answer that does not come. */
export function freezeKeyring(keyring: Keyring): void {
  process.kill(daemonPid(keyring), 'SIGSTOP');
}

export function thawKeyring(keyring: Keyring): void {
  process.kill(daemonPid(keyring), 'SIGCONT');
}
