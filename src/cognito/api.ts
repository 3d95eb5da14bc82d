/**
 * The Cognito operations a sign-in needs, behind an interface: the user pool's InitiateAuth,
 * RespondToAuthChallenge and GetTokensFromRefreshToken (and, for remembered devices, ConfirmDevice,
 * UpdateDeviceStatus and ForgetDevice: their shapes are in device-api.ts), the identity pool's GetId and
 * GetCredentialsForIdentity, sent by the AWS SDK clients (CognitoIdentityProviderClient and
 * CognitoIdentityClient) with the SDK's standard retries, its endpoint rules, and its errors.
 * Only the fields cognito-creds uses are typed here. This module is loaded by a sign-in only: a
 * cached call never loads the SDK.
 */
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import {
  CognitoIdentityProviderClient,
  ConfirmDeviceCommand,
  ForgetDeviceCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  UpdateDeviceStatusCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { DebugLog } from '../log/debug.js';
import type { ConfirmDeviceInput, ForgetDeviceInput, NewDeviceMetadata, UpdateDeviceStatusInput } from './device-api.js';
import { type Proxy, proxyFor } from './proxy.js';
import { createTransport, type Transport } from './transport.js';

export interface AuthenticationResult {
  IdToken?: string;
  AccessToken?: string;
  RefreshToken?: string;
  /** When the pool tracks devices and the sign-in named none it knows. */
  NewDeviceMetadata?: NewDeviceMetadata;
}

/** InitiateAuth's and RespondToAuthChallenge's answer: tokens, or the next challenge. */
export interface AuthStep {
  AuthenticationResult?: AuthenticationResult;
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
}

export interface InitiateAuthInput {
  AuthFlow: string;
  ClientId: string;
  AuthParameters: Record<string, string>;
}

export interface RespondToAuthChallengeInput {
  ChallengeName: string;
  ClientId: string;
  Session?: string;
  ChallengeResponses: Record<string, string>;
}

export interface GetTokensFromRefreshTokenInput {
  ClientId: string;
  RefreshToken: string;
  ClientSecret?: string;
  /** The device the refresh token was issued to. */
  DeviceKey?: string;
}

export interface GetIdInput {
  IdentityPoolId: string;
  Logins: Record<string, string>;
}

export interface GetCredentialsForIdentityInput {
  IdentityId: string;
  Logins: Record<string, string>;
  CustomRoleArn?: string;
}

export interface IdentityCredentials {
  AccessKeyId?: string;
  SecretKey?: string;
  SessionToken?: string;
  /** An Invalid Date when the answer had none. */
  Expiration?: Date;
}

/** What the profile's settings say of one service's endpoint (src/config/endpoint-settings.ts). */
export interface EndpointChoice {
  /** The configured URL and the setting it came from; else the SDK's endpoint rules decide. */
  configured?: { url: string; source: string } | undefined;
  /** The public endpoint's variant. */
  fips: boolean;
  dualstack: boolean;
}

/** Where one service's requests go. */
export interface Route {
  url: string;
  /** Where the URL came from, for --debug: e.g. "AWS_ENDPOINT_URL", "public endpoint". */
  source: string;
  proxy?: Proxy;
  /** For messages: the URL, and the proxy when there is one (never its password). */
  described: string;
  /** For --debug: `described` with where each part came from. */
  detail: string;
}

export interface CognitoApi {
  initiateAuth(input: InitiateAuthInput): Promise<AuthStep>;
  respondToAuthChallenge(input: RespondToAuthChallengeInput): Promise<AuthStep>;
  getTokensFromRefreshToken(input: GetTokensFromRefreshTokenInput): Promise<Pick<AuthStep, 'AuthenticationResult'>>;
  getId(input: GetIdInput): Promise<{ IdentityId?: string }>;
  getCredentialsForIdentity(input: GetCredentialsForIdentityInput): Promise<{ IdentityId?: string; Credentials?: IdentityCredentials }>;
  confirmDevice(input: ConfirmDeviceInput): Promise<unknown>;
  updateDeviceStatus(input: UpdateDeviceStatusInput): Promise<unknown>;
  forgetDevice(input: ForgetDeviceInput): Promise<unknown>;
  readonly routes: Readonly<Record<'userPool' | 'identity', Route>>;
  /** Close keep-alive connections. */
  destroy(): void;
}

export interface CognitoApiOptions {
  /** The cognito-creds profile: every setting the SDK reads comes from it, never from AWS_PROFILE's. */
  profileName: string;
  userPoolRegion: string;
  identityRegion: string;
  endpoints: Readonly<Record<'userPool' | 'identity', EndpointChoice>>;
  /** Bound on the whole sign-in, all requests and retries together. */
  totalTimeoutMs: number;
  /** Bound on opening one connection. */
  connectTimeoutMs?: number;
  /** Bound on one request once connected. */
  requestTimeoutMs?: number;
  /** Attempts per request, the first included (default: the SDKs' 3). */
  maxAttempts?: number;
  log: DebugLog;
}

/** Default bound on a whole sign-in; `COGNITO_CREDS_TIMEOUT` (seconds) overrides it. */
export const DEFAULT_TOTAL_TIMEOUT_MS = 25_000;

/** Attempts per request, the first included (the AWS SDKs' default). */
export const MAX_ATTEMPTS = 3;

type Ctor = typeof CognitoIdentityProviderClient | typeof CognitoIdentityClient;

/**
 * Both clients, their endpoints resolved; a malformed endpoint or proxy setting throws here,
 * before any request. The whole sign-in is bounded by one deadline, an abort signal on every command.
 */
export function createCognitoApi(options: CognitoApiOptions): CognitoApi {
  const { log } = options;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.totalTimeoutMs);
  timer.unref();
  const opened: Array<{ destroy(): void }> = [];
  try {
    const idp = openClient(CognitoIdentityProviderClient, options.userPoolRegion, options.endpoints.userPool, options, opened);
    const identity = openClient(CognitoIdentityClient, options.identityRegion, options.endpoints.identity, options, opened);
    const send = <O>(name: string, target: Opened, command: unknown) => log.step(name, () => target.send<O>(command, deadline.signal));
    return {
      routes: { userPool: idp.route, identity: identity.route },
      initiateAuth: (input) => send('InitiateAuth', idp, new InitiateAuthCommand(input as never)),
      respondToAuthChallenge: (input) => send('RespondToAuthChallenge', idp, new RespondToAuthChallengeCommand(input as never)),
      getTokensFromRefreshToken: (input) => send('GetTokensFromRefreshToken', idp, new GetTokensFromRefreshTokenCommand(input)),
      getId: (input) => send('GetId', identity, new GetIdCommand(input)),
      getCredentialsForIdentity: (input) => send('GetCredentialsForIdentity', identity, new GetCredentialsForIdentityCommand(input)),
      confirmDevice: (input) => send('ConfirmDevice', idp, new ConfirmDeviceCommand(input)),
      updateDeviceStatus: (input) => send('UpdateDeviceStatus', idp, new UpdateDeviceStatusCommand(input)),
      forgetDevice: (input) => send('ForgetDevice', idp, new ForgetDeviceCommand(input)),
      destroy: () => {
        clearTimeout(timer);
        for (const c of opened) c.destroy();
      },
    };
  } catch (err) {
    clearTimeout(timer);
    for (const c of opened) c.destroy();
    throw err;
  }
}

