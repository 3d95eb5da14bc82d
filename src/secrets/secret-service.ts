/**
 * Just enough D-Bus to ask the Secret Service one question that libsecret (and so keytar) never
 * answers: is an item stored, but locked? A lookup of a locked item answers "no password" and a
 * delete of one deletes nothing, both silently, as if nothing were stored. SearchItems answers
 * the unlocked and the locked items apart, without unlocking anything or showing a prompt.
 *
 * Asked only after keytar found nothing (never on the warm path, which reads no keychain), on a
 * connection of its own to the session bus: the SASL EXTERNAL handshake, Hello, SearchItems.
 */
import net from 'node:net';

export interface SearchResult {
  unlocked: string[];
  locked: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** The Secret Service's SearchItems for these attributes; rejects on any failure or after `timeoutMs`. */
export function searchItems(attributes: Record<string, string>, env: Env, timeoutMs = 2_000): Promise<SearchResult> {
  const socketPath = sessionBusPath(env);
  if (socketPath === undefined) return Promise.reject(new Error('no D-Bus session bus address'));
  const hello = methodCall(1, { path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member: 'Hello', dest: 'org.freedesktop.DBus' });
  const search = methodCall(
    2,
    { path: '/org/freedesktop/secrets', iface: 'org.freedesktop.Secret.Service', member: 'SearchItems', dest: 'org.freedesktop.secrets', signature: 'a{ss}' },
    dictOfStrings(attributes),
  );
  return new Promise<SearchResult>((resolve, reject) => {
    const socket = net.createConnection({ path: socketPath });
    const timer = setTimeout(() => finish(new Error(`no answer from the D-Bus session bus in ${timeoutMs} ms`)), timeoutMs);
    let settled = false;
    const finish = (err: Error | undefined, result?: SearchResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(result as SearchResult);
    };
    let authenticated = false;
    let input = Buffer.alloc(0);
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error('the D-Bus session bus closed the connection')));
    socket.on('connect', () => {
      const uid = String(process.getuid?.() ?? '');
      socket.write(`\0AUTH EXTERNAL ${Buffer.from(uid, 'ascii').toString('hex')}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      input = Buffer.concat([input, chunk]);
      try {
        if (!authenticated) {
          const end = input.indexOf('\r\n');
          if (end === -1) return;
          const line = input.subarray(0, end).toString('ascii');
          if (!line.startsWith('OK ')) throw new Error(`the D-Bus session bus refused the authentication (${line.slice(0, 80)})`);
          authenticated = true;
          input = input.subarray(end + 2);
          socket.write(Buffer.concat([Buffer.from('BEGIN\r\n', 'ascii'), hello, search]));
        }
        for (let message = takeMessage(input); message; message = takeMessage(input)) {
          input = input.subarray(message.size);
          if (message.replySerial !== 2) continue;
          if (message.type === ERROR) throw new Error(`${message.errorName ?? 'D-Bus error'}: ${message.errorText ?? ''}`);
          if (message.type === METHOD_RETURN) finish(undefined, readSearchResult(message));
        }
      } catch (err) {
        finish(err as Error);
      }
    });
  });
}

/** The session bus's socket: DBUS_SESSION_BUS_ADDRESS's first unix address, else $XDG_RUNTIME_DIR/bus. */
export function sessionBusPath(env: Env): string | undefined {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (address === undefined || address === '') return env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR}/bus` : undefined;
  for (const entry of address.split(';')) {
    if (!entry.startsWith('unix:')) continue;
    const keys = new Map(entry.slice('unix:'.length).split(',').map((kv) => {
      const eq = kv.indexOf('=');
      return [kv.slice(0, eq), decodeURIComponent(kv.slice(eq + 1))] as const;
    }));
    if (keys.has('path')) return keys.get('path');
    if (keys.has('abstract')) return `\0${keys.get('abstract')}`;
  }
  return undefined;
}

const METHOD_CALL = 1;
const METHOD_RETURN = 2;
const ERROR = 3;

/** Little-endian D-Bus marshalling of the few types these two calls need. */
class Writer {
  private readonly bytes: number[] = [];
  get length(): number {
    return this.bytes.length;
  }
  pad(n: number): void {
    while (this.bytes.length % n !== 0) this.bytes.push(0);
  }
  u8(v: number): void {
    this.bytes.push(v & 0xff);
  }
  u32(v: number): void {
    this.pad(4);
    this.bytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  setU32(at: number, v: number): void {
    this.bytes.splice(at, 4, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u32(b.length);
    this.bytes.push(...b, 0);
  }
  signature(s: string): void {
    this.u8(s.length);
    this.bytes.push(...Buffer.from(s, 'ascii'), 0);
  }
  /** An array whose elements align to `align`, with its length in bytes in front. */
  array(align: number, write: () => void): void {
    this.u32(0);
    const at = this.length - 4;
    this.pad(align);
    const start = this.length;
    write();
    this.setU32(at, this.length - start);
  }
  buffer(): Buffer {
    return Buffer.from(this.bytes);
  }
}

function dictOfStrings(entries: Record<string, string>): Buffer {
  const w = new Writer();
  w.array(8, () => {
    for (const [k, v] of Object.entries(entries)) {
      w.pad(8);
      w.string(k);
      w.string(v);
    }
  });
  return w.buffer();
}

interface Call {
  path: string;
  iface: string;
  member: string;
  dest: string;
  signature?: string;
}

function methodCall(serial: number, call: Call, body: Buffer = Buffer.alloc(0)): Buffer {
  const h = new Writer();
  for (const b of [0x6c /* 'l' */, METHOD_CALL, 0, 1]) h.u8(b);
  h.u32(body.length);
  h.u32(serial);
  const fields: Array<[number, string, string]> = [
    [1, 'o', call.path],
    [2, 's', call.iface],
    [3, 's', call.member],
    [6, 's', call.dest],
    ...(call.signature ? [[8, 'g', call.signature] as [number, string, string]] : []),
  ];
  h.array(8, () => {
    for (const [code, type, value] of fields) {
      h.pad(8);
      h.u8(code);
      h.signature(type);
      if (type === 'g') h.signature(value);
      else h.string(value);
    }
  });
  h.pad(8);
  return Buffer.concat([h.buffer(), body]);
}

interface Message {
  type: number;
  size: number;
  replySerial?: number | undefined;
  errorName?: string | undefined;
  errorText?: string | undefined;
  read: Reader;
  bodyAt: number;
}

/** Reads either byte order, at offsets from the message's start (where D-Bus alignment counts from). */
class Reader {
  constructor(readonly buf: Buffer, private readonly little: boolean) {}
  u32(at: number): number {
    return this.little ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }
  /** A string or object path at `at` (aligned first): its text and the offset after it. */
  string(at: number): [string, number] {
    const o = align(at, 4);
    const len = this.u32(o);
    return [this.buf.toString('utf8', o + 4, o + 4 + len), o + 4 + len + 1];
  }
  signature(at: number): [string, number] {
    const len = this.buf[at] ?? 0;
    return [this.buf.toString('ascii', at + 1, at + 1 + len), at + 1 + len + 1];
  }
}

const align = (at: number, n: number) => Math.ceil(at / n) * n;

/** The first whole message in `input`, or undefined while more bytes are needed. */
function takeMessage(input: Buffer): Message | undefined {
  if (input.length < 16) return undefined;
  const read = new Reader(input, input[0] === 0x6c);
  const fieldsLength = read.u32(12);
  const bodyAt = align(16 + fieldsLength, 8);
  const size = bodyAt + read.u32(4);
  if (input.length < size) return undefined;
  const message: Message = { type: input[1] ?? 0, size, read, bodyAt };
  let signature = '';
  for (let o = 16; o < 16 + fieldsLength; ) {
    o = align(o, 8);
    const code = input[o] ?? 0;
    const [type, afterType] = read.signature(o + 1);
    o = afterType;
    if (type === 'u') {
      o = align(o, 4);
      if (code === 5) message.replySerial = read.u32(o);
      o += 4;
    } else if (type === 's' || type === 'o') {
      const [value, after] = read.string(o);
      if (code === 4) message.errorName = value;
      o = after;
    } else if (type === 'g') {
      const [value, after] = read.signature(o);
      if (code === 8) signature = value;
      o = after;
    } else {
      throw new Error(`unexpected D-Bus header field type ${type}`);
    }
  }
  if (message.type === ERROR && signature.startsWith('s')) message.errorText = read.string(bodyAt)[0];
  return message;
}

/** SearchItems' answer, (ao ao): the unlocked and the locked items' object paths. */
function readSearchResult({ read, bodyAt, size }: Message): SearchResult {
  const paths = (at: number): [string[], number] => {
    const o = align(at, 4);
    const end = o + 4 + read.u32(o);
    const out: string[] = [];
    for (let p = o + 4; p < end && p < size; ) {
      const [value, after] = read.string(p);
      out.push(value);
      p = after;
    }
    return [out, end];
  };
  const [unlocked, next] = paths(bodyAt);
  const [locked] = paths(next);
  return { unlocked, locked };
}
