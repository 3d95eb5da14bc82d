/** Cognito and network failures as messages for people: what happened to which profile, and the fix. */
import { CredsError, firstLine, isCredsError, profileLabel } from '../errors.js';
import type { CognitoIdentity } from '../shapes.js';
import type { CognitoApi, Route } from './api.js';

export interface ErrorContext {
  profile: string;
  username: string;
  userPoolId: string;
  clientId: string;
  identityPoolId: string;
  /** cognito_role_arn, when the profile asks for a role. */
  roleArn?: string | undefined;
  /** The operation that failed, e.g. InitiateAuth. */
  operation: string;
  /** Where the request went, for network errors. */
  endpoint: string;
  totalTimeoutMs: number;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  ECONNABORTED: 'connection aborted',
  UND_ERR_SOCKET: 'connection closed',
};

/** Node's codes for a TLS certificate it could not verify. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A network error code in words (`ECONNREFUSED` → `connection refused`). */
export function networkReason(code: string): string {
  return NETWORK_CODES[code] ?? code;
}

type Make = (kind: 'auth' | 'network' | 'cognito' | 'config', text: string, hint: string) => CredsError;

interface Failure {
  name: string;
  message: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $fault?: string;
  /** The SDK could not deserialise the answer (it says so on the message's second line). */
  unreadable?: boolean;
}

/** Turn whatever a Cognito call threw into a CredsError. CredsErrors pass through. */
export function cognitoError(err: unknown, ctx: ErrorContext): CredsError {
  if (isCredsError(err)) return err;
  const raw = (err ?? {}) as Partial<Failure>;
  const e: Failure = { ...raw, name: raw.name ?? 'Error', message: firstLine(raw.message ?? ''), unreadable: /Deserialization error/i.test(String(raw.message ?? '')) };
  const make: Make = (kind, text, hint) => new CredsError(kind, `${profileLabel(ctx.profile)}: ${text}`, hint, { cause: err });
  return cognitoRefusal(e, ctx, make) ?? transportFailure(e, ctx, make);
}

/**
 * An error Cognito (or the transport, for the three names the SDK gives it) answered, by its name;
 * undefined for the ones told apart by other means. A long switch on purpose: one case a message.
 */
