/** What a command needs from the outside world, with production defaults; tests pass their own. */
import os from 'node:os';
import type { CognitoApi, CognitoApiOptions } from '../cognito/api.js';
import { createDebugLog, type DebugLog } from '../log/debug.js';
import type { SecretStore } from '../secrets/store.js';

export interface Io {
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  now: () => number;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadableStream;
  stdinIsTTY: boolean;
  /** The secret store, created on first use (keytar is loaded only then). */
  secrets: () => Promise<SecretStore>;
  createApi?: (options: CognitoApiOptions) => Promise<CognitoApi>;
  /** How credential_process lines written by setup start: node and this program, quoted. */
  selfCommand?: string;
  /** Ask on the controlling terminal (an MFA code); undefined when there is none. Default: /dev/tty. */
  terminal?: (question: string) => Promise<string | undefined>;
  /** Waiting; tests pass one that moves their clock instead. */
  sleep?: (ms: number) => Promise<void>;
}

export function defaultIo(): Io {
  let store: Promise<SecretStore> | undefined;
  return {
    env: process.env,
    home: os.homedir(),
    now: Date.now,
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: process.stdin,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    secrets: () => (store ??= import('../secrets/keytar-store.js').then((m) => new m.KeytarSecretStore())),
  };
}

/** The terminal prompt: the injected one, else /dev/tty (loaded only when a question comes). */
export function terminalPrompt(io: Io): (question: string) => Promise<string | undefined> {
  return io.terminal ?? (async (question) => (await import('./tty.js')).askOnTerminal(question));
}

export function debugLog(io: Io, debug: boolean): DebugLog {
  return createDebugLog(debug, io.stderr);
}
