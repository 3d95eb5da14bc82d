/**
 * The fake user pool's remembered devices ("device tracking"), as the Cognito user pools API keeps
 * them: a sign-in that presents no DEVICE_KEY is issued a device (NewDeviceMetadata), ConfirmDevice
 * registers its SRP verifier, UpdateDeviceStatus remembers it or not, ForgetDevice deletes it.
 * The SRP challenges themselves live in server.ts; the maths in srp-verifier.ts.
 *
 * Only node: imports (compiled into dist/ with the rest of the fake).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CognitoServiceError, invalid, validationPattern } from './errors.js';
import { parseDeviceSecretVerifierConfig } from './srp-verifier.js';

/**
 * The pool's DeviceConfiguration as the console offers it: "Don't remember" ('off'), "Always"
 * (DeviceOnlyRememberedOnUserPrompt false: ConfirmDevice remembers the device) and "User opt-in"
 * (DeviceOnlyRememberedOnUserPrompt true: ConfirmDevice answers UserConfirmationNecessary: true and
 * the device is remembered only after UpdateDeviceStatus 'remembered').
 */
export type DeviceTracking = 'off' | 'always' | 'user-opt-in';
export type DeviceRememberedStatus = 'remembered' | 'not_remembered';
export const DEVICE_TRACKING_MODES: readonly DeviceTracking[] = ['off', 'always', 'user-opt-in'];

/** A device as the fake knows it now (see FakeCognito.devices): no verifier, no password. */
export interface FakeDevice {
  deviceKey: string;
  deviceGroupKey: string;
  username: string;
  /** ConfirmDevice accepted (only confirmed devices sign in, refresh, and are listed) */
  confirmed: boolean;
  /** undefined until ConfirmDevice */
  rememberedStatus?: DeviceRememberedStatus;
  /** ConfirmDevice's DeviceName */
  name?: string;
  /** epoch seconds */
  createdAt: number;
  lastModifiedAt: number;
  /** the last sign-in that presented the device (or was issued it) */
  lastAuthenticatedAt: number;
}

interface DeviceRecord extends FakeDevice {
  sub: string;
  verifier?: bigint;
  saltHex?: string;
}

/** A confirmed device with its verifier, for the device SRP challenges. */
export interface ConfirmedDevice extends FakeDevice {
  verifier: bigint;
  saltHex: string;
}

export interface DeviceOwner {
  username: string;
  sub: string;
}

/** DeviceKeyType in the service model: 1 to 55 characters of this pattern. */
export const DEVICE_KEY_PATTERN = '[\\w-]+_[0-9a-f-]+';
const DEVICE_KEY_RE = /^[\w-]+_[0-9a-f-]+$/;

/**
 * What Cognito answers a DEVICE_KEY it does not know (never issued, forgotten, or another user's),
 * from InitiateAuth and from every RespondToAuthChallenge that carries one, and from the device
 * operations: "ResourceNotFoundException: Device does not exist." (aws-amplify/amplify-android#2605,
 * aws-amplify/amplify-js#12188, amazon-archives/amazon-cognito-identity-js#200; the library retries
 * PASSWORD_VERIFIER without the key on a ResourceNotFoundException whose message names a device).
 */
export function deviceNotFound(): CognitoServiceError {
  return new CognitoServiceError('ResourceNotFoundException', 'Device does not exist.');
}

/**
 * ConfirmDevice with a key that was not issued to the access token's user: "InvalidParameterException:
 * Invalid device key given." (boto/boto3#4059, aws-amplify/amplify-js#2087).
 */
export function invalidDeviceKey(): CognitoServiceError {
  return invalid('Invalid device key given.');
}

/** The model's constraints on a DeviceKey member (`field` is its camelCase name). */
export function checkDeviceKeyShape(key: string, field = 'deviceKey'): void {
  if (key.length > 55) {
    throw invalid(
      `1 validation error detected: Value '${key}' at '${field}' failed to satisfy constraint: Member must have length less than or equal to 55`,
    );
  }
  if (!DEVICE_KEY_RE.test(key)) throw validationPattern(field, key, DEVICE_KEY_PATTERN);
}

