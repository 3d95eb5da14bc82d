/** The OS keychain through keytar, loaded only when a secret is really needed. */
import { CredsError, firstLine } from '../errors.js';
import type { SearchResult } from './secret-service.js';
import { type Absence, KEYCHAIN_SERVICE, lockedError, type SecretStore } from './store.js';

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface KeytarStoreOptions {
  /** Bound on one keychain call (a GUI unlock prompt may hold it). */
  timeoutMs?: number;
  platform?: NodeJS.Platform;
  load?: () => Promise<Keytar>;
  /** The Secret Service's SearchItems (Linux), asked when keytar found nothing; default: over D-Bus. */
  search?: (attributes: Record<string, string>) => Promise<SearchResult>;
  /** Where the session bus is (DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR); default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export class KeytarSecretStore implements SecretStore {
  private keytar: Promise<Keytar> | undefined;
  private readonly timeoutMs: number;
  private readonly platform: NodeJS.Platform;
  private readonly load: () => Promise<Keytar>;
  private readonly search: (attributes: Record<string, string>) => Promise<SearchResult>;
  /** Calls that timed out and have not answered since: they hold a thread the process waits for on exit. */
  private hung = 0;

  constructor(options: KeytarStoreOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS;
    this.platform = options.platform ?? process.platform;
    this.load = options.load ?? loadKeytar;
    const env = options.env ?? process.env;
    this.search = options.search ?? (async (attributes) => (await import('./secret-service.js')).searchItems(attributes, env));
  }

  private get noAnswer(): string {
    return `no answer from the keychain in ${seconds(this.timeoutMs)} s`;
  }

  /** Whether a call timed out and still holds keytar's thread (the process then cannot exit by itself). */
  get abandoned(): boolean {
    return this.hung > 0;
  }

  /** Once the output is written: when a call never answered, end the process with `code` promptly. */
  async settle(code: number): Promise<void> {
    if (this.hung > 0) await (await import('./release-bus.js')).exitPromptly(code);
  }

  get(account: string): Promise<string | null> {
    return this.call('read', (k) => k.getPassword(KEYCHAIN_SERVICE, account));
  }

  set(account: string, secret: string): Promise<void> {
    return this.call('write', (k) => k.setPassword(KEYCHAIN_SERVICE, account, secret));
  }

  delete(account: string): Promise<boolean> {
    return this.call('delete', (k) => k.deletePassword(KEYCHAIN_SERVICE, account));
  }

  /**
   * libsecret answers a locked item as a missing one (a read gives null, a delete false): the
   * Secret Service itself tells them apart. Anything that goes wrong asking it: missing, as before.
   */
  async absence(account: string): Promise<Absence> {
    if (this.platform !== 'linux') return 'missing';
    const found = await this.search({ service: KEYCHAIN_SERVICE, account }).catch(() => undefined);
    return found && found.locked.length > 0 && found.unlocked.length === 0 ? 'locked' : 'missing';
  }

  private async call<T>(what: string, op: (k: Keytar) => Promise<T>): Promise<T> {
    this.keytar ??= this.load();
    let keytar: Keytar;
    try {
      keytar = await this.keytar;
    } catch (err) {
      throw new CredsError(
        'keychain',
        `cannot load the keychain library keytar: ${firstLine(err)}`,
        'Reinstall cognito-creds so its native module builds (on Linux it needs libsecret-1-dev).',
        { cause: err },
      );
    }
    // A call still unanswered after its time-out: the keychain is not answering, and each new call
    // would hold one more thread that the process must wait for on exit. Fail at once instead.
    if (this.hung > 0) throw keychainError(what, new Error(this.noAnswer), this.platform);
    let timer: NodeJS.Timeout | undefined;
    const pending = op(keytar);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.hung++;
        const settled = () => void this.hung--;
        pending.then(settled, settled);
        reject(new Error(this.noAnswer));
      }, this.timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (err) {
      throw keychainError(what, err, this.platform);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Bound on one keychain call: a GUI unlock prompt may hold it while the person types. */
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 30_000;

/** `COGNITO_CREDS_KEYCHAIN_TIMEOUT` in seconds, else the default. */
export function keychainTimeout(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.COGNITO_CREDS_KEYCHAIN_TIMEOUT;
  if (raw === undefined || raw === '') return DEFAULT_KEYCHAIN_TIMEOUT_MS;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 600) {
    throw new CredsError('usage', `COGNITO_CREDS_KEYCHAIN_TIMEOUT = ${JSON.stringify(raw)} is not a number of seconds between 0 and 600`, 'Set it to, for example, 30, or unset it.');
  }
  return Math.round(value * 1000);
}

const seconds = (ms: number) => (ms < 10_000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000));

async function loadKeytar(): Promise<Keytar> {
  const mod = (await import('keytar')) as unknown as { default?: Keytar } & Keytar;
  return mod.default ?? mod;
}

/** A keychain failure as the person should read it; on Linux, name the Secret Service. */
export function keychainError(what: string, err: unknown, platform: NodeJS.Platform): CredsError {
  const detail = firstLine(err);
  if (isLockedFailure(detail, platform)) return lockedError(`cannot ${what} the keychain: it is locked (${detail})`, platform, err);
  if (platform === 'linux') {
    return new CredsError(
      'keychain',
      `cannot ${what} the keychain: no usable D-Bus Secret Service (${detail})`,
      'Unlock your desktop keyring. With none (a headless box, WSL): run `dbus-run-session -- bash`, then ' +
        '`gnome-keyring-daemon --unlock --components=secrets`, or keep the secrets in an encrypted file: `cognito-creds setup --secret-store file` (docs/troubleshooting.md).',
      { cause: err },
    );
  }
  return new CredsError(
    'keychain',
    `cannot ${what} the keychain: ${detail}`,
    platform === 'darwin'
      ? 'Unlock your login keychain (Keychain Access) and allow cognito-creds to use it.'
      : 'Check that the Windows Credential Manager is available to your user.',
    { cause: err },
  );
}


/**
 * keytar's failures that mean "locked": libsecret's "Cannot create an item in a locked
 * collection" (and the Secret Service's IsLocked errors); macOS's errSecInteractionNotAllowed,
 * which a locked keychain answers where no unlock dialog can be shown (an ssh session).
 */
function isLockedFailure(detail: string, platform: NodeJS.Platform): boolean {
  if (platform === 'linux') return /\blocked (collection|object|item)\b|\bIsLocked\b/i.test(detail);
  if (platform === 'darwin') return /interaction is not allowed/i.test(detail);
  return false;
}
