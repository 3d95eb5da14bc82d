/**
 * User pool sign-in: InitiateAuth (SRP, password or refresh token) and the challenges that may
 * follow, down to the tokens. What each challenge gets:
 *
 * - PASSWORD_VERIFIER: the SRP proof of the password (the password itself never leaves).
 * - SOFTWARE_TOKEN_MFA: a TOTP code from the stored TOTP secret; else asked on the terminal.
 * - SMS_MFA, EMAIL_OTP: the code asked on the terminal.
 * - SELECT_MFA_TYPE: SOFTWARE_TOKEN_MFA when Cognito offers it, else the first offered.
 * - NEW_PASSWORD_REQUIRED: a new password, only when setup is the caller.
 * - DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER: the device SRP proof of the remembered device's
 *   password (device-srp.ts), when the sign-in names a device (DEVICE_KEY, sent with every step).
 * - anything else (MFA_SETUP, CUSTOM_CHALLENGE, …): an error that names it.
 */
import { CredsError, profileLabel } from '../errors.js';
import type { CognitoIdentity } from '../shapes.js';
import { authStepAnswer, unreadable } from './answers.js';
import type { AuthStep, CognitoApi } from './api.js';
import type { NewDeviceMetadata } from './device-api.js';
import type { DeviceSecret } from './device-srp.js';

// SRP, SECRET_HASH and TOTP need node:crypto, which costs a clean Node process ~3 ms to load:
// each is imported only by a sign-in that uses it.
const srpModule = () => import('./srp.js');
type SrpMaths = Awaited<ReturnType<typeof srpModule>>;
type SrpSession = ReturnType<SrpMaths['startSrp']>;
export const secretHashOf = async (clientSecret: string | undefined) =>
  clientSecret ? ((await import('./secret-hash.js')).secretHash.bind(undefined, clientSecret)) : undefined;

export interface Tokens {
  idToken: string;
  accessToken?: string;
  /** From a password or SRP sign-in, and from a refresh where the client rotates tokens. */
  refreshToken?: string;
  /** The pool tracks devices and the sign-in named none it knows: the device to confirm. */
  newDevice?: NewDeviceMetadata;
}

export interface SignInSecrets {
  password: string;
  clientSecret?: string;
  totpSecret?: string;
}

/** How the sign-in may ask a person for something; each is absent when nobody can be asked. */
export interface Interaction {
  /** Ask on the terminal; resolves undefined when there is no terminal. */
  prompt?: (question: string) => Promise<string | undefined>;
  /** A new password for NEW_PASSWORD_REQUIRED (only setup offers one). */
  newPassword?: () => Promise<string>;
  now: () => number;
}

/** What a sign-in produced, and the new password when Cognito made the user choose one. */
export interface SignInOutcome extends Tokens {
  newPassword?: string;
}

const MAX_CHALLENGES = 6;

/** The password sign-in, as this computer's remembered device when `device` is given. */
export async function signIn(api: CognitoApi, profile: CognitoIdentity, secrets: SignInSecrets, interaction: Interaction, device?: DeviceSecret): Promise<SignInOutcome> {
  const secretHash = await secretHashOf(secrets.clientSecret);
  const hash = (username: string): Record<string, string> => (secretHash ? { SECRET_HASH: secretHash(username, profile.clientId) } : {});
  const deviceKey: Record<string, string> = device ? { DEVICE_KEY: device.deviceKey } : {};
  const srpMaths = profile.authFlow === 'USER_SRP_AUTH' ? await srpModule() : undefined;
  const srp = srpMaths?.startSrp();
  let operation = 'InitiateAuth';
  let step: AuthStep = authStepAnswer(
    await api.initiateAuth({
      AuthFlow: profile.authFlow,
      ClientId: profile.clientId,
      AuthParameters: {
        USERNAME: profile.username,
        ...(srp ? { SRP_A: srp.srpA } : { PASSWORD: secrets.password }),
        ...deviceKey,
        ...hash(profile.username),
      },
    }),
    operation,
    profile.name,
  );
  // The name Cognito knows the user by in challenge answers (and their SECRET_HASH).
  let username = profile.username;
  let newPassword: string | undefined;
  const deviceState: DeviceState = { device };

  for (let round = 0; round < MAX_CHALLENGES; round++) {
    if (step.AuthenticationResult) return { ...tokensOf(step, operation, profile), ...(newPassword ? { newPassword } : {}) };
    const name = step.ChallengeName;
    if (!name) return tokensOf(step, operation, profile); // throws: neither tokens nor a challenge
    const params = step.ChallengeParameters ?? {};
    username = params.USERNAME ?? params.USER_ID_FOR_SRP ?? username;
    const answer = await answerChallenge(name, params, { profile, secrets, interaction, srp, srpMaths, username, operation, deviceState });
    if (answer.newPassword) newPassword = answer.newPassword;
    operation = 'RespondToAuthChallenge';
    const next = await api.respondToAuthChallenge({
      ChallengeName: name,
      ClientId: profile.clientId,
      ...(step.Session ? { Session: step.Session } : {}),
      ChallengeResponses: { USERNAME: username, ...answer.responses, ...deviceKey, ...hash(username) },
    });
    step = authStepAnswer(next, operation, profile.name);
  }
  throw new CredsError(
    'auth',
    `${profileLabel(profile.name)}: Cognito asked for more than ${MAX_CHALLENGES} challenges in a row`,
    'Ask the user pool administrator which sign-in steps this user needs; see docs/troubleshooting.md.',
  );
}