const GROUP_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A device group key shaped like the service's (e.g. "-ExAmPlE1" in the AWS CLI examples). */
function newGroupKey(): string {
  const bytes = randomBytes(8);
  let out = '-';
  for (const b of bytes) out += GROUP_CHARS[b % GROUP_CHARS.length];
  return out;
}

function isOwnedBy(d: DeviceRecord, owner: DeviceOwner): boolean {
  return d.username === owner.username && d.sub === owner.sub;
}

export class FakeDevices {
  private readonly byKey = new Map<string, DeviceRecord>();

  constructor(
    private readonly region: string,
    private readonly nowSeconds: () => number,
  ) {}

  /** A new device for a sign-in that presented none: the NewDeviceMetadata. */
  issue(owner: DeviceOwner): FakeDevice {
    const now = this.nowSeconds();
    const rec: DeviceRecord = {
      deviceKey: `${this.region}_${randomUUID()}`,
      deviceGroupKey: newGroupKey(),
      username: owner.username,
      sub: owner.sub,
      confirmed: false,
      createdAt: now,
      lastModifiedAt: now,
      lastAuthenticatedAt: now,
    };
    this.byKey.set(rec.deviceKey, rec);
    return this.view(rec);
  }

  /** The confirmed device `key` of `owner`, else ResourceNotFoundException "Device does not exist.". */
  requireConfirmed(owner: DeviceOwner, key: string): ConfirmedDevice {
    const d = this.byKey.get(key);
    if (!d || !isOwnedBy(d, owner) || !d.confirmed || d.verifier === undefined || d.saltHex === undefined) throw deviceNotFound();
    return { ...this.view(d), verifier: d.verifier, saltHex: d.saltHex };
  }

  /** Confirmed and 'remembered': the device signs in with DEVICE_SRP_AUTH. */
  isRemembered(key: string): boolean {
    const d = this.byKey.get(key);
    return d !== undefined && d.confirmed && d.rememberedStatus === 'remembered';
  }

  /** Confirmed (whoever owns it): a refresh token bound to it may be used with its key. */
  isConfirmed(key: string): boolean {
    return this.byKey.get(key)?.confirmed === true;
  }

  /** A sign-in presented (or was issued) the device. */
  touch(key: string): void {
    const d = this.byKey.get(key);
    if (d) d.lastAuthenticatedAt = this.nowSeconds();
  }

  /**
   * ConfirmDevice: register the verifier of a device issued to `owner`. Returns
   * UserConfirmationNecessary (true for 'user-opt-in': the device stays not_remembered until
   * UpdateDeviceStatus).
   */
  confirm(owner: DeviceOwner, key: string, config: unknown, name: string | undefined, tracking: DeviceTracking): boolean {
    const d = this.byKey.get(key);
    if (!d || !isOwnedBy(d, owner)) throw invalidDeviceKey();
    // Not confirmed on the service's word: the model lists this exception for ConfirmDevice.
    if (d.confirmed) throw new CognitoServiceError('DeviceKeyExistsException', 'Device key already exists.');
    const cfg = config as Record<string, unknown> | undefined;
    const verifier = cfg?.['PasswordVerifier'];
    const salt = cfg?.['Salt'];
    if (typeof verifier !== 'string' || typeof salt !== 'string') {
      throw invalid('DeviceSecretVerifierConfig with a PasswordVerifier and a Salt is required (FakeCognito)');
    }
    const parsed = parseDeviceSecretVerifierConfig(verifier, salt);
    if (!parsed) throw invalid('DeviceSecretVerifierConfig: PasswordVerifier and Salt must be Base64 of a verifier and a salt (FakeCognito)');
    d.confirmed = true;
    d.verifier = parsed.verifier;
    d.saltHex = parsed.saltHex;
    if (name !== undefined) d.name = name;
    d.rememberedStatus = tracking === 'user-opt-in' ? 'not_remembered' : 'remembered';
    d.lastModifiedAt = this.nowSeconds();
    return tracking === 'user-opt-in';
  }

