/**
 * An in-process fake of Amazon Cognito (user pools + identity pools) that speaks the real
 * AWS JSON 1.1 wire protocol of both services on ONE loopback HTTP server, so the real SDK v3
 * clients (`endpoint: fake.url` or AWS_ENDPOINT_URL) and amazon-cognito-identity-js work unchanged.
 *
 * Used by unit tests, e2e tests (through ./cli.ts in a subprocess) and the README demo, so it
 * must only import node: modules (no test framework).
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  bigFromHex,
  makeServerEphemeral,
  makeVerifier,
  N,
  parseSrpTimestamp,
  passwordClaimSignature,
  poolNameOf,
  serverAuthenticationKey,
  signaturesEqual,
  type SrpVerifier,
} from './srp-verifier.js';
import { CognitoServiceError, invalid, notAuthorized, validationNull } from './errors.js';
import {
  checkDeviceKeyShape,
  deviceNotFound,
  deviceType,
  FakeDevices,
  page,
  type DeviceOwner,
  type DeviceRememberedStatus,
  type DeviceTracking,
  type FakeDevice,
} from './devices.js';

export type { DeviceRememberedStatus, DeviceTracking, FakeDevice } from './devices.js';

export { CognitoServiceError } from './errors.js';

export type FakeUserStatus = 'CONFIRMED' | 'UNCONFIRMED' | 'RESET_REQUIRED' | 'FORCE_CHANGE_PASSWORD';

export interface FakeUser {
  username: string;
  password: string;
  /** default: a random UUID (kept when an existing user is replaced without a sub) */
  sub?: string;
  /** default 'CONFIRMED' */
  status?: FakeUserStatus;
  /**
   * Software-token (TOTP) MFA enabled and preferred: the RFC 4648 base32 secret (as
   * AssociateSoftwareToken hands it out; upper case, '=' padding optional). A user with more than
   * one of totpSecret / smsCode / emailOtpCode is asked SELECT_MFA_TYPE first.
   */
  totpSecret?: string;
  /** SMS MFA enabled: the code the fake "sent" (the same code every time). */
  smsCode?: string;
  /** EMAIL_OTP MFA enabled: the code the fake "sent" (the same code every time). */
  emailOtpCode?: string;
  /**
   * The pool requires MFA and the user has none yet: the password is followed by MFA_SETUP
   * (which the fake cannot complete). Ignored when the user has TOTP, SMS or e-mail MFA.
   */
  mfaSetupRequired?: boolean;
}

/** A user as the server knows it now (see FakeCognito.getUser). */
export interface FakeUserState {
  username: string;
  password: string;
  sub: string;
  status: FakeUserStatus;
  totpSecret?: string;
  smsCode?: string;
  emailOtpCode?: string;
  mfaSetupRequired: boolean;
  /** the TOTP time step (floor(epoch seconds / 30)) of the last code accepted in a sign-in */
  lastTotpStep?: number;
}

export type FakeMfaType = 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA' | 'EMAIL_OTP';

/** One RespondToAuthChallenge that reached the challenge logic (see FakeCognito.answeredChallenges). */
export interface AnsweredChallenge {
  challengeName: string;
  clientId: string | undefined;
  /** ChallengeResponses.USERNAME as sent */
  username: string | undefined;
  /** a copy of ChallengeResponses as sent (codes and secret hashes included) */
  responses: Record<string, string>;
  /** 'tokens': signed in; 'challenge': answered with `nextChallenge`; 'error': refused with `error` */
  outcome: 'tokens' | 'challenge' | 'error';
  nextChallenge?: string;
  /** the exception name, e.g. 'CodeMismatchException' */
  error?: string;
}

export interface FakeClient {
  clientId: string;
  clientSecret?: string;
  /**
   * Enabled flows; default ['USER_PASSWORD_AUTH', 'USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH'].
   * The console's spelling ('ALLOW_USER_SRP_AUTH', ...) is accepted too.
   */
  authFlows?: string[];
  /** Refresh token rotation: REFRESH_TOKEN_AUTH is refused; GetTokensFromRefreshToken issues a new refresh token. */
  rotateRefreshTokens?: boolean;
}

export interface FakeCognitoOptions {
  /** default 'us-east-1' */
  region?: string;
  /** default `${region}_Fake1234` */
  userPoolId?: string;
  /** default `${region}:00000000-0000-0000-0000-000000000000` */
  identityPoolId?: string;
  /** default: one client `fakeclient0000000000000001` without a secret (pass [] for none) */
  clients?: FakeClient[];
  users?: FakeUser[];
  /** lifetime of issued AWS credentials; default 3600 */
  credentialsTtlSeconds?: number;
  /** lifetime of ID and access tokens (ExpiresIn); default 3600 */
  tokenTtlSeconds?: number;
  /** lifetime of refresh tokens; default 30 days */
  refreshTokenTtlSeconds?: number;
  /** lifetime of a challenge Session; default 180 */
  sessionTtlSeconds?: number;
  /** USER_ID_FOR_SRP is the user's sub (pools with an alias) instead of the username; default false */
  srpUserIdIsSub?: boolean;
  /**
   * Device tracking ("remember user devices"), default 'off' (DEVICE_KEY is ignored, no device is
   * issued). 'always': a sign-in that presents no known DEVICE_KEY gets NewDeviceMetadata, and
   * ConfirmDevice remembers the device (UserConfirmationNecessary false). 'user-opt-in': the same,
   * but ConfirmDevice answers UserConfirmationNecessary true and the device is remembered only
   * after UpdateDeviceStatus 'remembered'. Once a device is issued, the sign-in's refresh token
   * needs its DEVICE_KEY (and the device confirmed). See README.md, "Remembered devices".
   */
  deviceTracking?: DeviceTracking;
  /**
   * DeviceConfiguration.ChallengeRequiredOnNewDevice, default true: a remembered device answers
   * DEVICE_SRP_AUTH instead of the MFA code. false: MFA as usual, then DEVICE_SRP_AUTH.
   */
  challengeRequiredOnNewDevice?: boolean;
  /** ms clock; default Date.now */
  now?: () => number;
  /** called for every recorded request (e.g. to log them) */
  onRequest?: (request: RecordedRequest) => void;
}

export interface RecordedRequest {
  service: 'idp' | 'identity' | 'unknown';
  operation: string;
  /** the parsed JSON body, secrets included (a copy; the raw text when it was not JSON) */
  body: any;
  /** the X-Amz-Target header */
  target: string;
  /** request headers (lower-case names) */
  headers: Record<string, string>;
}

export type FakeFailure =
  | { code: string; message?: string; status?: number }
  | { kind: 'malformed' }
  | { kind: 'hang' }
  /**
   * A hostile answer: the operation runs as usual (tokens and credentials are issued and
   * recorded), then `rewrite` turns its answer into the body sent, as JSON, with HTTP 200.
   */
  | { kind: 'rewrite'; rewrite: (answer: Record<string, any>) => unknown };

export interface IssuedCredentials {
  identityId: string;
  accessKeyId: string;
  secretKey: string;
  sessionToken: string;
  /** epoch seconds */
  expiration: number;
  customRoleArn?: string;
}

export interface IssuedTokens {
  username: string;
  sub: string;
  clientId: string;
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  /** the device the tokens are bound to (device tracking on): the refresh token needs its key */
  deviceKey?: string;
}

export const DEFAULT_CLIENT_ID = 'fakeclient0000000000000001';
const DEFAULT_FLOWS = ['USER_PASSWORD_AUTH', 'USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH'];
const KNOWN_FLOWS = [
  'USER_SRP_AUTH',
  'REFRESH_TOKEN_AUTH',
  'REFRESH_TOKEN',
  'CUSTOM_AUTH',
  'ADMIN_NO_SRP_AUTH',
  'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'USER_AUTH',
];
const IDP_PREFIX = 'AWSCognitoIdentityProviderService';
const IDENTITY_PREFIX = 'AWSCognitoIdentityService';
const JSON_TYPE = 'application/x-amz-json-1.1';


interface UserRecord {
  username: string;
  password: string;
  sub: string;
  status: FakeUserStatus;
  srp: SrpVerifier;
  totpSecret?: string;
  totpKey?: Buffer;
  smsCode?: string;
  emailOtpCode?: string;
  mfaSetupRequired: boolean;
  lastTotpStep?: number;
}

