/**
 * Fault-matrix rows for a config path that is not a regular file, against the built binary in a
 * subprocess (a FIFO used to block the whole process in a synchronous read, which only a killed
 * child survives): exit 3, EMPTY stdout, the exact stderr, within 3 s, and the path left as it was.
 * Real FIFOs, unix sockets and directories in a temp dir; never a device node (we run as root).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs, lstatSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestHome, runCli, type RunResult, type TestHome } from '../support/env.js';
import { setupArgv } from '../support/argv.js';

const FAST_MS = 3_000;

function expectFailure(r: RunResult, code: number, stderr: string, maxMs = FAST_MS): void {
  expect({ code: r.code, stdout: r.stdout, timedOut: r.timedOut }).toEqual({ code, stdout: '', timedOut: false });
  expect(r.stderr).toBe(stderr);
  expect(r.ms).toBeLessThan(maxMs);
}

const refused = (file: string, what: string) =>
  `cognito-creds: the AWS config file ${file} is ${what}, not a regular file; it was left as it was\n` +
  '  Point AWS_CONFIG_FILE at a regular file (a symlink to one is fine), or unset it to use ~/.aws/config.\n';

const SETUP = setupArgv(
  'dev',
  { userPoolId: 'us-east-1_AbC123', clientId: 'abc123', identityPoolId: 'us-east-1:0e7b3a52-1111-2222-3333-444455556666', username: 'alice' },
  ['--no-verify'],
);

describe('the config file is not a regular file: exit 3 at once, the path left as it was', () => {
  let home: TestHome;
  let fifo: string;
  let link: string;
  let socket: string;
  let server: net.Server;

  beforeAll(async () => {
    home = await makeTestHome();
    fifo = path.join(home.home, 'config.fifo');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
    link = path.join(home.home, 'config.link');
    await fs.symlink(fifo, link);
    socket = path.join(home.home, 'config.sock');
    server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await home?.cleanup();
  });

  // Each command a person or an SDK runs, with a FIFO (no writer) at AWS_CONFIG_FILE.
  const COMMANDS: [string, string[]][] = [
    ['credential-process', ['credential-process', '--profile', 'dev']],
    ['status', ['status']],
    ['setup', SETUP],
    ['remove', ['remove', '--profile', 'dev']],
    ['logout', ['logout', '--profile', 'dev']],
  ];

  it.each(COMMANDS)('a FIFO at AWS_CONFIG_FILE: %s fails fast, the FIFO stays', async (_name, argv) => {
    const r = await runCli(argv, { env: { ...home.env, AWS_CONFIG_FILE: fifo }, input: 'Pw-1!\n', timeoutMs: 15_000 });
    expectFailure(r, 3, refused(fifo, 'a FIFO (named pipe)'));
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a FIFO at AWS_CONFIG_FILE: completing --profile answers at once, with no names', async () => {
    const r = await runCli(['--get-yargs-completions', 'cognito-creds', 'credential-process', '--profile', ''], {
      env: { ...home.env, AWS_CONFIG_FILE: fifo },
      timeoutMs: 15_000,
    });
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut }).toEqual({ code: 0, stdout: '', stderr: '', timedOut: false });
    expect(r.ms).toBeLessThan(FAST_MS);
  });

  it('a symlink to a FIFO: the path given is named, the link and the FIFO stay', async () => {
    for (const argv of [['credential-process', '--profile', 'dev'], SETUP]) {
      const r = await runCli(argv, { env: { ...home.env, AWS_CONFIG_FILE: link }, input: 'Pw-1!\n', timeoutMs: 15_000 });
      expectFailure(r, 3, refused(link, 'a FIFO (named pipe)'));
    }
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a unix socket or a directory at AWS_CONFIG_FILE: the same, nothing created beside it', async () => {
    for (const [file, what] of [
      [socket, 'a socket'],
      [home.configDir, 'a directory'],
    ] as const) {
      for (const argv of [['credential-process', '--profile', 'dev'], SETUP]) {
        const r = await runCli(argv, { env: { ...home.env, AWS_CONFIG_FILE: file }, input: 'Pw-1!\n', timeoutMs: 15_000 });
        expectFailure(r, 3, refused(file, what));
      }
    }
    expect(lstatSync(socket).isSocket()).toBe(true);
    expect(await fs.readdir(home.configDir)).toEqual([]);
    expect((await fs.readdir(home.home)).filter((n) => n.includes('lock') || n.endsWith('.tmp'))).toEqual([]);
  });
});
