/**
 * The Cognito operations a sign-in needs, behind an interface: the user pool's InitiateAuth,
 * RespondToAuthChallenge and GetTokensFromRefreshToken, the identity pool's GetId and
 * GetCredentialsForIdentity. All five are unsigned, so they are plain AWS JSON 1.1 requests
 * (src/cognito/aws-json.ts); only the fields cognito-creds uses are typed here.
 */
import type { DebugLog } from '../log/debug.js';
import { AwsJsonClient } from './aws-json.js';

export interface AuthenticationResult {
  IdToken?: string;
  AccessToken?: string;
  RefreshToken?: string;
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
  /** Converted from the wire's epoch seconds; an Invalid Date when the answer had none. */
  Expiration?: Date;
}

export interface CognitoApi {
  initiateAuth(input: InitiateAuthInput): Promise<AuthStep>;
  respondToAuthChallenge(input: RespondToAuthChallengeInput): Promise<AuthStep>;
  getTokensFromRefreshToken(input: GetTokensFromRefreshTokenInput): Promise<Pick<AuthStep, 'AuthenticationResult'>>;
  getId(input: GetIdInput): Promise<{ IdentityId?: string }>;
  getCredentialsForIdentity(input: GetCredentialsForIdentityInput): Promise<{ IdentityId?: string; Credentials?: IdentityCredentials }>;
  /** Close keep-alive connections. */
  destroy(): void;
}

export interface CognitoApiOptions {
  /** Endpoint URLs (src/cognito/endpoint.ts). */
  userPoolEndpoint: string;
  identityEndpoint: string;
  /** The http:// proxy for each, if any (src/cognito/proxy.ts). */
  userPoolProxy?: URL | undefined;
  identityProxy?: URL | undefined;
  /** Bound on the whole sign-in, all requests and retries together. */
  totalTimeoutMs: number;
  /** Bound on opening one connection. */
  connectTimeoutMs?: number;
  /** Bound on one request once connected. */
  requestTimeoutMs?: number;
  log: DebugLog;
}

/** Default bound on a whole sign-in; `COGNITO_CREDS_TIMEOUT` (seconds) overrides it. */
export const DEFAULT_TOTAL_TIMEOUT_MS = 25_000;

/** Attempts per request, the first included (the AWS SDKs' default). */
export const MAX_ATTEMPTS = 3;

export function createCognitoApi(options: CognitoApiOptions): CognitoApi {
  const { log } = options;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.totalTimeoutMs);
  timer.unref();
  const shared = {
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    requestTimeoutMs: options.requestTimeoutMs ?? Math.min(10_000, options.totalTimeoutMs),
    maxAttempts: MAX_ATTEMPTS,
    signal: deadline.signal,
  };
  const idp = new AwsJsonClient({
    ...shared,
    endpoint: options.userPoolEndpoint,
    targetPrefix: 'AWSCognitoIdentityProviderService',
    ...(options.userPoolProxy ? { proxy: options.userPoolProxy } : {}),
  });
  const identity = new AwsJsonClient({
    ...shared,
    endpoint: options.identityEndpoint,
    targetPrefix: 'AWSCognitoIdentityService',
    ...(options.identityProxy ? { proxy: options.identityProxy } : {}),
  });
  // Both connections open now, while the sign-in still waits for the keychain.
  idp.preconnect();
  identity.preconnect();

  return {
    initiateAuth: (input) => log.step('InitiateAuth', () => idp.call('InitiateAuth', input)),
    respondToAuthChallenge: (input) => log.step('RespondToAuthChallenge', () => idp.call('RespondToAuthChallenge', input)),
    getTokensFromRefreshToken: (input) => log.step('GetTokensFromRefreshToken', () => idp.call('GetTokensFromRefreshToken', input)),
    getId: (input) => log.step('GetId', () => identity.call('GetId', input)),
    getCredentialsForIdentity: (input) =>
      log.step('GetCredentialsForIdentity', async () => {
        const out = await identity.call<{ IdentityId?: string; Credentials?: Omit<IdentityCredentials, 'Expiration'> & { Expiration?: unknown } }>(
          'GetCredentialsForIdentity',
          input,
        );
        if (!out.Credentials) return { ...out, Credentials: undefined };
        const { Expiration, ...rest } = out.Credentials;
        // The wire has epoch seconds (possibly fractional); anything else becomes an Invalid Date.
        return { ...out, Credentials: { ...rest, Expiration: new Date(typeof Expiration === 'number' ? Expiration * 1000 : Number.NaN) } };
      }),
    destroy: () => {
      clearTimeout(timer);
      idp.destroy();
      identity.destroy();
    },
  };
}
