/**
 * The keychain's states apart from the CLI: the Secret Service question (searchItems, over a unix
 * socket), KeytarSecretStore's "locked" and time-out handling, COGNITO_CREDS_KEYCHAIN_TIMEOUT, and
 * main handing the exit code to the Io's settle once the output is written.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { Io } from '../../../src/cli/io.js';
import { isCredsError } from '../../../src/errors.js';
import { keychainError, keychainTimeout, KeytarSecretStore } from '../../../src/secrets/keytar-store.js';
import { searchItems, sessionBusPath } from '../../../src/secrets/secret-service.js';
import { absenceOf, isLockedError } from '../../../src/secrets/store.js';
import { MemorySecretStore } from '../../support/memory-store.js';

describe('sessionBusPath', () => {
  it('takes the first unix address, unescaped, else $XDG_RUNTIME_DIR/bus', () => {
    expect(sessionBusPath({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus,guid=abc' })).toBe('/run/user/1000/bus');
    expect(sessionBusPath({ DBUS_SESSION_BUS_ADDRESS: 'tcp:host=x,port=1;unix:path=/tmp/a%20b' })).toBe('/tmp/a b');
    expect(sessionBusPath({ DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/dbus-XYZ,guid=1' })).toBe('\0/tmp/dbus-XYZ');
    expect(sessionBusPath({ XDG_RUNTIME_DIR: '/run/user/7' })).toBe('/run/user/7/bus');
    expect(sessionBusPath({})).toBeUndefined();
    expect(sessionBusPath({ DBUS_SESSION_BUS_ADDRESS: 'tcp:host=127.0.0.1,port=5' })).toBeUndefined();
  });
});

describe('searchItems fails, within its bound, when the bus does not do its part', () => {
  const dirs: string[] = [];
  const servers: net.Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) s.close();
    for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
  });
  async function bus(onData: (socket: net.Socket, data: Buffer) => void): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-bus-'));
    dirs.push(dir);
    const socketPath = path.join(dir, 'bus');
    const server = net.createServer((socket) => socket.on('data', (d) => onData(socket, d)));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return socketPath;
  }

  it('no socket: rejects at once', async () => {
    await expect(searchItems({ service: 'cognito-creds' }, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' })).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(searchItems({ service: 'cognito-creds' }, {})).rejects.toThrow('no D-Bus session bus address');
  });

  it('a bus that refuses the authentication', async () => {
    const p = await bus((socket) => socket.write('REJECTED EXTERNAL\r\n'));
    await expect(searchItems({}, { DBUS_SESSION_BUS_ADDRESS: `unix:path=${p}` })).rejects.toThrow('the D-Bus session bus refused the authentication (REJECTED EXTERNAL)');
  });

  it('a bus that never answers: rejects after timeoutMs', async () => {
    const sent: string[] = [];
    const p = await bus((_socket, data) => void sent.push(data.toString('latin1')));
    const t0 = performance.now();
    await expect(searchItems({}, { DBUS_SESSION_BUS_ADDRESS: `unix:path=${p}` }, 150)).rejects.toThrow('no answer from the D-Bus session bus in 150 ms');
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(sent.join('')).toBe(`\0AUTH EXTERNAL ${Buffer.from(String(process.getuid?.()), 'ascii').toString('hex')}\r\n`);
  });
});

describe('KeytarSecretStore', () => {
  const keytar = { getPassword: async () => null, setPassword: async () => undefined, deletePassword: async () => false };

  it('absence: "locked" only when the Secret Service lists the item as locked, and only on Linux', async () => {
    const answers = { locked: { unlocked: [], locked: ['/i/1'] }, none: { unlocked: [], locked: [] } };
    const asked: Array<Record<string, string>> = [];
    const store = (answer: keyof typeof answers | 'fails', platform: NodeJS.Platform = 'linux') =>
      new KeytarSecretStore({
        platform,
        load: async () => keytar,
        search: async (attributes) => {
          asked.push(attributes);
          if (answer === 'fails') throw new Error('no bus');
          return answers[answer];
        },
      });
    expect(await absenceOf(store('locked'), 'dev:password')).toBe('locked');
    expect(asked).toEqual([{ service: 'cognito-creds', account: 'dev:password' }]);
    expect(await absenceOf(store('none'), 'dev:password')).toBe('missing');
    expect(await absenceOf(store('fails'), 'dev:password')).toBe('missing');
    expect(await absenceOf(store('locked', 'darwin'), 'dev:password')).toBe('missing');
    expect(asked).toHaveLength(3);
    expect(await absenceOf(new MemorySecretStore(), 'dev:password')).toBe('missing');
  });

  it('keytar\'s "locked" failures become the locked error; others stay as they were', () => {
    const linux = keychainError('write', new Error('Cannot create an item in a locked collection'), 'linux');
    expect([linux.kind, linux.message, isLockedError(linux)]).toEqual(['keychain', 'cannot write the keychain: it is locked (Cannot create an item in a locked collection)', true]);
    const mac = keychainError('read', new Error('User interaction is not allowed.'), 'darwin');
    expect([mac.message, mac.hint, isLockedError(mac)]).toEqual([
      'cannot read the keychain: it is locked (User interaction is not allowed.)',
      'Unlock your login keychain (Keychain Access, or `security unlock-keychain` in a terminal), then try again.',
      true,
    ]);
    const other = keychainError('read', new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'), 'linux');
    expect([other.message, isLockedError(other)]).toEqual(['cannot read the keychain: no usable D-Bus Secret Service (Cannot autolaunch D-Bus without X11 $DISPLAY)', false]);
  });

  it('settle does nothing when no call is hung', async () => {
    const store = new KeytarSecretStore({ platform: 'linux', load: async () => keytar });
    expect(await store.get('x')).toBeNull();
    expect(store.abandoned).toBe(false);
    await store.settle(0);
    expect(process.exitCode).toBeUndefined();
  });
});

describe('COGNITO_CREDS_KEYCHAIN_TIMEOUT', () => {
  it('seconds, default 30, anything else a usage error', () => {
    expect(keychainTimeout({})).toBe(30_000);
    expect(keychainTimeout({ COGNITO_CREDS_KEYCHAIN_TIMEOUT: '' })).toBe(30_000);
    expect(keychainTimeout({ COGNITO_CREDS_KEYCHAIN_TIMEOUT: '2.5' })).toBe(2_500);
    for (const bad of ['0', '-1', 'abc', '601']) {
      let err: unknown;
      try {
        keychainTimeout({ COGNITO_CREDS_KEYCHAIN_TIMEOUT: bad });
      } catch (e) {
        err = e;
      }
      expect(isCredsError(err) && [err.kind, err.message, err.hint]).toEqual([
        'usage',
        `COGNITO_CREDS_KEYCHAIN_TIMEOUT = ${JSON.stringify(bad)} is not a number of seconds between 0 and 600`,
        'Set it to, for example, 30, or unset it.',
      ]);
    }
  });
});

describe('main', () => {
  it('hands the exit code to io.settle once the output is written, on success and on failure', async () => {
    const events: string[] = [];
    const io: Io = {
      env: {},
      home: os.tmpdir(),
      now: Date.now,
      stdout: (t) => void events.push(`stdout ${t.length > 0}`),
      stderr: (t) => void events.push(`stderr ${t.split('\n')[0]}`),
      stdin: Readable.from([]),
      stdinIsTTY: false,
      secrets: async () => new MemorySecretStore(),
      settle: async (code) => void events.push(`settle ${code}`),
    };
    expect(await main(['--version'], io)).toBe(0);
    expect(await main(['credential-process', '--bogus'], io)).toBe(2);
    expect(events).toEqual(['stdout true', 'settle 0', 'stderr cognito-creds: Unknown argument: bogus', 'settle 2']);
  });
});
