/** The secrets file and its lock when something other than a regular file sits at their paths. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FileSecretStore } from '../../../src/secrets/file-store.js';
import { caught } from '../../support/errors.js';
import { SpecialFiles } from '../../support/special-files.js';

let root: string;
let file: string;
let special: SpecialFiles;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-file-special-'));
  await fs.mkdir(path.join(root, 'cognito-creds'), { mode: 0o700 });
  file = path.join(root, 'cognito-creds', 'secrets.json');
  special = new SpecialFiles();
});
afterEach(async () => {
  await special.close();
  await fs.rm(root, { recursive: true, force: true });
});

const store = () => new FileSecretStore({ file, passphrase: async () => 'a passphrase', kdfCost: 2 ** 10 });

it('a FIFO at the secrets file is refused at once, not waited on, and left as it was', async () => {
  special.fifo(file);
  const started = Date.now();
  const err = await caught(store().get('dev:password'));
  expect(Date.now() - started).toBeLessThan(1_000);
  expect({ kind: err.kind, message: err.message }).toEqual({ kind: 'keychain', message: `the secrets file ${file} is not a regular file; it was left as it was` });
  expect((await fs.lstat(file)).isFIFO()).toBe(true);
});

it('a FIFO at its lock is refused at once with the lock named, and left as it was', async () => {
  const lock = `${file}.lock`;
  special.fifo(lock);
  const started = Date.now();
  const err = await caught(store().set('dev:password', 'pw'));
  expect(Date.now() - started).toBeLessThan(1_000);
  expect({ kind: err.kind, message: err.message, hint: err.hint }).toEqual({
    kind: 'keychain',
    message: `cannot lock the secrets file ${file}: the lock file ${lock} is a FIFO, not a regular file; it was left as it was`,
    hint: `Remove ${lock} if it is not a lock file of a running cognito-creds.`,
  });
  expect((await fs.lstat(lock)).isFIFO()).toBe(true);
  await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
});
