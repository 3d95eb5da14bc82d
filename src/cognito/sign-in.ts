/** User pool sign-in: InitiateAuth and the challenges that may follow, down to an ID token. */
import type { InitiateAuthCommandOutput } from '@aws-sdk/client-cognito-identity-provider';
import type { CognitoProfile } from '../config/profile.js';
import { CredsError, profileLabel } from '../errors.js';
import type { CognitoApi } from './api.js';
import { secretHash } from './secret-hash.js';

export interface Tokens {
  idToken: string;
  accessToken?: string;
  /** Only from a password or SRP sign-in. */
  refreshToken?: string;
}

export interface SignInSecrets {
  password: string;
  clientSecret?: string;
}

export async function signIn(api: CognitoApi, profile: CognitoProfile, secrets: SignInSecrets): Promise<Tokens> {
  const params: Record<string, string> = { USERNAME: profile.username };
  if (secrets.clientSecret) params.SECRET_HASH = secretHash(secrets.clientSecret, profile.username, profile.clientId);

  switch (profile.authFlow) {
    case 'USER_PASSWORD_AUTH': {
      const out = await api.initiateAuth({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: profile.clientId,
        AuthParameters: { ...params, PASSWORD: secrets.password },
      });
      return tokensOf(out, profile);
    }
    case 'USER_SRP_AUTH':
      throw new CredsError(
        'config',
        `${profileLabel(profile.name)}: cognito_auth_flow = USER_SRP_AUTH is not supported by this version`,
        'Set cognito_auth_flow = USER_PASSWORD_AUTH (and allow that flow on the app client).',
      );
  }
}

/**
 * Renew the tokens with a refresh token: REFRESH_TOKEN_AUTH, or GetTokensFromRefreshToken for
 * app clients that rotate refresh tokens (they refuse REFRESH_TOKEN_AUTH); the result then holds
 * the new refresh token. SECRET_HASH uses the Cognito username (not an alias) of the token's owner.
 */
export async function refreshSignIn(
  api: CognitoApi,
  profile: CognitoProfile,
  refresh: { refreshToken: string; cognitoUsername?: string | undefined; rotates?: boolean | undefined },
  clientSecret: string | undefined,
): Promise<Tokens & { rotates: boolean }> {
  const viaRotation = async (): Promise<Tokens & { rotates: boolean }> => {
    const out = await api.getTokensFromRefreshToken({
      ClientId: profile.clientId,
      RefreshToken: refresh.refreshToken,
      ...(clientSecret ? { ClientSecret: clientSecret } : {}),
    });
    return { ...tokensOf(out, profile), rotates: true };
  };
  if (refresh.rotates) return viaRotation();
  const params: Record<string, string> = { REFRESH_TOKEN: refresh.refreshToken };
  if (clientSecret) params.SECRET_HASH = secretHash(clientSecret, refresh.cognitoUsername ?? profile.username, profile.clientId);
  try {
    const out = await api.initiateAuth({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: profile.clientId, AuthParameters: params });
    return { ...tokensOf(out, profile), rotates: false };
  } catch (err) {
    if (/rotation/i.test(String((err as Error).message))) return viaRotation();
    throw err;
  }
}

/** The tokens of a finished sign-in; a challenge Cognito still asks for is an error naming it. */
export function tokensOf(out: Pick<InitiateAuthCommandOutput, 'AuthenticationResult' | 'ChallengeName'>, profile: CognitoProfile): Tokens {
  const result = out.AuthenticationResult;
  if (result?.IdToken) {
    return {
      idToken: result.IdToken,
      ...(result.AccessToken ? { accessToken: result.AccessToken } : {}),
      ...(result.RefreshToken ? { refreshToken: result.RefreshToken } : {}),
    };
  }
  if (out.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
    throw new CredsError(
      'auth',
      `${profileLabel(profile.name)}: Cognito requires user "${profile.username}" to choose a new password`,
      `Run \`cognito-creds setup --profile ${profile.name}\` in a terminal.`,
    );
  }
  if (out.ChallengeName) {
    throw new CredsError(
      'auth',
      `${profileLabel(profile.name)}: Cognito asked for the ${out.ChallengeName} challenge, which cognito-creds cannot answer`,
      'Ask the user pool administrator which sign-in steps this user needs; see docs/troubleshooting.md.',
    );
  }
  throw new CredsError(
    'network',
    `${profileLabel(profile.name)}: Cognito's InitiateAuth answer held neither tokens nor a challenge`,
    'Try again; if you set AWS_ENDPOINT_URL, check that it points at Cognito.',
  );
}