interface ChallengeContext {
  profile: CognitoIdentity;
  secrets: SignInSecrets;
  interaction: Interaction;
  srp: SrpSession | undefined;
  srpMaths: SrpMaths | undefined;
  username: string;
  /** The operation whose answer asked for this challenge. */
  operation: string;
  deviceState: DeviceState;
}

/** The remembered device a sign-in names, and its SRP session once DEVICE_SRP_AUTH started one. */
interface DeviceState {
  device: DeviceSecret | undefined;
  srp?: SrpSession;
}

/** The answer to one challenge (and the new password, when it was NEW_PASSWORD_REQUIRED). */
async function answerChallenge(name: string, params: Record<string, string>, c: ChallengeContext): Promise<{ responses: Record<string, string>; newPassword?: string }> {
  const { profile, secrets, interaction } = c;
  if (name === 'DEVICE_SRP_AUTH' || name === 'DEVICE_PASSWORD_VERIFIER') return { responses: await answerDeviceChallenge(name, params, c) };
  switch (name) {
    case 'PASSWORD_VERIFIER': {
      if (!c.srp || !c.srpMaths) throw unexpected(profile, name);
      const proof = c.srpMaths.passwordVerifier({
        session: c.srp,
        poolId: profile.userPoolId,
        userIdForSrp: params.USER_ID_FOR_SRP ?? c.username,
        password: secrets.password,
        saltHex: need(c, params, 'SALT'),
        srpBHex: need(c, params, 'SRP_B'),
        secretBlock: need(c, params, 'SECRET_BLOCK'),
        now: new Date(interaction.now()),
      });
      return { responses: { ...proof } };
    }
    case 'SOFTWARE_TOKEN_MFA':
      return { responses: { SOFTWARE_TOKEN_MFA_CODE: await totp(profile, secrets, interaction) } };
    case 'SMS_MFA':
    case 'EMAIL_OTP': {
      const where = params.CODE_DELIVERY_DESTINATION ? ` sent to ${params.CODE_DELIVERY_DESTINATION}` : '';
      const label = name === 'SMS_MFA' ? 'SMS' : 'e-mail';
      const code = await ask(profile, interaction, `cognito-creds: ${profileLabel(profile.name)}: the ${label} code${where}: `, name);
      return { responses: name === 'SMS_MFA' ? { SMS_MFA_CODE: code } : { EMAIL_OTP_CODE: code } };
    }
    case 'SELECT_MFA_TYPE': {
      const offered = parseList(params.MFAS_CAN_CHOOSE);
      const answer = offered.includes('SOFTWARE_TOKEN_MFA') ? 'SOFTWARE_TOKEN_MFA' : offered[0];
      if (!answer) throw unexpected(profile, name);
      return { responses: { ANSWER: answer } };
    }
    case 'NEW_PASSWORD_REQUIRED': {
      if (!interaction.newPassword) {
        throw new CredsError(
          'auth',
          `${profileLabel(profile.name)}: Cognito requires user "${profile.username}" to choose a new password`,
          `Run \`cognito-creds setup --profile ${profile.name}\` in a terminal.`,
        );
      }
      const newPassword = await interaction.newPassword();
      return { responses: { NEW_PASSWORD: newPassword }, newPassword };
    }
    default:
      throw unexpected(profile, name);
  }
}

/**
 * DEVICE_SRP_AUTH: a new SRP_A, for the remembered device; DEVICE_PASSWORD_VERIFIER: the proof of
 * its password, with its group key and key where the user's SRP has the pool name and user.
 */