function cognitoRefusal(e: Failure, ctx: ErrorContext, make: Make): CredsError | undefined {
  const { name, message } = e;
  const setupFix = `Run \`cognito-creds setup --profile ${ctx.profile}\` to store the current password.`;
  switch (name) {
    case 'NotAuthorizedException':
      if (/secret hash/i.test(message)) {
        return make('auth', `Cognito could not verify the client secret of app client ${ctx.clientId} (${name})`, `Store the right client secret: \`cognito-creds setup --profile ${ctx.profile}\`.`);
      }
      if (/disabled/i.test(message)) {
        return make('auth', `user "${ctx.username}" is disabled in ${ctx.userPoolId} (${name})`, 'Ask the user pool\'s administrator to enable the user.');
      }
      if (ctx.operation === 'GetCredentialsForIdentity' && ctx.roleArn && /role/i.test(message)) {
        return roleRefused(ctx, message, name, make);
      }
      if (ctx.operation === 'GetId' || ctx.operation === 'GetCredentialsForIdentity') {
        return make('auth', `identity pool ${ctx.identityPoolId} refused the sign-in token: ${message} (${name})`, `Check that the identity pool lists user pool ${ctx.userPoolId} and app client ${ctx.clientId} as an authentication provider.`);
      }
      return make('auth', `Cognito refused the sign-in of "${ctx.username}": ${message || 'not authorized'} (${name})`, setupFix);
    case 'UserNotFoundException':
      return make('auth', `user "${ctx.username}" does not exist in user pool ${ctx.userPoolId} (${name})`, `Check cognito_username in ${'the profile'}, or run \`cognito-creds setup --profile ${ctx.profile}\`.`);
    case 'PasswordResetRequiredException':
      return make('auth', `user "${ctx.username}" must reset their password (${name})`, `Reset it through your application's "forgot password" flow, then run \`cognito-creds setup --profile ${ctx.profile}\`.`);
    case 'UserNotConfirmedException':
      return make('auth', `user "${ctx.username}" has not confirmed their sign-up (${name})`, 'Confirm the account with the code Cognito sent, or ask the administrator to confirm it.');
    case 'InvalidParameterException':
      if (ctx.operation === 'GetCredentialsForIdentity' && ctx.roleArn && /role/i.test(message)) {
        return roleRefused(ctx, message, name, make);
      }
      if (/flow not enabled|is not enabled for (this|the) client/i.test(message)) {
        return make('auth', `app client ${ctx.clientId}: ${message} (${name})`, flowFix(message, ctx.profile));
      }
      return make('cognito', `${ctx.operation} was refused: ${message} (${name})`, 'Check the profile\'s cognito_* values against the user pool and identity pool.');
    case 'ResourceNotFoundException':
      if (/device/i.test(message)) {
        return make('auth', `Cognito does not know the device this computer was remembered as: ${message} (${name})`, `Run \`cognito-creds logout --forget-device --profile ${ctx.profile}\`; the next sign-in sets up a new device.`);
      }
      return make(
        'config',
        `${ctx.operation === 'InitiateAuth' || ctx.operation === 'RespondToAuthChallenge' ? `user pool ${ctx.userPoolId} or app client ${ctx.clientId}` : `identity pool ${ctx.identityPoolId}`} was not found: ${message} (${name})`,
        'Check the ids and the region in the profile (cognito_user_pool_id, cognito_client_id, cognito_identity_pool_id, cognito_region).',
      );
    case 'CodeMismatchException':
      return make(
        'auth',
        `Cognito refused the MFA code: ${message} (${name})`,
        `If the code came from the stored TOTP secret, store the right one (COGNITO_TOTP_SECRET=… cognito-creds setup --profile ${ctx.profile}) and check this computer's clock.`,
      );
    case 'ExpiredCodeException':
      return make('auth', `Cognito refused the MFA code: ${message} (${name})`, 'A TOTP code works once: wait for the next one (30 s) and try again.');
    case 'InvalidIdentityPoolConfigurationException':
      return make('cognito', `identity pool ${ctx.identityPoolId} has no usable role for this user: ${message} (${name})`, 'Ask the administrator to set the identity pool\'s authenticated role and its trust policy.');
    case 'TooManyRequestsException':
    case 'LimitExceededException':
    case 'ThrottlingException':
      return make('network', `Cognito is throttling requests (${name}, ${e.$metadata?.attempts ?? 1} attempts)`, 'Wait a minute and try again; many parallel sign-ins share one quota.');
    case 'ProxyError': {
      const status = e.$metadata?.httpStatusCode;
      return make(
        'network',
        `the proxy refused the tunnel to Cognito at ${ctx.endpoint}: HTTP ${status ?? '?'}${status === 407 ? ' (proxy authentication required)' : ''} (${ctx.operation})`,
        'Check HTTPS_PROXY (and its user:password, URL-encoded), or list the Cognito host in NO_PROXY.',
      );
    }
    case 'AbortError':
      return make('network', `no answer from Cognito at ${ctx.endpoint} within ${Math.round(ctx.totalTimeoutMs / 1000)} s (${ctx.operation})`, 'Check your network or proxy; set COGNITO_CREDS_TIMEOUT (seconds) to wait longer.');
    case 'TimeoutError':
      return make('network', `request to Cognito at ${ctx.endpoint} timed out (${ctx.operation})`, 'Check your network or proxy, and AWS_ENDPOINT_URL if you set it.');
  }
  return undefined;
}

/**
 * The fix for "USER_SRP_AUTH is not enabled for the client." and its kin: the app client setting
 * that allows the flow, or the other flow, which the client may allow.
 */
function flowFix(message: string, profile: string): string {
  if (/REFRESH_TOKEN/.test(message)) return 'Allow ALLOW_REFRESH_TOKEN_AUTH in the app client\'s authentication flows.';
  const [flow, other] = /USER_PASSWORD_AUTH/.test(message) ? ['USER_PASSWORD_AUTH', 'USER_SRP_AUTH'] : ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH'];
  return `Allow ALLOW_${flow} in the app client's authentication flows, or set cognito_auth_flow = ${other} if it allows that (\`cognito-creds setup --profile ${profile} --auth-flow ${other}\`).`;
}

