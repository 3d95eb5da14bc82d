import * as crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredsError } from '../../../src/errors.js';
import { type DeriveKey, scryptKey } from '../../../src/secrets/file-format.js';
import { DEFAULT_KDF_COST, defaultSecretsFile, FileSecretStore, type FileStoreOptions } from '../../../src/secrets/file-store.js';
import { caught } from '../../support/errors.js';

// Count key derivations (the real scrypt), to show the key is derived once per instance.
const kdf = { calls: 0 };
const countingScrypt: DeriveKey = (passphrase, params) => {
  kdf.calls++;
  return scryptKey(passphrase, params);
};

const PASSPHRASE = 'correct horse battery staple';
const FAST = 2 ** 10; // scrypt N for tests; the default is exercised once

let root: string;
let file: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-file-store-'));
  file = path.join(root, 'data', 'cognito-creds', 'secrets.json');
  kdf.calls = 0;
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function store(passphrase = PASSPHRASE, extra: Partial<FileStoreOptions> = {}) {
  const asked = { count: 0 };
  const s = new FileSecretStore({
    file,
    passphrase: async () => {
      asked.count++;
      return passphrase;
    },
    kdfCost: FAST,
    deriveKey: countingScrypt,
    ...extra,
  });
  return Object.assign(s, { asked });
}


const readJson = async () => JSON.parse(await fs.readFile(file, 'utf8')) as {
  version: number;
  kdf: { name: string; salt: string; N: number; r: number; p: number };
  check: { iv: string; ct: string; tag: string };
  entries: Record<string, { iv: string; ct: string; tag: string }>;
};

const BIG = 'eyJ'.padEnd(4096, 'AbC.xyz-_9');
const UNICODE = 'pässwörd – 日本語 🔑';

describe('defaultSecretsFile', () => {
  it('uses XDG_DATA_HOME when absolute, else ~/.local/share', () => {
    expect(defaultSecretsFile({ XDG_DATA_HOME: '/x/data' }, '/home/u')).toBe(path.join('/x/data', 'cognito-creds', 'secrets.json'));
    expect(defaultSecretsFile({}, '/home/u')).toBe(path.join('/home/u', '.local', 'share', 'cognito-creds', 'secrets.json'));
    expect(defaultSecretsFile({ XDG_DATA_HOME: 'rel/data' }, '/home/u')).toBe(
      path.join('/home/u', '.local', 'share', 'cognito-creds', 'secrets.json'),
    );
  });
});