interface ClientRecord {
  clientId: string;
  clientSecret?: string;
  authFlows: Set<string>;
  rotateRefreshTokens: boolean;
}

interface TokenRecord {
  username: string;
  sub: string;
  clientId: string;
  /** epoch seconds */
  exp: number;
  revoked: boolean;
}

interface RefreshRecord extends TokenRecord {
  authTime: number;
  /** the device the sign-in presented or was issued (device tracking on) */
  deviceKey?: string;
}

type SessionChallenge =
  | 'PASSWORD_VERIFIER'
  | 'NEW_PASSWORD_REQUIRED'
  | 'SELECT_MFA_TYPE'
  | 'MFA_SETUP'
  | 'DEVICE_SRP_AUTH'
  | 'DEVICE_PASSWORD_VERIFIER'
  | FakeMfaType;

interface SessionRecord {
  challenge: SessionChallenge;
  clientId: string;
  username: string;
  /** epoch ms */
  expiresAt: number;
  srp?: { A: bigint; B: bigint; b: bigint; secretBlock: string; userIdForSrp: string };
  /** SELECT_MFA_TYPE: the types offered */
  mfaTypes?: FakeMfaType[];
  /** a confirmed device of the user that the sign-in presented (DEVICE_KEY) */
  deviceKey?: string;
}

/** The order real Cognito lists them in MFAS_CAN_CHOOSE. */
const MFA_ORDER: FakeMfaType[] = ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'];
const MFA_CODE_FIELD: Record<FakeMfaType, string> = {
  SMS_MFA: 'SMS_MFA_CODE',
  SOFTWARE_TOKEN_MFA: 'SOFTWARE_TOKEN_MFA_CODE',
  EMAIL_OTP: 'EMAIL_OTP_CODE',
};
const TOTP_STEP_SECONDS = 30;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * RFC 4648 base32 as AssociateSoftwareToken hands it out. Lower case, white space and missing
 * trailing '=' padding are tolerated; anything else (or an impossible length) throws.
 */
export function decodeBase32Secret(text: string): Buffer {
  const body = text.replace(/\s+/g, '').replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of body) {
    const v = BASE32_ALPHABET.indexOf(ch);
    if (v < 0) throw new Error(`invalid base32 character ${JSON.stringify(ch)} in TOTP secret`);
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if ([1, 3, 6].includes(body.length % 8)) throw new Error(`a base32 TOTP secret cannot have ${body.length} characters`);
  if (out.length === 0) throw new Error('empty TOTP secret');
  return Buffer.from(out);
}

/** RFC 4226 HOTP (HMAC-SHA1, dynamic truncation, 6 digits) for one counter value. */
function hotp(key: Buffer, counter: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

function totpStep(epochMs: number): number {
  return Math.floor(epochMs / 1000 / TOTP_STEP_SECONDS);
}

/**
 * The RFC 6238 code (30 s steps, 6 digits) the fake accepts for a base32 secret at `epochMs`.
 * For e2e tests and the demo that must type a code; unit tests should compute their own.
 */
export function totpCode(base32Secret: string, epochMs: number = Date.now()): string {
  return hotp(decodeBase32Secret(base32Secret), totpStep(epochMs));
}

type Json = Record<string, any>;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

/** Base64(HMAC-SHA256(key = clientSecret, msg = username + clientId)) */
export function computeSecretHash(username: string, clientId: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret).update(username + clientId).digest('base64');
}

function uuidFromHash(input: string): string {
  const h = createHash('sha256').update(input).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(body: Json, field: string, wireName: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new CognitoServiceError('SerializationException', `Unexpected value for ${wireName}`);
  return v;
}

function requiredString(body: Json, field: string, wireName: string): string {
  const v = optionalString(body, field, wireName);
  if (v === undefined) throw validationNull(wireName);
  return v;
}

function stringMap(body: Json, field: string): Record<string, string> | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new CognitoServiceError('SerializationException', `Unexpected value for ${field}`);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(v)) {
    // A null value is an absent one (amazon-cognito-identity-js retries PASSWORD_VERIFIER with "DEVICE_KEY": null).
    if (value === null) continue;
    if (typeof value !== 'string') throw new CognitoServiceError('SerializationException', `Unexpected value for ${field}.${key}`);
    out[key] = value;
  }
  return out;
}

