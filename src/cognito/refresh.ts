/**
 * The refresh-token sign-in: REFRESH_TOKEN_AUTH, or GetTokensFromRefreshToken for app clients that
 * rotate refresh tokens. In a pool that tracks devices the refresh token belongs to the device it
 * was issued to, so the device's key goes with it (DEVICE_KEY, DeviceKey); Cognito refuses the
 * token without it ("Invalid Refresh Token").
 */
import type { CognitoIdentity } from '../shapes.js';
import { authStepAnswer } from './answers.js';
import type { CognitoApi } from './api.js';
import { secretHashOf, type Tokens, tokensOf } from './sign-in.js';

export interface RefreshInput {
  refreshToken: string;
  /** The Cognito username of the token's owner, for SECRET_HASH (an alias would not do). */
  cognitoUsername?: string | undefined;
  /** The app client rotates refresh tokens: GetTokensFromRefreshToken. */
  rotates?: boolean | undefined;
  /** The remembered device the token was issued to. */
  deviceKey?: string | undefined;
}

/**
 * Renew the tokens with a refresh token: REFRESH_TOKEN_AUTH, or GetTokensFromRefreshToken for
 * app clients that rotate refresh tokens (they refuse REFRESH_TOKEN_AUTH); the result then holds
 * the new refresh token. SECRET_HASH uses the Cognito username (not an alias) of the token's owner.
 */
export async function refreshSignIn(api: CognitoApi, profile: CognitoIdentity, refresh: RefreshInput, clientSecret: string | undefined): Promise<Tokens & { rotates: boolean }> {
  const viaRotation = async (): Promise<Tokens & { rotates: boolean }> => {
    const out = await api.getTokensFromRefreshToken({
      ClientId: profile.clientId,
      RefreshToken: refresh.refreshToken,
      ...(clientSecret ? { ClientSecret: clientSecret } : {}),
      ...(refresh.deviceKey ? { DeviceKey: refresh.deviceKey } : {}),
    });
    const operation = 'GetTokensFromRefreshToken';
    return { ...tokensOf(authStepAnswer(out, operation, profile.name), operation, profile), rotates: true };
  };
  if (refresh.rotates) return viaRotation();
  const params: Record<string, string> = { REFRESH_TOKEN: refresh.refreshToken };
  if (refresh.deviceKey) params.DEVICE_KEY = refresh.deviceKey;
  const secretHash = await secretHashOf(clientSecret);
  if (secretHash) params.SECRET_HASH = secretHash(refresh.cognitoUsername ?? profile.username, profile.clientId);
  try {
    const out = await api.initiateAuth({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: profile.clientId, AuthParameters: params });
    return { ...tokensOf(authStepAnswer(out, 'InitiateAuth', profile.name), 'InitiateAuth', profile), rotates: false };
  } catch (err) {
    if (/rotation/i.test(String((err as Error).message))) return viaRotation();
    throw err;
  }
}
