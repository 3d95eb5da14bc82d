/**
 * The four Cognito operations a sign-in needs, behind an interface, built on the AWS SDK v3
 * clients. The SDK is imported only here and only when a sign-in really happens, so a cached
 * call never loads it.
 */
import type {
  GetTokensFromRefreshTokenCommandInput,
  GetTokensFromRefreshTokenCommandOutput,
  InitiateAuthCommandInput,
  InitiateAuthCommandOutput,
  RespondToAuthChallengeCommandInput,
  RespondToAuthChallengeCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import type {
  GetCredentialsForIdentityCommandInput,
  GetCredentialsForIdentityCommandOutput,
  GetIdCommandInput,
  GetIdCommandOutput,
} from '@aws-sdk/client-cognito-identity';
import type { DebugLog } from '../log/debug.js';

export interface CognitoApi {
  initiateAuth(input: InitiateAuthCommandInput): Promise<InitiateAuthCommandOutput>;
  respondToAuthChallenge(input: RespondToAuthChallengeCommandInput): Promise<RespondToAuthChallengeCommandOutput>;
  getTokensFromRefreshToken(input: GetTokensFromRefreshTokenCommandInput): Promise<GetTokensFromRefreshTokenCommandOutput>;
  getId(input: GetIdCommandInput): Promise<GetIdCommandOutput>;
  getCredentialsForIdentity(input: GetCredentialsForIdentityCommandInput): Promise<GetCredentialsForIdentityCommandOutput>;
  /** Close keep-alive connections. */
  destroy(): void;
}

export interface CognitoApiOptions {
  userPoolRegion: string;
  identityRegion: string;
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

export async function createCognitoApi(options: CognitoApiOptions): Promise<CognitoApi> {
  const [idp, identity] = await Promise.all([
    import('@aws-sdk/client-cognito-identity-provider'),
    import('@aws-sdk/client-cognito-identity'),
  ]);
  const log = options.log;
  const requestTimeout = options.requestTimeoutMs ?? Math.min(10_000, options.totalTimeoutMs);
  const shared = {
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs ?? 5_000,
      requestTimeout,
      throwOnRequestTimeout: true,
      logger: { debug: () => undefined, info: () => undefined, warn: (m: string) => log(String(m)), error: (m: string) => log(String(m)) },
    },
    // These operations are unsigned (smithy.api#noAuth). Should the SDK ever ask for AWS
    // credentials anyway, fail instead of running the default chain, which could run
    // credential_process, that is this very program, again.
    credentials: async () => {
      throw new Error('cognito-creds never signs Cognito requests with AWS credentials');
    },
  };

  // The SDK warns on stderr under Node < 22; stderr must stay empty on success.
  const warningVar = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
  const previous = process.env[warningVar];
  process.env[warningVar] = 'true';
  let idpClient;
  let identityClient;
  try {
    idpClient = new idp.CognitoIdentityProviderClient({ ...shared, region: options.userPoolRegion });
    identityClient = new identity.CognitoIdentityClient({ ...shared, region: options.identityRegion });
  } finally {
    if (previous === undefined) delete process.env[warningVar];
    else process.env[warningVar] = previous;
  }

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.totalTimeoutMs);
  timer.unref();
  const opts = { abortSignal: deadline.signal };

  return {
    initiateAuth: (input) => log.step('InitiateAuth', () => idpClient.send(new idp.InitiateAuthCommand(input), opts)),
    respondToAuthChallenge: (input) =>
      log.step('RespondToAuthChallenge', () => idpClient.send(new idp.RespondToAuthChallengeCommand(input), opts)),
    getTokensFromRefreshToken: (input) =>
      log.step('GetTokensFromRefreshToken', () => idpClient.send(new idp.GetTokensFromRefreshTokenCommand(input), opts)),
    getId: (input) => log.step('GetId', () => identityClient.send(new identity.GetIdCommand(input), opts)),
    getCredentialsForIdentity: (input) =>
      log.step('GetCredentialsForIdentity', () =>
        identityClient.send(new identity.GetCredentialsForIdentityCommand(input), opts),
      ),
    destroy: () => {
      clearTimeout(timer);
      idpClient.destroy();
      identityClient.destroy();
    },
  };
}

/** Where requests go, for messages only: the standard endpoint variables, else the public endpoint. */
export function describeEndpoint(
  service: 'cognito-idp' | 'cognito-identity',
  region: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const specific =
    service === 'cognito-idp' ? env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER : env.AWS_ENDPOINT_URL_COGNITO_IDENTITY;
  return specific || env.AWS_ENDPOINT_URL || `https://${service}.${region}.amazonaws.com`;
}