async function answerDeviceChallenge(name: string, params: Record<string, string>, c: ChallengeContext): Promise<Record<string, string>> {
  const { device } = c.deviceState;
  if (!device) throw unexpected(c.profile, name);
  if (name === 'DEVICE_SRP_AUTH') {
    c.deviceState.srp = (c.srpMaths ?? (await srpModule())).startSrp();
    return { SRP_A: c.deviceState.srp.srpA };
  }
  if (!c.deviceState.srp) throw unexpected(c.profile, name);
  const { devicePasswordVerifier } = await import('./device-srp.js');
  return {
    ...devicePasswordVerifier({
      session: c.deviceState.srp,
      device,
      saltHex: need(c, params, 'SALT'),
      srpBHex: need(c, params, 'SRP_B'),
      secretBlock: need(c, params, 'SECRET_BLOCK'),
      now: new Date(c.interaction.now()),
    }),
  };
}

/**
 * The tokens of a finished sign-in (an answer authStepAnswer checked); a challenge Cognito still
 * asks for is an error naming it.
 */
export function tokensOf(out: Pick<AuthStep, 'AuthenticationResult' | 'ChallengeName'>, operation: string, profile: CognitoIdentity): Tokens {
  const result = out.AuthenticationResult;
  if (result?.IdToken) {
    return {
      idToken: result.IdToken,
      ...(result.AccessToken ? { accessToken: result.AccessToken } : {}),
      ...(result.RefreshToken ? { refreshToken: result.RefreshToken } : {}),
      ...(result.NewDeviceMetadata ? { newDevice: result.NewDeviceMetadata } : {}),
    };
  }
  if (out.ChallengeName) throw unexpected(profile, out.ChallengeName);
  throw unreadable(profile.name, operation, 'it holds neither tokens nor a challenge');
}

async function totp(profile: CognitoIdentity, secrets: SignInSecrets, interaction: Interaction): Promise<string> {
  if (secrets.totpSecret) {
    try {
      const { totpCode } = await import('./totp.js');
      return totpCode(secrets.totpSecret, interaction.now());
    } catch (err) {
      throw new CredsError(
        'keychain',
        `${profileLabel(profile.name)}: the stored TOTP secret is not usable: ${(err as Error).message}`,
        `Store it again: \`COGNITO_TOTP_SECRET=… cognito-creds setup --profile ${profile.name}\` (or answer the prompt).`,
      );
    }
  }
  return ask(profile, interaction, `cognito-creds: ${profileLabel(profile.name)}: the code from your authenticator app: `, 'SOFTWARE_TOKEN_MFA');
}

async function ask(profile: CognitoIdentity, interaction: Interaction, question: string, challenge: string): Promise<string> {
  const answer = interaction.prompt ? (await interaction.prompt(question))?.trim() : undefined;
  if (answer) return answer;
  if (challenge === 'SOFTWARE_TOKEN_MFA') {
    throw new CredsError(
      'auth',
      `${profileLabel(profile.name)}: Cognito asks for a TOTP code, no TOTP secret is stored and there is no terminal to ask on`,
      `Store the TOTP secret: \`COGNITO_TOTP_SECRET=… cognito-creds setup --profile ${profile.name}\` (or answer setup's prompt).`,
    );
  }
  throw new CredsError(
    'auth',
    `${profileLabel(profile.name)}: Cognito asks for a code (${challenge}) and there is no terminal to ask on`,
    `Run \`cognito-creds credential-process --profile ${profile.name}\` in a terminal to sign in; the refresh token then keeps you signed in.`,
  );
}

function need(c: ChallengeContext, params: Record<string, string>, key: string): string {
  const value = params[key];
  if (!value) throw unreadable(c.profile.name, c.operation, `ChallengeParameters.${key} is missing`);
  return value;
}

function parseList(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return text.split(',').map((s) => s.trim()).filter(Boolean);
  }
}

function unexpected(profile: CognitoIdentity, challenge: string): CredsError {
  return new CredsError(
    'auth',
    `${profileLabel(profile.name)}: Cognito asked for the ${challenge} challenge, which cognito-creds cannot answer`,
    challenge === 'MFA_SETUP'
      ? 'The user must set up MFA first, in your application; then store the TOTP secret with `cognito-creds setup`.'
      : 'Ask the user pool administrator which sign-in steps this user needs; see docs/troubleshooting.md.',
  );
}
