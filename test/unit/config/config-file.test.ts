/**
 * The config file's I/O: a path that is not a regular file is refused at once and left as it was
 * (real FIFOs, unix sockets and directories made in a temp dir; never a device node), and an edit
 * keeps every byte outside the edited section, invalid UTF-8 included.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs, lstatSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { editConfigFile, loadCognitoProfile, notRegularKind, readConfigBytes, readConfigText } from '../../../src/config/config-file.js';
import { removeProfile, upsertProfile } from '../../../src/config/ini-edit.js';
import { isCredsError } from '../../../src/errors.js';

let dir = '';
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-config-file-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function mkfifo(p: string): void {
  const r = spawnSync('mkfifo', [p]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
}

async function listenOn(p: string): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(p, resolve));
  return server;
}

/** The CredsError a call throws: kind, message and hint. */
async function failure(fn: () => unknown): Promise<{ kind: string; message: string; hint: string | undefined }> {
  try {
    await fn();
  } catch (err) {
    if (!isCredsError(err)) throw err;
    return { kind: err.kind, message: err.message, hint: err.hint };
  }
  throw new Error('it did not fail');
}

const HINT = 'Point AWS_CONFIG_FILE at a regular file (a symlink to one is fine), or unset it to use ~/.aws/config.';
const notRegular = (file: string, what: string) => ({
  kind: 'config',
  message: `the AWS config file ${file} is ${what}, not a regular file; it was left as it was`,
  hint: HINT,
});

describe('reading the config file', () => {
  it('reads the bytes of a regular file, and of a symlink to one; undefined when there is none', async () => {
    const file = path.join(dir, 'config');
    const bytes = Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0x23, 0xff, 0xfe, 0x0a]); // "[a]\n#\xff\xfe\n"
    await fs.writeFile(file, bytes);
    expect(readConfigBytes(file)).toEqual(bytes);
    await fs.symlink(file, path.join(dir, 'link'));
    expect(readConfigBytes(path.join(dir, 'link'))).toEqual(bytes);
    expect(readConfigBytes(path.join(dir, 'absent'))).toBeUndefined();
    expect(await readConfigText(path.join(dir, 'absent'))).toBeUndefined();
  });

  it('refuses a FIFO at once (no writer, so a read would block forever) and leaves it a FIFO', async () => {
    const fifo = path.join(dir, 'config');
    mkfifo(fifo);
    const started = performance.now();
    expect(await failure(() => readConfigText(fifo))).toEqual(notRegular(fifo, 'a FIFO (named pipe)'));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    // Through a symlink: the path given is named, the link and the FIFO stay.
    const link = path.join(dir, 'link');
    await fs.symlink(fifo, link);
    expect(await failure(() => readConfigText(link))).toEqual(notRegular(link, 'a FIFO (named pipe)'));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('refuses a unix socket and a directory', async () => {
    const socket = path.join(dir, 'sock');
    const server = await listenOn(socket);
    try {
      expect(await failure(() => readConfigText(socket))).toEqual(notRegular(socket, 'a socket'));
      expect(lstatSync(socket).isSocket()).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await failure(() => readConfigText(dir))).toEqual(notRegular(dir, 'a directory'));
  });

  it('names every kind of file that is not a regular file', () => {
    const stats = (kind: string) => ({
      isFile: () => kind === 'file',
      isDirectory: () => kind === 'dir',
      isFIFO: () => kind === 'fifo',
      isSocket: () => kind === 'socket',
      isCharacterDevice: () => kind === 'char',
      isBlockDevice: () => kind === 'block',
    });
    expect(['file', 'dir', 'fifo', 'socket', 'char', 'block', 'other'].map((k) => notRegularKind(stats(k)))).toEqual([
      undefined,
      'a directory',
      'a FIFO (named pipe)',
      'a socket',
      'a character device',
      'a block device',
      'of another type',
    ]);
  });

  it('reads UTF-8 values (a non-ASCII username) next to invalid UTF-8 elsewhere in the file', async () => {
    const file = path.join(dir, 'config');
    const section =
      '[profile dev]\ncognito_user_pool_id = us-east-1_AbC123\ncognito_client_id = abc123\n' +
      'cognito_identity_pool_id = us-east-1:0e7b3a52-1111-2222-3333-444455556666\ncognito_username = jürgen.müller@例え.jp\n';
    await fs.writeFile(file, Buffer.concat([Buffer.from('# caf\xe9 in latin-1: ', 'latin1'), Buffer.from([0xe9, 0x0a]), Buffer.from(section)]));
    expect((await loadCognitoProfile(file, 'dev')).username).toBe('jürgen.müller@例え.jp');
  });
});

