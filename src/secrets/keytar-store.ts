/** The OS keychain through keytar, loaded only when a secret is really needed. */
import { CredsError, firstLine } from '../errors.js';
import { KEYCHAIN_SERVICE, type SecretStore } from './store.js';

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
}

export class KeytarSecretStore implements SecretStore {
  private keytar: Promise<Keytar> | undefined;
  private readonly timeoutMs: number;
  private readonly platform: NodeJS.Platform;
  private readonly load: () => Promise<Keytar>;

  constructor(options: KeytarStoreOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.platform = options.platform ?? process.platform;
    this.load = options.load ?? loadKeytar;
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
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from the keychain in ${Math.round(this.timeoutMs / 1000)} s`)),
        this.timeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([op(keytar), timeout]);
    } catch (err) {
      throw keychainError(what, err, this.platform);
    } finally {
      clearTimeout(timer);
    }
  }
}

async function loadKeytar(): Promise<Keytar> {
  const mod = (await import('keytar')) as unknown as { default?: Keytar } & Keytar;
  return mod.default ?? mod;
}

/** A keychain failure as the person should read it; on Linux, name the Secret Service. */
export function keychainError(what: string, err: unknown, platform: NodeJS.Platform): CredsError {
  const detail = firstLine(err);
  if (platform === 'linux') {
    return new CredsError(
      'keychain',
      `cannot ${what} the keychain: no usable D-Bus Secret Service (${detail})`,
      'Unlock your desktop keyring; on a headless box or WSL run `dbus-run-session -- bash`, then ' +
        '`gnome-keyring-daemon --unlock --components=secrets` (type a keyring password, Ctrl-D) (docs/troubleshooting.md).',
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