interface Opened {
  route: Route;
  send<O>(command: unknown, abortSignal: AbortSignal): Promise<O>;
}

function openClient<C extends Ctor>(
  Client: C,
  region: string,
  choice: EndpointChoice,
  options: CognitoApiOptions,
  opened: Array<{ destroy(): void }>,
): Opened {
  const { configured } = choice;
  const transport = createTransport({
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    requestTimeoutMs: options.requestTimeoutMs ?? Math.min(10_000, options.totalTimeoutMs),
    log: options.log,
  });
  const client = quietly(
    () =>
      new Client({
        region,
        profile: options.profileName,
        maxAttempts: options.maxAttempts ?? MAX_ATTEMPTS,
        retryMode: 'standard',
        requestHandler: transport.handler,
        useFipsEndpoint: choice.fips,
        useDualstackEndpoint: choice.dualstack,
        // The configured URL (read from the cognito-creds profile), else the SDK's rules;
        // never the SDK's own lookup, which would read AWS_PROFILE's profile.
        ...(configured ? { endpoint: configured.url } : { ignoreConfiguredEndpointUrls: true }),
        customUserAgent: 'cognito-creds',
        // These operations are unsigned (smithy.api#noAuth). Should the SDK ever ask for AWS
        // credentials anyway, fail instead of running the default chain, which could run
        // credential_process, that is this very program, again.
        credentials: async () => {
          throw new Error('cognito-creds never signs Cognito requests with AWS credentials');
        },
        logger: { debug: () => undefined, info: () => undefined, warn: (m: unknown) => options.log(String(m)), error: () => undefined },
      }),
  ) as InstanceType<C>;
  opened.push(client);
  const url =
    configured?.url ??
    client.config.endpointProvider({ Region: region, UseFIPS: choice.fips, UseDualStack: choice.dualstack }).url.href.replace(/\/$/, '');
  const proxy = proxyFor(url);
  transport.route({ endpoint: url, proxy });
  const source = configured?.source ?? `${choice.fips ? 'FIPS ' : ''}${choice.dualstack ? 'dual-stack ' : ''}public endpoint`;
  const via = proxy ? ` through the proxy ${proxy.shown}` : '';
  const route: Route = {
    url,
    source,
    ...(proxy ? { proxy } : {}),
    described: `${url}${via}`,
    detail: `${url} (${source})${via}${proxy ? ` (${proxy.source})` : ''}`,
  };
  return {
    route,
    send: (command, abortSignal) => sendThrough(client, transport, command, abortSignal),
  };
}

async function sendThrough<O>(client: CognitoIdentityProviderClient | CognitoIdentityClient, transport: Transport, command: unknown, abortSignal: AbortSignal): Promise<O> {
  try {
    return (await (client.send as (c: unknown, o: object) => Promise<O>)(command, { abortSignal }));
  } catch (err) {
    const status = transport.proxyRefusal();
    if (status === undefined) throw err;
    // The answer the SDK read was the proxy's refusal of the tunnel, not Cognito's.
    const refused = new Error(`the proxy answered HTTP ${status} to CONNECT`, { cause: err }) as Error & { $metadata: object };
    refused.name = 'ProxyError';
    refused.$metadata = { httpStatusCode: status };
    throw refused;
  }
}

/**
 * The SDK warns on stderr (process.emitWarning) about Node versions it will stop supporting;
 * stderr must stay empty on success, so the warning is switched off while the client is made.
 */
function quietly<T>(make: () => T): T {
  const name = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
  const previous = process.env[name];
  process.env[name] = 'true';
  try {
    return make();
  } finally {
    if (previous === undefined) delete process.env[name];
    else process.env[name] = previous;
  }
}