/** A network, TLS, proxy or server failure, or an answer that could not be read. */
function transportFailure(e: Failure, ctx: ErrorContext, make: Make): CredsError {
  const { name, message } = e;
  if (e.code && TLS_CODES.has(e.code)) {
    return make(
      'network',
      // Node 24 adds "; if the root CA is installed locally, try running Node.js with --use-system-ca".
      `cannot verify the TLS certificate of Cognito at ${ctx.endpoint}: ${message.split(';')[0] || e.code} (${ctx.operation})`,
      'If a proxy inspects TLS on this network, add its CA certificate to NODE_EXTRA_CA_CERTS; also check the clock and AWS_ENDPOINT_URL.',
    );
  }
  const code = e.code && NETWORK_CODES[e.code] ? e.code : undefined;
  if (code) {
    return make('network', `cannot reach Cognito at ${ctx.endpoint}: ${NETWORK_CODES[code]} (${ctx.operation})`, 'Check your network or proxy, and AWS_ENDPOINT_URL if you set it.');
  }
  const status = e.$metadata?.httpStatusCode;
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) {
    return make('network', `Cognito failed with ${status ? `HTTP ${status}` : 'a server error'} on ${ctx.operation} (${name})`, 'This is on Cognito\'s side; try again in a moment.');
  }
  if (name === 'SyntaxError' || e.unreadable || /deserializ|JSON|Unexpected token/i.test(message)) {
    return make('network', `Cognito's answer to ${ctx.operation} could not be read (${status ? `HTTP ${status}, ` : ''}${name})`, 'A proxy or a wrong AWS_ENDPOINT_URL may stand between you and Cognito.');
  }
  if (e.$fault === 'client') {
    return make('cognito', `${ctx.operation} was refused: ${message} (${name})`, 'Check the profile\'s cognito_* values against the user pool and identity pool.');
  }
  return make('network', `${ctx.operation} failed: ${message || name}`, 'Check your network or proxy, and AWS_ENDPOINT_URL if you set it; run with --debug for details.');
}

function roleRefused(
  ctx: ErrorContext,
  message: string,
  name: string,
  make: (kind: 'auth', text: string, hint: string) => CredsError,
): CredsError {
  return make(
    'auth',
    `identity pool ${ctx.identityPoolId} will not give role ${ctx.roleArn} to this user: ${message} (${name})`,
    'Set cognito_role_arn to a role the identity pool maps this user to (or remove it for the default role).',
  );
}

/**
 * The same API, each operation's failure turned into a CredsError that names the profile, the
 * operation and where the request went (through which proxy).
 */
export function withMessages(api: CognitoApi, profile: CognitoIdentity, totalTimeoutMs: number): CognitoApi {
  const ctx = (operation: string, route: Route): ErrorContext => ({
    profile: profile.name,
    username: profile.username,
    userPoolId: profile.userPoolId,
    clientId: profile.clientId,
    identityPoolId: profile.identityPoolId,
    roleArn: profile.roleArn,
    operation,
    endpoint: route.described,
    totalTimeoutMs,
  });
  const wrap =
    <I, O>(operation: string, route: Route, fn: (input: I) => Promise<O>) =>
    async (input: I): Promise<O> => {
      try {
        return await fn(input);
      } catch (err) {
        throw cognitoError(err, ctx(operation, route));
      }
    };
  const { userPool, identity } = api.routes;
  return {
    initiateAuth: wrap('InitiateAuth', userPool, (i) => api.initiateAuth(i)),
    respondToAuthChallenge: wrap('RespondToAuthChallenge', userPool, (i) => api.respondToAuthChallenge(i)),
    getTokensFromRefreshToken: wrap('GetTokensFromRefreshToken', userPool, (i) => api.getTokensFromRefreshToken(i)),
    getId: wrap('GetId', identity, (i) => api.getId(i)),
    getCredentialsForIdentity: wrap('GetCredentialsForIdentity', identity, (i) => api.getCredentialsForIdentity(i)),
    confirmDevice: wrap('ConfirmDevice', userPool, (i) => api.confirmDevice(i)),
    updateDeviceStatus: wrap('UpdateDeviceStatus', userPool, (i) => api.updateDeviceStatus(i)),
    forgetDevice: wrap('ForgetDevice', userPool, (i) => api.forgetDevice(i)),
    routes: api.routes,
    destroy: () => api.destroy(),
  };
}

/**
 * Cognito refused a request because it does not know the device it names (forgotten by the user
 * or an administrator, or never confirmed): ResourceNotFoundException or NotAuthorizedException
 * whose message names the device, as amazon-cognito-identity-js tells them apart.
 */
export function isUnknownDevice(err: unknown): boolean {
  const cause = (isCredsError(err) ? err.cause : err) as { name?: unknown; message?: unknown } | undefined;
  const name = cause?.name;
  return (name === 'ResourceNotFoundException' || name === 'NotAuthorizedException') && /device/i.test(String(cause?.message ?? ''));
}