function safeEqualString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class FakeCognito {
  readonly region: string;
  readonly userPoolId: string;
  readonly identityPoolId: string;
  readonly requests: RecordedRequest[] = [];
  readonly issued: IssuedCredentials[] = [];
  /** every set of user-pool tokens handed out, in order */
  readonly issuedTokens: IssuedTokens[] = [];
  /** every RespondToAuthChallenge answered (accepted or refused), in order */
  readonly answeredChallenges: AnsweredChallenge[] = [];

  private readonly credentialsTtlSeconds: number;
  private readonly tokenTtlSeconds: number;
  private readonly refreshTokenTtlSeconds: number;
  private readonly sessionTtlSeconds: number;
  private readonly srpUserIdIsSub: boolean;
  /** the pool's device tracking (see FakeCognitoOptions.deviceTracking) */
  readonly deviceTracking: DeviceTracking;
  private readonly challengeRequiredOnNewDevice: boolean;
  private readonly deviceStore: FakeDevices;
  private readonly now: () => number;
  private readonly onRequest: ((r: RecordedRequest) => void) | undefined;

  private readonly users = new Map<string, UserRecord>();
  private readonly clients = new Map<string, ClientRecord>();
  private readonly idTokens = new Map<string, TokenRecord>();
  private readonly accessTokens = new Map<string, TokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly sessionsBySecretBlock = new Map<string, string>();
  private readonly identities = new Map<string, string>(); // identityId -> sub
  private readonly failures: Array<{ operation: string; failure: FakeFailure; remaining: number }> = [];

  private server: Server | undefined;
  private baseUrl: string | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();

  constructor(options: FakeCognitoOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.userPoolId = options.userPoolId ?? `${this.region}_Fake1234`;
    this.identityPoolId = options.identityPoolId ?? `${this.region}:00000000-0000-0000-0000-000000000000`;
    this.credentialsTtlSeconds = options.credentialsTtlSeconds ?? 3600;
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
    this.refreshTokenTtlSeconds = options.refreshTokenTtlSeconds ?? 30 * 24 * 3600;
    this.sessionTtlSeconds = options.sessionTtlSeconds ?? 180;
    this.srpUserIdIsSub = options.srpUserIdIsSub ?? false;
    this.deviceTracking = options.deviceTracking ?? 'off';
    this.challengeRequiredOnNewDevice = options.challengeRequiredOnNewDevice ?? true;
    this.now = options.now ?? Date.now;
    this.deviceStore = new FakeDevices(this.region, () => this.nowSeconds());
    this.onRequest = options.onRequest;
    for (const c of options.clients ?? [{ clientId: DEFAULT_CLIENT_ID }]) this.addClient(c);
    for (const u of options.users ?? []) this.addUser(u);
  }

  // ---------------------------------------------------------------- public API

  get url(): string {
    if (!this.baseUrl) throw new Error('FakeCognito is not started: call start() first');
    return this.baseUrl;
  }

  /** `cognito-idp.<region>.amazonaws.com/<userPoolId>`: the Logins key for GetId. */
  get providerName(): string {
    return `cognito-idp.${this.region}.amazonaws.com/${this.userPoolId}`;
  }

  /** The ID token issuer. */
  get issuer(): string {
    return `https://${this.providerName}`;
  }

  /** The first client's id (the default client unless `clients` was given). */
  get clientId(): string {
    const first = this.clients.keys().next();
    if (first.done) throw new Error('FakeCognito has no app client');
    return first.value;
  }

  async start(port = 0): Promise<string> {
    if (this.server) throw new Error('FakeCognito already started');
    const server = createServer((req, res) => this.onHttpRequest(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('unexpected server address');
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  count(operation: string): number {
    return this.requests.filter((r) => r.operation === operation).length;
  }

  /** Add (or replace, keeping its sub unless a new one is given) a user. */
  addUser(u: FakeUser): void {
    const existing = this.users.get(u.username);
    const sub = u.sub ?? existing?.sub ?? randomUUID();
    const record: UserRecord = {
      username: u.username,
      password: u.password,
      sub,
      status: u.status ?? 'CONFIRMED',
      srp: this.makeSrp(u.username, sub, u.password),
      mfaSetupRequired: u.mfaSetupRequired ?? false,
    };
    if (u.totpSecret !== undefined) {
      record.totpKey = decodeBase32Secret(u.totpSecret);
      record.totpSecret = u.totpSecret;
      // a replaced user keeps its used-code memory while the secret stays the same
      if (existing?.lastTotpStep !== undefined && existing.totpKey?.equals(record.totpKey)) record.lastTotpStep = existing.lastTotpStep;
    }
    if (u.smsCode !== undefined) record.smsCode = u.smsCode;
    if (u.emailOtpCode !== undefined) record.emailOtpCode = u.emailOtpCode;
    this.users.set(u.username, record);
  }

  /** The user as the server knows it now (password and status may have changed through challenges). */
  getUser(username: string): FakeUserState | undefined {
    const u = this.users.get(username);
    if (!u) return undefined;
    const state: FakeUserState = {
      username: u.username,
      password: u.password,
      sub: u.sub,
      status: u.status,
      mfaSetupRequired: u.mfaSetupRequired,
    };
    if (u.totpSecret !== undefined) state.totpSecret = u.totpSecret;
    if (u.smsCode !== undefined) state.smsCode = u.smsCode;
    if (u.emailOtpCode !== undefined) state.emailOtpCode = u.emailOtpCode;
    if (u.lastTotpStep !== undefined) state.lastTotpStep = u.lastTotpStep;
    return state;
  }

  removeUser(username: string): void {
    this.users.delete(username);
    this.deviceStore.removeOwner(username);
  }

  /** Every device issued to the user (confirmed or not), oldest first: keys and status, never a verifier. */
  devices(username: string): FakeDevice[] {
    return this.deviceStore.all(username);
  }

  /** One device by its key, whoever owns it. */
  device(deviceKey: string): FakeDevice | undefined {
    return this.deviceStore.get(deviceKey);
  }

  /**
   * Forget a device "as an administrator" (AdminForgetDevice): its next sign-in is refused with
   * ResourceNotFoundException "Device does not exist." and its refresh tokens with "Invalid Refresh
   * Token". False when the user has no such device.
   */
  forgetDevice(username: string, deviceKey: string): boolean {
    const user = this.users.get(username);
    return user !== undefined && this.deviceStore.forget(user, deviceKey);
  }

  /** AdminUpdateDeviceStatus: false when the user has no such confirmed device. */
  setDeviceRememberedStatus(username: string, deviceKey: string, status: DeviceRememberedStatus): boolean {
    const user = this.users.get(username);
    if (!user) return false;
    try {
      this.deviceStore.setStatus(user, deviceKey, status);
      return true;
    } catch {
      return false;
    }
  }

  addClient(c: FakeClient): void {
    const flows = new Set<string>();
    for (const f of c.authFlows ?? DEFAULT_FLOWS) flows.add(normalizeFlow(f));
    const record: ClientRecord = { clientId: c.clientId, authFlows: flows, rotateRefreshTokens: c.rotateRefreshTokens ?? false };
    if (c.clientSecret !== undefined) record.clientSecret = c.clientSecret;
    this.clients.set(c.clientId, record);
  }

  /** Revoke one refresh token, or every refresh token of a user (by username), or all of them. */
  revokeRefreshTokens(filter?: { token?: string; username?: string }): void {
    for (const [token, rec] of this.refreshTokens) {
      if (filter?.token !== undefined && token !== filter.token) continue;
      if (filter?.username !== undefined && rec.username !== filter.username) continue;
      rec.revoked = true;
    }
  }

  failNext(operation: string | '*', failure: FakeFailure, times = 1): void {
    if (times > 0) this.failures.push({ operation, failure, remaining: times });
  }

  /** Forget queued failures. */
  clearFailures(): void {
    this.failures.length = 0;
  }

  // ---------------------------------------------------------------- HTTP

  private onHttpRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      try {
        this.handle(req, Buffer.concat(chunks).toString('utf8'), res);
      } catch (err) {
        this.sendError(res, err);
      }
    });
  }

  private handle(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const target = String(req.headers['x-amz-target'] ?? '');
    const dot = target.lastIndexOf('.');
    const prefix = dot >= 0 ? target.slice(0, dot) : '';
    const operation = dot >= 0 ? target.slice(dot + 1) : target;
    const service: RecordedRequest['service'] =
      prefix === IDP_PREFIX ? 'idp' : prefix === IDENTITY_PREFIX ? 'identity' : 'unknown';

    let body: unknown;
    let parseError = false;
    try {
      body = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      body = raw;
      parseError = true;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const recorded: RecordedRequest = { service, operation, body: structuredClone(body), target, headers };
    this.requests.push(recorded);
    this.onRequest?.(recorded);

    const taken = this.takeFailure(operation);
    const rewrite = taken && 'kind' in taken && taken.kind === 'rewrite' ? taken.rewrite : undefined;
    const failure = rewrite ? undefined : taken;
    if (failure) {
      if ('kind' in failure) {
        if (failure.kind === 'hang') {
          this.hanging.add(res);
          res.on('close', () => this.hanging.delete(res));
          return;
        }
        res.writeHead(200, { 'content-type': JSON_TYPE, 'x-amzn-requestid': randomUUID() });
        res.end('{"__malformed": tru');
        return;
      }
      throw new CognitoServiceError(failure.code, failure.message ?? `Injected ${failure.code}`, failure.status ?? 400);
    }

    if (req.method !== 'POST') throw new CognitoServiceError('UnknownOperationException', `Unsupported method ${req.method}`);
    if (service === 'unknown') throw new CognitoServiceError('UnknownOperationException', `Unknown target: ${target || '(none)'}`);
    if (parseError || !isObject(body)) throw new CognitoServiceError('SerializationException', 'Request body is not a JSON object');

    const result = service === 'idp' ? this.dispatchIdp(operation, body) : this.dispatchIdentity(operation, body);
    res.writeHead(200, { 'content-type': JSON_TYPE, 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(rewrite ? rewrite(structuredClone(result)) : result));
  }

  private takeFailure(operation: string): FakeFailure | undefined {
    const i = this.failures.findIndex((f) => f.operation === operation || f.operation === '*');
    if (i < 0) return undefined;
    const entry = this.failures[i]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.failures.splice(i, 1);
    return entry.failure;
  }

  private sendError(res: ServerResponse, err: unknown): void {
    const e =
      err instanceof CognitoServiceError
        ? err
        : new CognitoServiceError('InternalErrorException', err instanceof Error ? err.message : String(err), 500);
    if (res.headersSent || res.destroyed) return;
    res.writeHead(e.status, {
      'content-type': JSON_TYPE,
      'x-amzn-errortype': e.code,
      'x-amzn-requestid': randomUUID(),
    });
    res.end(JSON.stringify({ __type: e.code, message: e.message }));
  }

  private dispatchIdp(operation: string, body: Json): Json {
    switch (operation) {
      case 'InitiateAuth':
        return this.initiateAuth(body);
      case 'RespondToAuthChallenge':
        return this.respondToAuthChallenge(body);
      case 'GetTokensFromRefreshToken':
        return this.getTokensFromRefreshToken(body);
      case 'RevokeToken':
        return this.revokeToken(body);
      case 'GlobalSignOut':
        return this.globalSignOut(body);
      case 'GetUser':
        return this.getUserOp(body);
      case 'ConfirmDevice':
      case 'UpdateDeviceStatus':
      case 'ForgetDevice':
      case 'GetDevice':
      case 'ListDevices':
        return this.deviceOperation(operation, body);
      case 'AdminForgetDevice':
      case 'AdminUpdateDeviceStatus':
      case 'AdminGetDevice':
      case 'AdminListDevices':
        return this.adminDeviceOperation(operation, body);
      default:
        throw new CognitoServiceError('UnknownOperationException', `Unknown operation ${IDP_PREFIX}.${operation}`);
    }
  }

  private dispatchIdentity(operation: string, body: Json): Json {
    switch (operation) {
      case 'GetId':
        return this.getId(body);
      case 'GetCredentialsForIdentity':
        return this.getCredentialsForIdentity(body);
      default:
        throw new CognitoServiceError('UnknownOperationException', `Unknown operation ${IDENTITY_PREFIX}.${operation}`);
    }
  }

  // ---------------------------------------------------------------- user pool

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private makeSrp(username: string, sub: string, password: string): SrpVerifier {
    return makeVerifier(poolNameOf(this.userPoolId), this.srpUserIdIsSub ? sub : username, password);
  }

  private findUser(name: string): UserRecord | undefined {
    const direct = this.users.get(name);
    if (direct) return direct;
    for (const u of this.users.values()) if (u.sub === name) return u;
    return undefined;
  }

  private client(body: Json): ClientRecord {
    const clientId = requiredString(body, 'ClientId', 'clientId');
    const client = this.clients.get(clientId);
    if (!client) throw new CognitoServiceError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    return client;
  }

  /** SECRET_HASH check; `names` are the user names the hash may have been computed with. */
  private checkSecretHash(client: ClientRecord, given: string | undefined, names: string[]): void {
    if (client.clientSecret === undefined) return;
    const secret = client.clientSecret;
    const ok = given !== undefined && names.some((n) => safeEqualString(computeSecretHash(n, client.clientId, secret), given));
    if (!ok) throw notAuthorized(`Unable to verify secret hash for client ${client.clientId}`);
  }

  private initiateAuth(body: Json): Json {
    const flowRaw = requiredString(body, 'AuthFlow', 'authFlow');
    const client = this.client(body);
    if (!KNOWN_FLOWS.includes(flowRaw)) {
      throw invalid(
        `1 validation error detected: Value '${flowRaw}' at 'authFlow' failed to satisfy constraint: ` +
          `Member must satisfy enum value set: [${KNOWN_FLOWS.join(', ')}]`,
      );
    }
    const flow = normalizeFlow(flowRaw);
    // Cognito's own two wordings (SRP's is the one amazon-cognito-identity-js users quote).
    if (!client.authFlows.has(flow)) throw invalid(flow === 'USER_SRP_AUTH' ? 'USER_SRP_AUTH is not enabled for the client.' : `${flowRaw} flow not enabled for this client`);
    const params = stringMap(body, 'AuthParameters') ?? {};
    switch (flow) {
      case 'USER_PASSWORD_AUTH':
        return this.passwordAuth(client, params);
      case 'USER_SRP_AUTH':
        return this.srpAuth(client, params);
      case 'REFRESH_TOKEN_AUTH':
        return this.refreshAuth(client, params);
      default:
        throw invalid(`${flowRaw} is not supported by FakeCognito`);
    }
  }

  private requireParam(params: Record<string, string>, name: string): string {
    const v = params[name];
    if (v === undefined || v === '') throw invalid(`Missing required parameter ${name}`);
    return v;
  }

  private passwordAuth(client: ClientRecord, params: Record<string, string>): Json {
    const username = this.requireParam(params, 'USERNAME');
    this.checkSecretHash(client, params['SECRET_HASH'], [username]);
    const password = this.requireParam(params, 'PASSWORD');
    const user = this.findUser(username);
    if (!user) throw new CognitoServiceError('UserNotFoundException', 'User does not exist.');
    if (user.status === 'RESET_REQUIRED') {
      throw new CognitoServiceError('PasswordResetRequiredException', 'Password reset required for the user');
    }
    if (!safeEqualString(user.password, password)) throw notAuthorized('Incorrect username or password.');
    return this.afterPasswordVerified(client, user, this.presentedDevice(user, params['DEVICE_KEY']));
  }

  /**
   * The DEVICE_KEY a sign-in presented: undefined when none (or tracking is off), the key when it
   * is a confirmed device of the user, else ResourceNotFoundException "Device does not exist.".
   */
  private presentedDevice(user: UserRecord, key: string | undefined, current?: string): string | undefined {
    if (this.deviceTracking === 'off') return undefined;
    if (key === undefined || key === '') return current;
    this.deviceStore.requireConfirmed(user, key);
    return key;
  }

  private afterPasswordVerified(client: ClientRecord, user: UserRecord, deviceKey: string | undefined): Json {
    if (user.status === 'UNCONFIRMED') throw new CognitoServiceError('UserNotConfirmedException', 'User is not confirmed.');
    if (user.status === 'RESET_REQUIRED') {
      throw new CognitoServiceError('PasswordResetRequiredException', 'Password reset required for the user');
    }
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      const session = this.newSession({ challenge: 'NEW_PASSWORD_REQUIRED', clientId: client.clientId, username: user.username, deviceKey });
      return {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        ChallengeParameters: {
          USER_ID_FOR_SRP: this.srpUserIdIsSub ? user.sub : user.username,
          requiredAttributes: '[]',
          userAttributes: '{}',
        },
        Session: session,
      };
    }
    return this.afterFirstFactor(client, user, deviceKey);
  }

  /** The name challenges call the user by (USERNAME / USER_ID_FOR_SRP in ChallengeParameters). */
  private challengeUsername(user: UserRecord): string {
    return this.srpUserIdIsSub ? user.sub : user.username;
  }

  private mfaTypesOf(user: UserRecord): FakeMfaType[] {
    return MFA_ORDER.filter((t) =>
      t === 'SOFTWARE_TOKEN_MFA' ? user.totpKey !== undefined : t === 'SMS_MFA' ? user.smsCode !== undefined : user.emailOtpCode !== undefined,
    );
  }

  /**
   * Password (and any new password) accepted: DEVICE_SRP_AUTH for a remembered device (instead of
   * the MFA step when ChallengeRequiredOnNewDevice), else the MFA step, or tokens.
   */
  private afterFirstFactor(client: ClientRecord, user: UserRecord, deviceKey: string | undefined): Json {
    const types = this.mfaTypesOf(user);
    if (deviceKey !== undefined && this.deviceStore.isRemembered(deviceKey)) {
      const mfaFirst = !this.challengeRequiredOnNewDevice && (types.length > 0 || user.mfaSetupRequired);
      if (!mfaFirst) return this.deviceSrpChallenge(client, user, deviceKey);
    }
    const USERNAME = this.challengeUsername(user);
    if (types.length > 1) {
      const session = this.newSession({
        challenge: 'SELECT_MFA_TYPE',
        clientId: client.clientId,
        username: user.username,
        mfaTypes: types,
        deviceKey,
      });
      return {
        ChallengeName: 'SELECT_MFA_TYPE',
        ChallengeParameters: { MFAS_CAN_CHOOSE: JSON.stringify(types), USERNAME },
        Session: session,
      };
    }
    if (types.length === 1) return this.mfaChallenge(client, user, types[0]!, deviceKey);
    if (user.mfaSetupRequired) {
      const session = this.newSession({ challenge: 'MFA_SETUP', clientId: client.clientId, username: user.username, deviceKey });
      return { ChallengeName: 'MFA_SETUP', ChallengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' }, Session: session };
    }
    return this.signedIn(client, user, deviceKey);
  }

  /**
   * The end of a sign-in: tokens. With device tracking on they are bound to the device the sign-in
   * presented, or to a new one that the answer carries as AuthenticationResult.NewDeviceMetadata.
   */
  private signedIn(client: ClientRecord, user: UserRecord, deviceKey: string | undefined): Json {
    if (this.deviceTracking === 'off') return { AuthenticationResult: this.issueTokens(client, user, true), ChallengeParameters: {} };
    if (deviceKey !== undefined) {
      this.deviceStore.touch(deviceKey);
      return { AuthenticationResult: this.issueTokens(client, user, true, undefined, deviceKey), ChallengeParameters: {} };
    }
    const device = this.deviceStore.issue(user);
    const result = this.issueTokens(client, user, true, undefined, device.deviceKey);
    result['NewDeviceMetadata'] = { DeviceKey: device.deviceKey, DeviceGroupKey: device.deviceGroupKey };
    return { AuthenticationResult: result, ChallengeParameters: {} };
  }

  private mfaChallenge(client: ClientRecord, user: UserRecord, type: FakeMfaType, deviceKey: string | undefined): Json {
    const session = this.newSession({ challenge: type, clientId: client.clientId, username: user.username, deviceKey });
    const USERNAME = this.challengeUsername(user);
    const parameters: Record<string, string> =
      type === 'SMS_MFA'
        ? { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: '+*******1234', USERNAME }
        : type === 'EMAIL_OTP'
          ? { CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL', CODE_DELIVERY_DESTINATION: 'a***@e***', USERNAME }
          : { USERNAME };
    return { ChallengeName: type, ChallengeParameters: parameters, Session: session };
  }

  private srpAuth(client: ClientRecord, params: Record<string, string>): Json {
    const username = this.requireParam(params, 'USERNAME');
    const srpA = this.requireParam(params, 'SRP_A');
    this.checkSecretHash(client, params['SECRET_HASH'], [username]);
    const A = clientPublicKey(srpA);
    const user = this.findUser(username);
    if (!user) throw new CognitoServiceError('UserNotFoundException', 'User does not exist.');
    if (user.status === 'RESET_REQUIRED') {
      throw new CognitoServiceError('PasswordResetRequiredException', 'Password reset required for the user');
    }
    const deviceKey = this.presentedDevice(user, params['DEVICE_KEY']);
    const { b, B } = makeServerEphemeral(user.srp.verifier);
    const secretBlock = randomBytes(384).toString('base64');
    const session = this.newSession({
      challenge: 'PASSWORD_VERIFIER',
      clientId: client.clientId,
      username: user.username,
      deviceKey,
      srp: { A, B, b, secretBlock, userIdForSrp: user.srp.userIdForSrp },
    });
    this.sessionsBySecretBlock.set(secretBlock, session);
    return {
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeParameters: {
        SALT: user.srp.saltHex,
        SRP_B: B.toString(16),
        SECRET_BLOCK: secretBlock,
        USER_ID_FOR_SRP: user.srp.userIdForSrp,
        USERNAME: user.srp.userIdForSrp,
      },
      Session: session,
    };
  }

  private refreshAuth(client: ClientRecord, params: Record<string, string>): Json {
    const token = this.requireParam(params, 'REFRESH_TOKEN');
    if (client.rotateRefreshTokens) {
      throw invalid('REFRESH_TOKEN_AUTH is not supported for app clients with refresh token rotation; use GetTokensFromRefreshToken');
    }
    const { user, rec } = this.refreshRecord(client, token);
    const names = [user.username, user.sub];
    if (params['USERNAME'] !== undefined) names.push(params['USERNAME']);
    this.checkSecretHash(client, params['SECRET_HASH'], names);
    this.checkRefreshDevice(rec, params['DEVICE_KEY']);
    return { AuthenticationResult: this.issueTokens(client, user, false, rec.authTime, rec.deviceKey), ChallengeParameters: {} };
  }

  /**
   * A refresh token issued to a sign-in that got a device works only with that device's key, and
   * only once the device is confirmed (and until it is forgotten): else NotAuthorizedException
   * "Invalid Refresh Token", as SDK users report (aws/aws-sdk-java#2841, aws/aws-sdk-net-extensions-cognito#85,
   * aws-amplify/amplify-android#2506: "cognito mandates all new devices ... to be confirmed ...
   * otherwise they will not let the refresh token refresh the access token").
   */
  private checkRefreshDevice(rec: RefreshRecord, given: string | undefined): void {
    if (rec.deviceKey === undefined) return;
    if (given !== rec.deviceKey || !this.deviceStore.isConfirmed(rec.deviceKey)) throw notAuthorized('Invalid Refresh Token');
  }

  private refreshRecord(client: ClientRecord, token: string): { user: UserRecord; rec: RefreshRecord } {
    const rec = this.refreshTokens.get(token);
    if (!rec || rec.clientId !== client.clientId) throw notAuthorized('Invalid Refresh Token');
    if (rec.revoked) {
      if (client.rotateRefreshTokens) throw new CognitoServiceError('RefreshTokenReuseException', 'Refresh token has been rotated and is no longer valid');
      throw notAuthorized('Invalid Refresh Token');
    }
    if (rec.exp <= this.nowSeconds()) throw notAuthorized('Refresh Token has expired');
    const user = this.users.get(rec.username);
    if (!user || user.sub !== rec.sub) throw notAuthorized('Invalid Refresh Token');
    return { user, rec };
  }

  /** GetTokensFromRefreshToken: the client secret itself (not a hash); a new refresh token when the client rotates them. */
  private getTokensFromRefreshToken(body: Json): Json {
    const client = this.client(body);
    const token = requiredString(body, 'RefreshToken', 'refreshToken');
    const given = typeof body['ClientSecret'] === 'string' ? (body['ClientSecret'] as string) : undefined;
    if (client.clientSecret !== undefined && (given === undefined || !safeEqualString(given, client.clientSecret))) {
      throw notAuthorized(`Unable to verify secret hash for client ${client.clientId}`);
    }
    const deviceKey = optionalString(body, 'DeviceKey', 'deviceKey');
    if (deviceKey !== undefined) checkDeviceKeyShape(deviceKey);
    const { user, rec } = this.refreshRecord(client, token);
    this.checkRefreshDevice(rec, deviceKey);
    if (client.rotateRefreshTokens) rec.revoked = true;
    return { AuthenticationResult: this.issueTokens(client, user, client.rotateRefreshTokens, rec.authTime, rec.deviceKey) };
  }

  private newSession(rec: Omit<SessionRecord, 'expiresAt'>): string {
    const session = randomBytes(192).toString('base64url');
    this.sessions.set(session, { ...rec, expiresAt: this.now() + this.sessionTtlSeconds * 1000 });
    return session;
  }

  /**
   * A live session for `challenge` without using it up (MFA answers: a wrong code may be retried
   * with the same Session); useSession() ends it once the answer is accepted.
   */
  private peekSession(session: string, challenge: SessionChallenge, clientId: string): SessionRecord {
    const rec = this.sessions.get(session);
    if (!rec || rec.challenge !== challenge || rec.clientId !== clientId) throw notAuthorized('Invalid session for the user.');
    if (rec.expiresAt <= this.now()) {
      this.sessions.delete(session);
      throw notAuthorized('Invalid session for the user, session is expired.');
    }
    return rec;
  }

  private useSession(session: string): void {
    this.sessions.delete(session);
  }

  private takeSession(session: string, challenge: SessionChallenge, clientId: string): SessionRecord {
    const rec = this.sessions.get(session);
    if (!rec || rec.challenge !== challenge || rec.clientId !== clientId) throw notAuthorized('Invalid session for the user.');
    this.sessions.delete(session);
    if (rec.srp) this.sessionsBySecretBlock.delete(rec.srp.secretBlock);
    if (rec.expiresAt <= this.now()) throw notAuthorized('Invalid session for the user, session is expired.');
    return rec;
  }

  /** RespondToAuthChallenge, recorded in `answeredChallenges` with its outcome. */
  private respondToAuthChallenge(body: Json): Json {
    const challengeName = typeof body['ChallengeName'] === 'string' ? (body['ChallengeName'] as string) : '';
    const sent = isObject(body['ChallengeResponses']) ? (body['ChallengeResponses'] as Json) : {};
    const responses: Record<string, string> = {};
    for (const [k, v] of Object.entries(sent)) if (typeof v === 'string') responses[k] = v;
    const answer: AnsweredChallenge = {
      challengeName,
      clientId: typeof body['ClientId'] === 'string' ? (body['ClientId'] as string) : undefined,
      username: responses['USERNAME'],
      responses,
      outcome: 'error',
    };
    try {
      const result = this.answerChallenge(body);
      if (typeof result['ChallengeName'] === 'string') {
        answer.outcome = 'challenge';
        answer.nextChallenge = result['ChallengeName'] as string;
      } else {
        answer.outcome = 'tokens';
      }
      return result;
    } catch (err) {
      answer.error = err instanceof CognitoServiceError ? err.code : 'InternalErrorException';
      throw err;
    } finally {
      this.answeredChallenges.push(answer);
    }
  }

  private answerChallenge(body: Json): Json {
    const challenge = requiredString(body, 'ChallengeName', 'challengeName');
    const client = this.client(body);
    const responses = stringMap(body, 'ChallengeResponses') ?? {};
    const session = optionalString(body, 'Session', 'session');
    switch (challenge) {
      case 'PASSWORD_VERIFIER':
        return this.passwordVerifier(client, responses, session);
      case 'NEW_PASSWORD_REQUIRED':
        return this.newPasswordRequired(client, responses, session);
      case 'SELECT_MFA_TYPE':
        return this.selectMfaType(client, responses, session);
      case 'SOFTWARE_TOKEN_MFA':
      case 'SMS_MFA':
      case 'EMAIL_OTP':
        return this.mfaCode(client, challenge, responses, session);
      case 'MFA_SETUP':
        throw invalid('MFA_SETUP is not supported by FakeCognito (AssociateSoftwareToken is not implemented)');
      case 'DEVICE_SRP_AUTH':
        return this.deviceSrpAuth(client, responses, session);
      case 'DEVICE_PASSWORD_VERIFIER':
        return this.devicePasswordVerifier(client, responses, session);
      default:
        throw invalid(`Unsupported challenge: ${challenge}`);
    }
  }

  /**
   * The common checks of an MFA-step answer: Session, USERNAME, SECRET_HASH (with the USERNAME
   * sent), a live session of this challenge for this client, and a USERNAME that names its user.
   */
  private mfaSessionUser(
    client: ClientRecord,
    challenge: SessionChallenge,
    responses: Record<string, string>,
    session: string | undefined,
    required: string,
  ): { rec: SessionRecord; user: UserRecord; value: string; sessionId: string } {
    if (session === undefined) throw invalid('Missing required parameter Session');
    const username = this.requireParam(responses, 'USERNAME');
    const value = this.requireParam(responses, required);
    this.checkSecretHash(client, responses['SECRET_HASH'], [username]);
    const rec = this.peekSession(session, challenge, client.clientId);
    const user = this.users.get(rec.username);
    if (!user || (username !== user.username && username !== user.sub)) throw notAuthorized('Invalid session for the user.');
    return { rec, user, value, sessionId: session };
  }

  private selectMfaType(client: ClientRecord, responses: Record<string, string>, session: string | undefined): Json {
    const { rec, user, value, sessionId } = this.mfaSessionUser(client, 'SELECT_MFA_TYPE', responses, session, 'ANSWER');
    const offered = rec.mfaTypes ?? [];
    const type = offered.find((t) => t === value);
    if (type === undefined) throw invalid(`Invalid ANSWER ${value}: the user can choose ${JSON.stringify(offered)}`);
    const deviceKey = this.presentedDevice(user, responses['DEVICE_KEY'], rec.deviceKey);
    this.useSession(sessionId);
    return this.mfaChallenge(client, user, type, deviceKey);
  }

  private mfaCode(client: ClientRecord, type: FakeMfaType, responses: Record<string, string>, session: string | undefined): Json {
    const { rec, user, value: code, sessionId } = this.mfaSessionUser(client, type, responses, session, MFA_CODE_FIELD[type]);
    const deviceKey = this.presentedDevice(user, responses['DEVICE_KEY'], rec.deviceKey);
    const mismatch = () => new CognitoServiceError('CodeMismatchException', 'Invalid code or auth state for the user.');
    if (type === 'SOFTWARE_TOKEN_MFA') {
      const key = user.totpKey;
      if (!key) throw mismatch();
      // the current 30 s step and the one before (clock drift), newest first
      const now = totpStep(this.now());
      const matching = [now, now - 1].filter((s) => s >= 0 && safeEqualString(hotp(key, s), code));
      if (matching.length === 0) throw mismatch();
      const fresh = matching.filter((s) => user.lastTotpStep === undefined || s > user.lastTotpStep);
      if (fresh.length === 0) throw new CognitoServiceError('ExpiredCodeException', 'Your software token has already been used once.');
      user.lastTotpStep = fresh[0]!;
    } else {
      const expected = type === 'SMS_MFA' ? user.smsCode : user.emailOtpCode;
      if (expected === undefined || !safeEqualString(expected, code)) throw mismatch();
    }
    this.useSession(sessionId);
    // a remembered device that did not skip the code (ChallengeRequiredOnNewDevice false) proves itself next
    if (deviceKey !== undefined && this.deviceStore.isRemembered(deviceKey)) return this.deviceSrpChallenge(client, user, deviceKey);
    return this.signedIn(client, user, deviceKey);
  }

  private passwordVerifier(client: ClientRecord, responses: Record<string, string>, session: string | undefined): Json {
    const username = this.requireParam(responses, 'USERNAME');
    const secretBlock = this.requireParam(responses, 'PASSWORD_CLAIM_SECRET_BLOCK');
    const signature = this.requireParam(responses, 'PASSWORD_CLAIM_SIGNATURE');
    const timestamp = this.requireParam(responses, 'TIMESTAMP');
    // Real Cognito keeps the SRP state inside SECRET_BLOCK, so Session is optional here.
    const sessionId = session ?? this.sessionsBySecretBlock.get(secretBlock);
    if (sessionId === undefined) throw notAuthorized('Incorrect username or password.');
    // An unknown DEVICE_KEY is refused before the session is used up: amazon-cognito-identity-js
    // answers again with the same SECRET_BLOCK and Session, without the key.
    const pending = this.peekSession(sessionId, 'PASSWORD_VERIFIER', client.clientId);
    const pendingUser = this.users.get(pending.username);
    const deviceKey = pendingUser ? this.presentedDevice(pendingUser, responses['DEVICE_KEY'], pending.deviceKey) : undefined;
    const rec = this.takeSession(sessionId, 'PASSWORD_VERIFIER', client.clientId);
    const srp = rec.srp!;
    if (srp.secretBlock !== secretBlock) throw notAuthorized('Incorrect username or password.');
    const user = this.users.get(rec.username);
    if (!user || ![user.username, user.sub, srp.userIdForSrp].includes(username)) {
      throw notAuthorized('Incorrect username or password.');
    }
    this.checkSecretHash(client, responses['SECRET_HASH'], [username]);
    if (parseSrpTimestamp(timestamp) === undefined) {
      throw invalid('TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.');
    }
    let expected: string;
    try {
      const key = serverAuthenticationKey(srp.A, srp.B, srp.b, user.srp.verifier);
      expected = passwordClaimSignature(key, poolNameOf(this.userPoolId), srp.userIdForSrp, secretBlock, timestamp);
    } catch {
      throw notAuthorized('Incorrect username or password.');
    }
    if (!signaturesEqual(expected, signature)) throw notAuthorized('Incorrect username or password.');
    return this.afterPasswordVerified(client, user, deviceKey);
  }

  private newPasswordRequired(client: ClientRecord, responses: Record<string, string>, session: string | undefined): Json {
    if (session === undefined) throw invalid('Missing required parameter Session');
    const username = this.requireParam(responses, 'USERNAME');
    const newPassword = this.requireParam(responses, 'NEW_PASSWORD');
    this.checkSecretHash(client, responses['SECRET_HASH'], [username]);
    const pending = this.peekSession(session, 'NEW_PASSWORD_REQUIRED', client.clientId);
    const pendingUser = this.users.get(pending.username);
    const deviceKey = pendingUser ? this.presentedDevice(pendingUser, responses['DEVICE_KEY'], pending.deviceKey) : undefined;
    const rec = this.takeSession(session, 'NEW_PASSWORD_REQUIRED', client.clientId);
    const user = this.users.get(rec.username);
    if (!user || (username !== user.username && username !== user.sub)) throw notAuthorized('Invalid session for the user.');
    if (newPassword.length < 8) {
      throw new CognitoServiceError('InvalidPasswordException', 'Password does not conform to policy: Password not long enough');
    }
    user.password = newPassword;
    user.status = 'CONFIRMED';
    user.srp = this.makeSrp(user.username, user.sub, newPassword);
    return this.afterFirstFactor(client, user, deviceKey);
  }

  // ---------------------------------------------------------------- remembered devices: sign-in

  /**
   * DEVICE_SRP_AUTH: the user is known (password, and any MFA code, accepted) and presented a
   * remembered device, which must now prove its device password by SRP.
   */
  private deviceSrpChallenge(client: ClientRecord, user: UserRecord, deviceKey: string): Json {
    const session = this.newSession({ challenge: 'DEVICE_SRP_AUTH', clientId: client.clientId, username: user.username, deviceKey });
    return { ChallengeName: 'DEVICE_SRP_AUTH', ChallengeParameters: { USERNAME: this.challengeUsername(user) }, Session: session };
  }

  /** The names a challenge answer may call the user by. */
  private namesOf(user: UserRecord): string[] {
    return [user.username, user.sub, user.srp.userIdForSrp];
  }

  /**
   * The pending DEVICE_SRP_AUTH an answer belongs to: its Session when that is one, else the live
   * one of this client, user and device. Clients answer it with no Session (ryanmab/aws-cognito-srp's
   * tests against the service pass none) or a used one (amazon-cognito-identity-js after an MFA
   * code sends the MFA step's), so the fake, like the service, keys it on the user and device.
   */
  private pendingDeviceSrp(
    client: ClientRecord,
    session: string | undefined,
    username: string,
    deviceKey: string,
  ): { id: string; user: UserRecord; rec: SessionRecord } {
    const live = (r: SessionRecord | undefined): r is SessionRecord =>
      r !== undefined && r.challenge === 'DEVICE_SRP_AUTH' && r.clientId === client.clientId;
    const ids = session !== undefined && live(this.sessions.get(session)) ? [session] : [];
    for (const [id, r] of this.sessions) if (id !== session && live(r) && r.deviceKey === deviceKey) ids.push(id);
    for (const id of ids) {
      const r = this.sessions.get(id)!;
      const user = this.users.get(r.username);
      if (!user || !this.namesOf(user).includes(username)) continue;
      if (r.expiresAt <= this.now()) {
        this.sessions.delete(id);
        throw notAuthorized('Invalid session for the user, session is expired.');
      }
      return { id, user, rec: r };
    }
    throw notAuthorized('Invalid session for the user.');
  }

  /** DEVICE_SRP_AUTH answered (USERNAME, DEVICE_KEY, SRP_A): DEVICE_PASSWORD_VERIFIER with the device's salt and B. */
  private deviceSrpAuth(client: ClientRecord, responses: Record<string, string>, session: string | undefined): Json {
    const username = this.requireParam(responses, 'USERNAME');
    const deviceKey = this.requireParam(responses, 'DEVICE_KEY');
    const srpA = this.requireParam(responses, 'SRP_A');
    this.checkSecretHash(client, responses['SECRET_HASH'], [username]);
    const A = clientPublicKey(srpA);
    const { id, user, rec } = this.pendingDeviceSrp(client, session, username, deviceKey);
    const device = this.deviceStore.requireConfirmed(user, deviceKey);
    if (rec.deviceKey !== deviceKey) throw notAuthorized('Invalid session for the user.');
    this.useSession(id);
    const { b, B } = makeServerEphemeral(device.verifier);
    const secretBlock = randomBytes(384).toString('base64');
    const next = this.newSession({
      challenge: 'DEVICE_PASSWORD_VERIFIER',
      clientId: client.clientId,
      username: user.username,
      deviceKey,
      srp: { A, B, b, secretBlock, userIdForSrp: deviceKey },
    });
    this.sessionsBySecretBlock.set(secretBlock, next);
    return {
      ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
      ChallengeParameters: {
        SALT: device.saltHex,
        SRP_B: B.toString(16),
        SECRET_BLOCK: secretBlock,
        USERNAME: this.challengeUsername(user),
      },
      Session: next,
    };
  }

  /**
   * DEVICE_PASSWORD_VERIFIER answered: the proof over DeviceGroupKey | DeviceKey | SECRET_BLOCK |
   * TIMESTAMP with the key from the verifier ConfirmDevice registered; tokens for the device.
   */
  private devicePasswordVerifier(client: ClientRecord, responses: Record<string, string>, session: string | undefined): Json {
    const username = this.requireParam(responses, 'USERNAME');
    const deviceKey = this.requireParam(responses, 'DEVICE_KEY');
    const secretBlock = this.requireParam(responses, 'PASSWORD_CLAIM_SECRET_BLOCK');
    const signature = this.requireParam(responses, 'PASSWORD_CLAIM_SIGNATURE');
    const timestamp = this.requireParam(responses, 'TIMESTAMP');
    this.checkSecretHash(client, responses['SECRET_HASH'], [username]);
    const given = session !== undefined && this.sessions.get(session)?.challenge === 'DEVICE_PASSWORD_VERIFIER' ? session : undefined;
    const sessionId = given ?? this.sessionsBySecretBlock.get(secretBlock);
    if (sessionId === undefined) throw notAuthorized('Incorrect username or password.');
    const pending = this.peekSession(sessionId, 'DEVICE_PASSWORD_VERIFIER', client.clientId);
    const user = this.users.get(pending.username);
    if (!user) throw notAuthorized('Incorrect username or password.');
    // forgotten since DEVICE_SRP_AUTH: refused before the session is used up, as at every step
    const device = this.deviceStore.requireConfirmed(user, deviceKey);
    const rec = this.takeSession(sessionId, 'DEVICE_PASSWORD_VERIFIER', client.clientId);
    const srp = rec.srp!;
    if (srp.secretBlock !== secretBlock || rec.deviceKey !== deviceKey || !this.namesOf(user).includes(username)) {
      throw notAuthorized('Incorrect username or password.');
    }
    if (parseSrpTimestamp(timestamp) === undefined) {
      throw invalid('TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.');
    }
    let expected: string;
    try {
      const key = serverAuthenticationKey(srp.A, srp.B, srp.b, device.verifier);
      expected = passwordClaimSignature(key, device.deviceGroupKey, deviceKey, secretBlock, timestamp);
    } catch {
      throw notAuthorized('Incorrect username or password.');
    }
    if (!signaturesEqual(expected, signature)) throw notAuthorized('Incorrect username or password.');
    return this.signedIn(client, user, deviceKey);
  }

  // ---------------------------------------------------------------- remembered devices: operations

  /** The user an access token was issued to (as GetUser finds it). */
  private tokenUser(body: Json): UserRecord {
    const rec = this.accessToken(body);
    const user = this.users.get(rec.username);
    if (!user || user.sub !== rec.sub) throw new CognitoServiceError('UserNotFoundException', 'User does not exist.');
    return user;
  }

  private deviceKeyParam(body: Json): string {
    const key = requiredString(body, 'DeviceKey', 'deviceKey');
    checkDeviceKeyShape(key);
    return key;
  }

  private rememberedStatusParam(body: Json): DeviceRememberedStatus {
    const status = requiredString(body, 'DeviceRememberedStatus', 'deviceRememberedStatus');
    if (status !== 'remembered' && status !== 'not_remembered') {
      throw invalid(
        `1 validation error detected: Value '${status}' at 'deviceRememberedStatus' failed to satisfy constraint: ` +
          'Member must satisfy enum value set: [remembered, not_remembered]',
      );
    }
    return status;
  }

  /** ConfirmDevice, UpdateDeviceStatus, ForgetDevice, GetDevice, ListDevices: as the access token's user. */
  private deviceOperation(operation: string, body: Json): Json {
    const user = this.tokenUser(body);
    return this.onDevices(operation, user, body);
  }

  /**
   * AdminForgetDevice, AdminUpdateDeviceStatus, AdminGetDevice, AdminListDevices: by UserPoolId and
   * Username (the fake does not check the SigV4 signature of admin calls).
   */
  private adminDeviceOperation(operation: string, body: Json): Json {
    const poolId = requiredString(body, 'UserPoolId', 'userPoolId');
    if (poolId !== this.userPoolId) throw new CognitoServiceError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
    const user = this.findUser(requiredString(body, 'Username', 'username'));
    if (!user) throw new CognitoServiceError('UserNotFoundException', 'User does not exist.');
    return this.onDevices(operation.slice('Admin'.length), user, body);
  }

  private onDevices(operation: string, user: DeviceOwner, body: Json): Json {
    switch (operation) {
      case 'ConfirmDevice': {
        const key = this.deviceKeyParam(body);
        const name = optionalString(body, 'DeviceName', 'deviceName');
        if (name !== undefined && (name.length < 1 || name.length > 1024)) {
          throw invalid(
            `1 validation error detected: Value '${name}' at 'deviceName' failed to satisfy constraint: ` +
              `Member must have length ${name.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 1024'}`,
          );
        }
        const cfg = body['DeviceSecretVerifierConfig'];
        const necessary = this.deviceStore.confirm(user, key, isObject(cfg) ? cfg : undefined, name, this.deviceTracking);
        return { UserConfirmationNecessary: necessary };
      }
      case 'UpdateDeviceStatus': {
        const key = this.deviceKeyParam(body);
        this.deviceStore.setStatus(user, key, this.rememberedStatusParam(body));
        return {};
      }
      case 'ForgetDevice': {
        if (!this.deviceStore.forget(user, this.deviceKeyParam(body))) throw deviceNotFound();
        return {};
      }
      case 'GetDevice': {
        const key = this.deviceKeyParam(body);
        this.deviceStore.requireConfirmed(user, key);
        return { Device: deviceType(this.deviceStore.get(key)!) };
      }
      case 'ListDevices':
        return page(this.deviceStore.listConfirmed(user), body['Limit'], body['PaginationToken']);
      default:
        throw new CognitoServiceError('UnknownOperationException', `Unknown operation ${IDP_PREFIX}.${operation}`);
    }
  }

  private issueTokens(client: ClientRecord, user: UserRecord, withRefresh: boolean, authTime?: number, deviceKey?: string): Json {
    const iat = this.nowSeconds();
    const exp = iat + this.tokenTtlSeconds;
    const auth = authTime ?? iat;
    const originJti = randomUUID();
    const eventId = randomUUID();
    const jwt = (payload: Json) =>
      `${base64url(JSON.stringify({ alg: 'RS256', kid: 'fake' }))}.${base64url(JSON.stringify(payload))}.${base64url(randomBytes(256))}`;
    const idToken = jwt({
      sub: user.sub,
      iss: this.issuer,
      'cognito:username': user.username,
      origin_jti: originJti,
      aud: client.clientId,
      event_id: eventId,
      token_use: 'id',
      auth_time: auth,
      exp,
      iat,
      jti: randomUUID(),
    });
    const accessToken = jwt({
      sub: user.sub,
      iss: this.issuer,
      client_id: client.clientId,
      origin_jti: originJti,
      event_id: eventId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      auth_time: auth,
      exp,
      iat,
      jti: randomUUID(),
      username: user.username,
    });
    const base = { username: user.username, sub: user.sub, clientId: client.clientId, exp, revoked: false };
    this.idTokens.set(idToken, { ...base });
    this.accessTokens.set(accessToken, { ...base });
    const result: Json = { AccessToken: accessToken, ExpiresIn: this.tokenTtlSeconds, IdToken: idToken, TokenType: 'Bearer' };
    const issued: IssuedTokens = { username: user.username, sub: user.sub, clientId: client.clientId, idToken, accessToken };
    if (withRefresh) {
      // Real Cognito refresh tokens run to about 1.8 KB: big enough to need splitting in some keychains.
      const refreshToken = randomBytes(1300).toString('base64url');
      const refresh: RefreshRecord = { ...base, exp: iat + this.refreshTokenTtlSeconds, authTime: auth };
      if (deviceKey !== undefined) refresh.deviceKey = deviceKey;
      this.refreshTokens.set(refreshToken, refresh);
      result['RefreshToken'] = refreshToken;
      issued.refreshToken = refreshToken;
    }
    if (deviceKey !== undefined) issued.deviceKey = deviceKey;
    this.issuedTokens.push(issued);
    return result;
  }

  private revokeToken(body: Json): Json {
    const token = requiredString(body, 'Token', 'token');
    const client = this.client(body);
    if (client.clientSecret !== undefined && body['ClientSecret'] !== client.clientSecret) {
      throw notAuthorized(`Client is configured with secret but secret was not received or was wrong`);
    }
    const rec = this.refreshTokens.get(token);
    if (rec && rec.clientId === client.clientId) rec.revoked = true;
    return {};
  }

  private accessToken(body: Json): TokenRecord {
    const token = requiredString(body, 'AccessToken', 'accessToken');
    const rec = this.accessTokens.get(token);
    if (!rec) throw notAuthorized('Invalid Access Token');
    if (rec.revoked) throw notAuthorized('Access Token has been revoked');
    if (rec.exp <= this.nowSeconds()) throw notAuthorized('Access Token has expired');
    return rec;
  }

  private globalSignOut(body: Json): Json {
    const rec = this.accessToken(body);
    for (const map of [this.accessTokens, this.refreshTokens]) {
      for (const r of map.values()) if (r.username === rec.username) r.revoked = true;
    }
    return {};
  }

  private getUserOp(body: Json): Json {
    const rec = this.accessToken(body);
    const user = this.users.get(rec.username);
    if (!user) throw new CognitoServiceError('UserNotFoundException', 'User does not exist.');
    return { Username: user.username, UserAttributes: [{ Name: 'sub', Value: user.sub }] };
  }

  // ---------------------------------------------------------------- identity pool

  private checkIdentityPoolId(id: string): void {
    if (!/^[\w-]+:[0-9a-f-]+$/.test(id)) {
      throw invalid(
        `1 validation error detected: Value '${id}' at 'identityPoolId' failed to satisfy constraint: ` +
          'Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+',
      );
    }
    if (id !== this.identityPoolId) throw new CognitoServiceError('ResourceNotFoundException', `IdentityPool '${id}' not found.`);
  }

  /** Validate the Logins map and return the ID token's record. */
  private login(body: Json): TokenRecord {
    const logins = stringMap(body, 'Logins');
    if (!logins || Object.keys(logins).length === 0) {
      throw notAuthorized('Unauthenticated access is not supported for this identity pool.');
    }
    let found: TokenRecord | undefined;
    for (const [provider, token] of Object.entries(logins)) {
      if (provider !== this.providerName) {
        throw notAuthorized(`Invalid login token. Can't find provider ${provider} in identity pool ${this.identityPoolId}`);
      }
      const rec = this.idTokens.get(token);
      if (!rec) throw notAuthorized('Invalid login token. Not a valid OpenId Connect identity token.');
      const now = this.nowSeconds();
      if (rec.exp <= now) throw notAuthorized(`Invalid login token. Token expired: ${now} >= ${rec.exp}`);
      found = rec;
    }
    return found!;
  }

  private identityIdFor(sub: string): string {
    return `${this.region}:${uuidFromHash(`${this.identityPoolId}|${sub}`)}`;
  }

  private getId(body: Json): Json {
    const poolId = requiredString(body, 'IdentityPoolId', 'identityPoolId');
    this.checkIdentityPoolId(poolId);
    const rec = this.login(body);
    const identityId = this.identityIdFor(rec.sub);
    this.identities.set(identityId, rec.sub);
    return { IdentityId: identityId };
  }

  private getCredentialsForIdentity(body: Json): Json {
    const identityId = requiredString(body, 'IdentityId', 'identityId');
    if (!/^[\w-]+:[0-9a-f-]+$/.test(identityId)) {
      throw invalid(
        `1 validation error detected: Value '${identityId}' at 'identityId' failed to satisfy constraint: ` +
          'Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+',
      );
    }
    const customRoleArn = optionalString(body, 'CustomRoleArn', 'customRoleArn');
    if (customRoleArn !== undefined && !/^arn:aws:iam::\d{12}:role\/.+$/.test(customRoleArn)) {
      throw invalid(
        `1 validation error detected: Value '${customRoleArn}' at 'customRoleArn' failed to satisfy constraint: ` +
          'Member must satisfy regular expression pattern: arn:aws:iam::\\d{12}:role/.+',
      );
    }
    const rec = this.login(body);
    const expectedId = this.identityIdFor(rec.sub);
    if (identityId !== expectedId) {
      if (this.identities.has(identityId)) {
        throw notAuthorized('Logins don\'t match. Please include at least one valid login for this identity or identity pool.');
      }
      throw new CognitoServiceError('ResourceNotFoundException', `Identity '${identityId}' not found.`);
    }
    this.identities.set(identityId, rec.sub);
    const expiration = Math.floor((this.now() + this.credentialsTtlSeconds * 1000) / 1000);
    const creds: IssuedCredentials = {
      identityId,
      accessKeyId: 'ASIA' + randomFrom(UPPER_ALNUM, 16),
      secretKey: randomFrom(SECRET_CHARS, 40),
      sessionToken: randomBytes(480).toString('base64'),
      expiration,
    };
    if (customRoleArn !== undefined) creds.customRoleArn = customRoleArn;
    this.issued.push(creds);
    return {
      IdentityId: identityId,
      Credentials: {
        AccessKeyId: creds.accessKeyId,
        SecretKey: creds.secretKey,
        SessionToken: creds.sessionToken,
        Expiration: expiration,
      },
    };
  }
}

function normalizeFlow(flow: string): string {
  const f = flow.startsWith('ALLOW_') ? flow.slice('ALLOW_'.length) : flow;
  return f === 'REFRESH_TOKEN' ? 'REFRESH_TOKEN_AUTH' : f;
}

/** Decode a JWT's payload (no verification): handy for tests and the demo. */
export function decodeJwtPayload(token: string): Json {
  const part = token.split('.')[1];
  if (part === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Json;
}

/** SRP_A as Cognito checks it: a hex number, not 0 mod N. */
function clientPublicKey(srpA: string): bigint {
  let A: bigint;
  try {
    A = bigFromHex(srpA);
  } catch {
    throw invalid('SRP_A is not a hex number');
  }
  if (A % N === 0n) throw invalid('SRP_A cannot be 0 mod N');
  return A;
}
