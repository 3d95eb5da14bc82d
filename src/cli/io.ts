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

export function debugLog(io: Io, debug: boolean): DebugLog {
  return createDebugLog(debug, io.stderr);
}