describe('editing the config file', () => {
  const edit = (bytes: Buffer) => upsertProfile(bytes, 'dev', { region: 'eu-west-1', cognito_username: 'jürgen' });

  it('keeps every byte outside the edited section: invalid UTF-8, CRLF and a section without a final line break', async () => {
    const file = path.join(dir, 'config');
    const head = Buffer.concat([Buffer.from('# \xff\xfe not UTF-8, nor is ', 'latin1'), Buffer.from([0xc3, 0x28]), Buffer.from('\r\n[profile a]\r\nk = \x80\r\n\r\n', 'latin1')]);
    const tail = Buffer.from('\r\n[profile b]\r\nx = \xe9', 'latin1');
    await fs.writeFile(file, Buffer.concat([head, Buffer.from('[profile dev]\r\nregion = us-east-1\r\n'), tail]));
    await fs.chmod(file, 0o640);
    await editConfigFile(file, edit);
    const expected = Buffer.concat([head, Buffer.from('[profile dev]\r\nregion = eu-west-1\r\ncognito_username = jürgen\r\n'), tail]);
    expect(await fs.readFile(file)).toEqual(expected);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o640);
    expect(await fs.readdir(dir)).toEqual(['config']);
    // And removing the section keeps the rest.
    await editConfigFile(file, (bytes) => removeProfile(bytes, 'dev').text);
    expect(await fs.readFile(file)).toEqual(Buffer.concat([head, tail.subarray(2)]));
  });

  it('edits a symlinked file where it points, the link kept', async () => {
    const real = path.join(dir, 'real-config');
    const link = path.join(dir, 'config');
    await fs.writeFile(real, '[profile dev]\nregion = us-east-1\n');
    await fs.symlink(real, link);
    await editConfigFile(link, edit);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(await fs.readFile(real, 'utf8')).toBe('[profile dev]\nregion = eu-west-1\ncognito_username = jürgen\n');
  });

  it('refuses a FIFO, a socket or a directory at the path (or behind a symlink), creating nothing beside it', async () => {
    const fifo = path.join(dir, 'fifo');
    mkfifo(fifo);
    const link = path.join(dir, 'link');
    await fs.symlink(fifo, link);
    const sub = path.join(dir, 'sub');
    await fs.mkdir(sub);
    const socket = path.join(dir, 'sock');
    const server = await listenOn(socket);
    try {
      for (const [file, target, what] of [
        [fifo, fifo, 'a FIFO (named pipe)'],
        [link, fifo, 'a FIFO (named pipe)'],
        [sub, sub, 'a directory'],
        [socket, socket, 'a socket'],
      ] as const) {
        const started = performance.now();
        expect(await failure(() => editConfigFile(file, edit))).toEqual(notRegular(target, what));
        expect(performance.now() - started).toBeLessThan(1_000);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect((await fs.readdir(dir)).sort()).toEqual(['fifo', 'link', 'sub']);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(await fs.readdir(sub)).toEqual([]);
  });

  it('turns an edit the editor refuses into a config error naming the file and the line, the file unchanged', async () => {
    const file = path.join(dir, 'config');
    const text = '[default]\nregion = x\n\n[profile  dev]\nregion = us-east-1\n';
    await fs.writeFile(file, text);
    expect(await failure(() => editConfigFile(file, edit))).toEqual({
      kind: 'config',
      message:
        `cannot edit the AWS config file ${file}: line 4 "[profile  dev]": botocore reads the header of profile "dev", ` +
        'the JS SDK a header that holds no profile; it was left as it was',
      hint: 'Fix that line by hand (docs/configuration.md lists the header forms both read), then run the command again.',
    });
    expect(await fs.readFile(file, 'utf8')).toBe(text);
    expect(await fs.readdir(dir)).toEqual(['config']);
  });
});