  /** UpdateDeviceStatus on a confirmed device of `owner`. */
  setStatus(owner: DeviceOwner, key: string, status: DeviceRememberedStatus): void {
    const d = this.byKey.get(key);
    if (!d || !isOwnedBy(d, owner) || !d.confirmed) throw deviceNotFound();
    d.rememberedStatus = status;
    d.lastModifiedAt = this.nowSeconds();
  }

  /** ForgetDevice: delete a device of `owner` (confirmed or not). False when there was none. */
  forget(owner: DeviceOwner, key: string): boolean {
    const d = this.byKey.get(key);
    if (!d || !isOwnedBy(d, owner)) return false;
    this.byKey.delete(key);
    return true;
  }

  /** The confirmed devices of `owner`, oldest first (what ListDevices lists). */
  listConfirmed(owner: DeviceOwner): FakeDevice[] {
    return [...this.byKey.values()].filter((d) => d.confirmed && isOwnedBy(d, owner)).map((d) => this.view(d));
  }

  /** Every device issued to `username` (confirmed or not), oldest first. */
  all(username: string): FakeDevice[] {
    return [...this.byKey.values()].filter((d) => d.username === username).map((d) => this.view(d));
  }

  get(key: string): FakeDevice | undefined {
    const d = this.byKey.get(key);
    return d ? this.view(d) : undefined;
  }

  /** A deleted user's devices go with it. */
  removeOwner(username: string): void {
    for (const [key, d] of this.byKey) if (d.username === username) this.byKey.delete(key);
  }

  private view(d: DeviceRecord): FakeDevice {
    const out: FakeDevice = {
      deviceKey: d.deviceKey,
      deviceGroupKey: d.deviceGroupKey,
      username: d.username,
      confirmed: d.confirmed,
      createdAt: d.createdAt,
      lastModifiedAt: d.lastModifiedAt,
      lastAuthenticatedAt: d.lastAuthenticatedAt,
    };
    if (d.rememberedStatus !== undefined) out.rememberedStatus = d.rememberedStatus;
    if (d.name !== undefined) out.name = d.name;
    return out;
  }
}

/** DeviceType as GetDevice and ListDevices answer it (attribute names from the AWS CLI examples). */
export function deviceType(d: FakeDevice): Record<string, unknown> {
  const attributes: Array<{ Name: string; Value: string }> = [{ Name: 'device_status', Value: 'valid' }];
  if (d.name !== undefined) attributes.push({ Name: 'device_name', Value: d.name });
  attributes.push({ Name: 'last_ip_used', Value: '127.0.0.1' });
  if (d.rememberedStatus !== undefined) attributes.push({ Name: 'dev:device_remembered_status', Value: d.rememberedStatus });
  return {
    DeviceKey: d.deviceKey,
    DeviceAttributes: attributes,
    DeviceCreateDate: d.createdAt,
    DeviceLastModifiedDate: d.lastModifiedAt,
    DeviceLastAuthenticatedDate: d.lastAuthenticatedAt,
  };
}

/** ListDevices' Limit (QueryLimitType: 0 to 60; default 60 here) and PaginationToken (an offset). */
export function page(devices: FakeDevice[], limit: unknown, token: unknown): { Devices: unknown[]; PaginationToken?: string } {
  let max = 60;
  if (limit !== undefined && limit !== null) {
    if (typeof limit !== 'number' || !Number.isInteger(limit)) throw new CognitoServiceError('SerializationException', 'Unexpected value for Limit');
    if (limit < 0 || limit > 60) {
      throw invalid(
        `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: ` +
          `Member must have value ${limit < 0 ? 'greater than or equal to 0' : 'less than or equal to 60'}`,
      );
    }
    max = limit;
  }
  let start = 0;
  if (token !== undefined && token !== null) {
    const text = typeof token === 'string' ? Buffer.from(token, 'base64url').toString('utf8') : '';
    const m = /^offset:(\d+)$/.exec(text);
    if (!m) throw invalid('Invalid pagination token');
    start = Number(m[1]);
  }
  const slice = devices.slice(start, start + max);
  const out: { Devices: unknown[]; PaginationToken?: string } = { Devices: slice.map(deviceType) };
  if (start + slice.length < devices.length && max > 0) out.PaginationToken = Buffer.from(`offset:${start + slice.length}`).toString('base64url');
  return out;
}
