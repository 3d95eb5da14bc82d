/**
 * Files that are not regular files, made in a test's own temporary directory: FIFOs (mkfifo) and
 * unix sockets (a listening net server). Never a device node: see the rule in the brief.
 *
 * A FIFO that the code under test wrongly opens for reading would block it forever, and a
 * synchronous open blocks the whole test process, so that no test time-out could fire. Each FIFO
 * therefore gets a rescuer: a child that, after `rescueAfterMs`, keeps opening it for writing,
 * which ends any such blocked open (the read then sees end-of-file) so the test fails on its time
 * bound instead of hanging. `close()` kills the rescuers (still waiting when all went well) and the
 * servers; call it in afterEach, before the directory is removed.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { killGroup } from './env.js';

export class SpecialFiles {
  private readonly rescuers: ChildProcess[] = [];
  private readonly servers: Server[] = [];

  /** A FIFO at `file` (mode 0600), with its rescuer. */
  fifo(file: string, rescueAfterMs = 3_000): string {
    execFileSync('mkfifo', ['-m', '600', file]);
    // Each `: 3>` waits for a reader, opens, closes: every blocked reader gets end-of-file.
    // Its own process group, so that close() ends its `sleep` too.
    const rescuer = spawn('sh', ['-c', `sleep ${rescueAfterMs / 1000}; while [ -p "$1" ]; do : 3> "$1"; done`, 'sh', file], { stdio: 'ignore', detached: true });
    rescuer.on('error', () => undefined);
    this.rescuers.push(rescuer);
    return file;
  }

  /** A unix socket listening at `file`. */
  async socket(file: string): Promise<string> {
    const server = createServer((c) => c.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(file, () => resolve());
    });
    this.servers.push(server);
    return file;
  }

  async close(): Promise<void> {
    for (const child of this.rescuers.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        killGroup(child.pid, 'SIGKILL');
        await exited;
      }
    }
    await Promise.all(this.servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
