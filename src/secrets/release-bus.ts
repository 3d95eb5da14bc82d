/**
 * Ending the process promptly after a keychain call that never answered.
 *
 * keytar runs each call on a thread of libuv's pool, where libsecret waits for the Secret
 * Service synchronously (25 s per D-Bus call, without end for an unlock prompt). Node joins that
 * pool's threads on exit, so even `process.exit` waits for the call: a keychain that never
 * answers held the process ~50 s after its error was printed. Shutting down the process's own
 * connections to the bus (its unix sockets) ends the wait: the bus closes libsecret's connection,
 * whose pending call fails at once. GLib then raises SIGTERM (a shared bus connection "exits on
 * close"), which is caught here to exit with the command's own code.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';

/** Exit with `code` as soon as the blocked keychain call lets go (Linux), or once the rest is done. */
export async function exitPromptly(code: number): Promise<void> {
  process.exitCode = code;
  const exit = () => process.exit(code);
  process.on('SIGTERM', exit);
  // Should nothing else end it: by then the call has failed or the loop is waiting for it alone.
  setTimeout(exit, 1_000).unref();
  if (process.platform === 'linux') await shutDownUnixSockets().catch(() => undefined);
}

/** Shut down (for writing) every unix socket this process holds beyond the standard streams. */
async function shutDownUnixSockets(): Promise<void> {
  const unix = await unixSocketInodes();
  for (const name of await fs.readdir('/proc/self/fd')) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd <= 2) continue;
    const link = await fs.readlink(`/proc/self/fd/${name}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode === undefined || !unix.has(inode)) continue;
    try {
      const socket = new net.Socket({ fd, readable: false, writable: true });
      socket.on('error', () => undefined);
      socket.end();
    } catch {
      // Not a stream socket libuv can take: leave it.
    }
  }
}

/** The inodes of the unix sockets in /proc/net/unix (its 7th column). */
async function unixSocketInodes(): Promise<Set<string>> {
  const text = await fs.readFile('/proc/net/unix', 'utf8');
  const inodes = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    const inode = line.trim().split(/\s+/)[6];
    if (inode) inodes.add(inode);
  }
  return inodes;
}