describe('FileSecretStore', () => {
  it('round-trips several accounts, a 4 KB value and non-ASCII, and deletes', async () => {
    const s = store();
    await s.set('dev:password', UNICODE);
    await s.set('dev:refresh-token', BIG);
    await s.set('prod:client-secret', 'cs-1');
    await s.set('prod:client-secret', 'cs-2'); // overwritten
    await s.set('', 'empty account name works too');
    await s.set('__proto__', 'no prototype games');
    await s.set('x:empty', '');

    expect(await s.get('dev:password')).toBe(UNICODE);
    expect(await s.get('dev:refresh-token')).toBe(BIG);
    expect(await s.get('prod:client-secret')).toBe('cs-2');
    expect(await s.get('')).toBe('empty account name works too');
    expect(await s.get('__proto__')).toBe('no prototype games');
    expect(await s.get('x:empty')).toBe('');
    expect(await s.get('toString')).toBeNull();
    expect(await s.get('nobody:password')).toBeNull();

    expect(await s.delete('dev:password')).toBe(true);
    expect(await s.delete('dev:password')).toBe(false);
    expect(await s.get('dev:password')).toBeNull();
    expect(await s.get('dev:refresh-token')).toBe(BIG);

    // Asked once, derived once, for all of that.
    expect(s.asked.count).toBe(1);
    expect(kdf.calls).toBe(1);
  });

  it('writes the file 0600 in a 0700 directory, in the versioned format', async () => {
    await store().set('dev:password', 'pw');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    const doc = await readJson();
    expect(doc.version).toBe(1);
    expect(doc.kdf).toMatchObject({ name: 'scrypt', N: FAST, r: 8, p: 1 });
    expect(Buffer.from(doc.kdf.salt, 'base64')).toHaveLength(16);
    expect(Object.keys(doc.entries)).toEqual(['dev:password']);
    const entry = doc.entries['dev:password']!;
    expect(Buffer.from(entry.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(entry.tag, 'base64')).toHaveLength(16);
    expect(Buffer.from(doc.check.iv, 'base64')).toHaveLength(12);
    // No lock file or temporary file left behind.
    expect(await fs.readdir(path.dirname(file))).toEqual(['secrets.json']);
  });

  it('narrows a wider existing directory to 0700', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    await fs.chmod(path.dirname(file), 0o755);
    await store().set('a', 'b');
    expect((await fs.stat(path.dirname(file))).mode & 0o777).toBe(0o700);
  });

  it('keeps neither the values, nor the passphrase, nor the key in the file', async () => {
    const s = store();
    const values = { 'dev:password': 'hunter2-very-secret', 'dev:refresh-token': BIG, 'dev:totp-secret': UNICODE };
    for (const [account, value] of Object.entries(values)) await s.set(account, value);
    const bytes = await fs.readFile(file);
    const text = bytes.toString('utf8');
    for (const value of [...Object.values(values), PASSPHRASE]) {
      expect(bytes.includes(Buffer.from(value, 'utf8'))).toBe(false);
      expect(text).not.toContain(Buffer.from(value, 'utf8').toString('base64'));
      expect(text).not.toContain(Buffer.from(value, 'utf8').toString('hex'));
    }
    const doc = await readJson();
    const key = crypto.scryptSync(PASSPHRASE, Buffer.from(doc.kdf.salt, 'base64'), 32, { N: doc.kdf.N, r: doc.kdf.r, p: doc.kdf.p });
    expect(text).not.toContain(key.toString('base64'));
    expect(text).not.toContain(key.toString('hex'));
    expect(bytes.includes(key)).toBe(false);
    // Account names may be in plain text.
    expect(text).toContain('"dev:password"');
  });

  it('is read by a second instance with the same passphrase', async () => {
    await store().set('dev:password', 'pw1');
    await store().set('dev:refresh-token', BIG); // another instance adds to the same file
    const reader = store();
    expect(await reader.get('dev:password')).toBe('pw1');
    expect(await reader.get('dev:refresh-token')).toBe(BIG);
    expect(reader.asked.count).toBe(1);
  });

  it('refuses a wrong passphrase with the exact message and leaves the file as it was', async () => {
    await store().set('dev:password', 'pw');
    const before = await fs.readFile(file);
    const wrong = store('Correct horse battery staple');
    for (const attempt of [() => wrong.get('dev:password'), () => wrong.set('dev:password', 'other'), () => wrong.set('new:account', 'x')]) {
      const err = await caught(attempt());
      expect(err.kind).toBe('keychain');
      expect(err.message).toBe(`the passphrase for the secrets file ${file} is wrong`);
      expect(err.hint).toBe('Set COGNITO_CREDS_FILE_PASSPHRASE to the passphrase you chose at setup (or type it at the prompt).');
      expect(`${err.message} ${err.hint}`).not.toContain('orse battery');
    }
    expect((await fs.readFile(file)).equals(before)).toBe(true);
    expect(await store().get('dev:password')).toBe('pw');
  });

  it('asks again after a wrong passphrase, so a retry at a prompt can succeed', async () => {
    await store().set('dev:password', 'pw');
    const answers = ['wrong', PASSPHRASE];
    const s = new FileSecretStore({ file, kdfCost: FAST, passphrase: async () => answers.shift()! });
    expect((await caught(s.get('dev:password'))).message).toContain('is wrong');
    expect(await s.get('dev:password')).toBe('pw');
  });

  it('does not open an entry moved to another account name (the account is authenticated)', async () => {
    const s = store();
    await s.set('dev:password', 'dev-pw');
    await s.set('prod:password', 'prod-pw');
    const doc = await readJson();
    const dev = doc.entries['dev:password']!;
    doc.entries['dev:password'] = doc.entries['prod:password']!;
    doc.entries['prod:password'] = dev;
    doc.entries['evil:password'] = dev;
    await fs.writeFile(file, JSON.stringify(doc));

    const reader = store();
    for (const account of ['dev:password', 'prod:password', 'evil:password']) {
      const err = await caught(reader.get(account));
      expect(err.kind).toBe('keychain');
      expect(err.message).toBe(
        `the secrets file ${file} is damaged: its entry "${account}" fails authentication (the passphrase is right)`,
      );
      expect(err.hint).toContain(`Remove ${file}`);
      expect(err.hint).toContain('setup');
    }
  });

  it('reports a flipped ciphertext byte in one entry as that entry being damaged', async () => {
    const s = store();
    await s.set('dev:password', 'pw');
    await s.set('dev:refresh-token', BIG);
    const doc = await readJson();
    const ct = Buffer.from(doc.entries['dev:refresh-token']!.ct, 'base64');
    ct[100] = ct[100]! ^ 0x01;
    doc.entries['dev:refresh-token']!.ct = ct.toString('base64');
    await fs.writeFile(file, JSON.stringify(doc));

    const reader = store();
    const err = await caught(reader.get('dev:refresh-token'));
    expect(err.kind).toBe('keychain');
    expect(err.message).toContain(`the secrets file ${file} is damaged`);
    expect(err.message).toContain('"dev:refresh-token"');
    expect(err.message).not.toMatch(/unable to authenticate|Unsupported state/i);
    expect(err.hint).toBe(`Remove ${file} and run \`cognito-creds setup\` again to store your secrets anew.`);
    expect(await reader.get('dev:password')).toBe('pw'); // the others are fine
  });

  it.each([
    ['not JSON', () => '{"version": 1, '],
    ['an array', () => '[]'],
    ['another version', async () => JSON.stringify({ ...(await readJson()), version: 2 })],
    ['no kdf', async () => JSON.stringify({ ...(await readJson()), kdf: undefined })],
    ['a huge N', async () => { const d = await readJson(); d.kdf.N = 2 ** 30; return JSON.stringify(d); }],
    ['a bad IV', async () => { const d = await readJson(); d.entries['a']!.iv = 'AAAA'; return JSON.stringify(d); }],
    ['bad base64', async () => { const d = await readJson(); d.check.tag = '!!'; return JSON.stringify(d); }],
  ])('reports a damaged file (%s) naming the file', async (_what, damage) => {
    await store().set('a', 'b');
    await fs.writeFile(file, await damage());
    const s = store();
    for (const attempt of [() => s.get('a'), () => s.set('a', 'c'), () => s.delete('a')]) {
      const err = await caught(attempt());
      expect(err.kind).toBe('keychain');
      expect(err.message).toContain(`the secrets file ${file} is damaged`);
      expect(err.hint).toContain(`Remove ${file} and run`);
      expect(err.stack ?? '').not.toContain('SyntaxError');
    }
  });

  it('never asks the passphrase to read or delete what is not there, or to delete', async () => {
    const s = store();
    expect(await s.get('dev:password')).toBeNull(); // no directory
    expect(await s.delete('dev:password')).toBe(false);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    expect(await s.get('dev:password')).toBeNull(); // no file
    expect(await s.delete('dev:password')).toBe(false);
    expect(s.asked.count).toBe(0);

    await store().set('dev:password', 'pw');
    const t = store();
    expect(await t.get('other:password')).toBeNull();
    expect(await t.delete('other:password')).toBe(false);
    expect(await t.delete('dev:password')).toBe(true);
    expect(t.asked.count).toBe(0);
    expect(kdf.calls).toBe(1); // only the writer's
  });

  it('keeps both of two concurrent sets from two instances', async () => {
    for (let round = 0; round < 3; round++) {
      await fs.rm(path.dirname(file), { recursive: true, force: true });
      const a = store();
      const b = store();
      const c = store();
      await Promise.all([a.set('dev:password', 'A'), b.set('prod:password', 'B'), c.set('test:password', 'C')]);
      const reader = store();
      expect(await reader.get('dev:password')).toBe('A');
      expect(await reader.get('prod:password')).toBe('B');
      expect(await reader.get('test:password')).toBe('C');
      await Promise.all([a.set('dev:refresh-token', BIG), b.delete('test:password'), c.set('prod:password', 'B2')]);
      expect(await reader.get('dev:refresh-token')).toBe(BIG);
      expect(await reader.get('test:password')).toBeNull();
      expect(await reader.get('prod:password')).toBe('B2');
    }
  });

  it('refuses an empty passphrase and creates no file', async () => {
    const s = store('');
    const err = await caught(s.set('dev:password', 'pw'));
    expect(err.kind).toBe('usage');
    expect(err.message).toContain(file);
    await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });

    await store().set('dev:password', 'pw');
    expect((await caught(s.get('dev:password'))).kind).toBe('usage');
  });

  it('passes on an error of the passphrase function as it is', async () => {
    await store().set('dev:password', 'pw');
    const cancelled = new CredsError('usage', 'no terminal to ask the passphrase');
    const s = new FileSecretStore({ file, kdfCost: FAST, passphrase: () => Promise.reject(cancelled) });
    await expect(s.get('dev:password')).rejects.toBe(cancelled);
  });

  it('refuses a symlinked directory', async () => {
    const real = path.join(root, 'elsewhere');
    await fs.mkdir(real, { mode: 0o700 });
    await fs.mkdir(path.join(root, 'data'));
    await fs.symlink(real, path.dirname(file));
    const s = store();
    for (const attempt of [() => s.set('dev:password', 'pw'), () => s.get('dev:password'), () => s.delete('dev:password')]) {
      const err = await caught(attempt());
      expect(err.kind).toBe('keychain');
      expect(err.message).toBe(`the directory ${path.dirname(file)} of the secrets file is a symbolic link; refusing to use it`);
    }
    expect(await fs.readdir(real)).toEqual([]);
  });

  it('refuses a symlinked file', async () => {
    await store().set('a', 'b');
    const other = path.join(root, 'other.json');
    await fs.rename(file, other);
    await fs.symlink(other, file);
    const err = await caught(store().get('a'));
    expect(err.message).toBe(`the secrets file ${file} is a symbolic link; refusing to use it`);
  });

  it('refuses a directory that belongs to another uid', async () => {
    await store().set('a', 'b');
    const uid = (await fs.stat(path.dirname(file))).uid + 1;
    const err = await caught(store(PASSPHRASE, { uid }).get('a'));
    expect(err.message).toContain('belongs to uid');
  });

  it('creates a new file with scrypt N = 2^15, r = 8, p = 1 by default', async () => {
    expect(DEFAULT_KDF_COST).toBe(2 ** 15);
    const s = new FileSecretStore({ file, passphrase: async () => PASSPHRASE });
    await s.set('dev:password', 'pw');
    expect((await readJson()).kdf).toMatchObject({ name: 'scrypt', N: 32768, r: 8, p: 1 });
    // A reader takes the parameters from the file, whatever its own kdfCost.
    expect(await store().get('dev:password')).toBe('pw');
  });
});
