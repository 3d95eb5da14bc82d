/** What a command needs from the outside world, with production defaults; tests pass their own. */
import { existsSync, writeSync } from 'node:fs';
import os from 'node:os';
import type { CredentialsContext } from '../credentials/profile-credentials.js';
import type { SignInDeps } from '../credentials/sign-in.js';
import { createDebugLog, type DebugLog } from '../log/debug.js';
import type { SecretStoreChoice } from '../config/keys.js';
import { CredsError } from '../errors.js';
import type { KeytarSecretStore } from '../secrets/keytar-store.js';
import type { SecretStore } from '../secrets/store.js';

export interface Io {
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  now: () => number;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadableStream;
  stdinIsTTY: boolean;
  /** The secret store a profile chose, created on first use (keytar is loaded only then). */
  secrets: (choice?: SecretStoreChoice) => Promise<SecretStore>;
  /** How credential_process lines written by setup start: node and this program, quoted. */
  selfCommand?: string;
  /** Ask on the controlling terminal (an MFA code); undefined when there is none. Default: /dev/tty. */
  terminal?: (question: string) => Promise<string | undefined>;
  /** Waiting; tests pass one that moves their clock instead. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Called by main once the command's output is written, with its exit code. Production: when a
   * keychain call never answered, the process ends now rather than when keytar's thread lets go.
   */
  settle?: (code: number) => Promise<void>;
}

export function defaultIo(): Io {
  const stores = new Map<SecretStoreChoice, Promise<SecretStore>>();
  let keychain: KeytarSecretStore | undefined;
  const io: Io = {
    env: process.env,
    home: os.homedir(),
    now: Date.now,
    stdout: (t) => writeFd(1, t),
    stderr: (t) => writeFd(2, t),
    // Getters: creating process.stdin loads Node's stream machinery, which the warm path never needs.
    get stdin() {
      return process.stdin;
    },
    get stdinIsTTY() {
      return Boolean(process.stdin.isTTY);
    },
    secrets: (choice = 'keychain') => {
      let store = stores.get(choice);
      if (!store) {
        store =
          choice === 'file'
            ? fileStore(io)
            : import('../secrets/keytar-store.js').then((m) => (keychain = new m.KeytarSecretStore({ timeoutMs: m.keychainTimeout(io.env), env: io.env })));
        stores.set(choice, store);
      }
      return store;
    },
    settle: async (code) => keychain?.settle(code),
  };
  return io;
}

/** Descriptors whose reader went away (EPIPE): what is still written to them is dropped. */
const closed = new Set<number>();

/**
 * Write straight to the file descriptor: creating process.stdout (a stream over a pipe) costs the
 * warm path milliseconds. The write is complete when this returns. Should the descriptor be
 * non-blocking and full (EAGAIN), the rest goes through the stream as usual. A reader that closed
 * the pipe (`cognito-creds doctor | head -1`) is not an error: the rest of the output is dropped
 * and the command ends as it would have.
 */
export function writeFd(fd: 1 | 2, text: string): void {
  if (closed.has(fd)) return;
  let buffer = Buffer.from(text, 'utf8');
  while (buffer.length > 0) {
    let written: number;
    try {
      written = writeSync(fd, buffer);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') {
        closed.add(fd);
        return;
      }
      if (code !== 'EAGAIN') throw err;
      const stream = fd === 1 ? process.stdout : process.stderr;
      if (stream.listenerCount('error') === 0) stream.on('error', () => closed.add(fd));
      stream.write(buffer);
      return;
    }
    buffer = buffer.subarray(written);
  }
}

/** The encrypted file; its passphrase from COGNITO_CREDS_FILE_PASSPHRASE, else asked on the terminal. */
async function fileStore(io: Io): Promise<SecretStore> {
  const { FileSecretStore, defaultSecretsFile } = await import('../secrets/file-store.js');
  const file = defaultSecretsFile(io.env, io.home);
  let mismatch: CredsError | undefined; // asked once: what runs after the failure must not ask again
  return new FileSecretStore({
    file,
    passphrase: async () => {
      const fromEnv = io.env.COGNITO_CREDS_FILE_PASSPHRASE;
      if (fromEnv) return fromEnv;
      if (mismatch) throw mismatch;
      const { askOnTerminal } = await import('./tty.js');
      const fresh = !existsSync(file);
      const answer = await askOnTerminal(`cognito-creds: ${fresh ? 'a new passphrase' : 'passphrase'} for ${file}: `, true, fresh ? 'setup' : 'the passphrase prompt');
      if (answer === undefined) {
        throw new CredsError('keychain', `the secrets file ${file} needs its passphrase and there is no terminal to ask on`, 'Set COGNITO_CREDS_FILE_PASSPHRASE (see docs/security.md for its risks).');
      }
      // A new file's passphrase is typed twice: a typo there would lock the secrets away for good.
      if (fresh && answer !== '' && (await askOnTerminal('cognito-creds: the same passphrase again: ', true, 'setup')) !== answer) {
        mismatch = new CredsError('usage', `the two passphrases for the new secrets file ${file} differ; nothing was saved`, 'Run setup again and type the same passphrase twice.');
        throw mismatch;
      }
      return answer;
    },
  });
}

/** The terminal prompt: the injected one, else /dev/tty (loaded only when a question comes). */
export function terminalPrompt(io: Io): (question: string) => Promise<string | undefined> {
  return io.terminal ?? (async (question) => (await import('./tty.js')).askOnTerminal(question));
}

export function debugLog(io: Io, debug: boolean): DebugLog {
  return createDebugLog(debug, io.stderr);
}

/** What a sign-in needs (src/credentials/sign-in.ts), from the Io. */
export function signInDeps(io: Io, log: DebugLog): SignInDeps {
  return { log, env: io.env, now: io.now, prompt: terminalPrompt(io), ...(io.sleep ? { sleep: io.sleep } : {}) };
}

/** What a profile's credentials need (src/credentials/profile-credentials.ts), from the Io. */
export function credentialsContext(io: Io, log: DebugLog): CredentialsContext {
  return {
    ...signInDeps(io, log),
    home: io.home,
    warn: (message) => io.stderr(`cognito-creds: warning: ${message}\n`),
    secrets: (choice) => io.secrets(choice),
  };
}
