/**
 * Cognito's answers are checked before any field is used: the AWS SDK turns the wire's epoch
 * seconds into a Date but passes the other fields through as they came, a number where a string
 * belongs included. A field of the wrong type, missing or empty is "Cognito's answer to … could
 * not be read", as an answer that is not JSON at all is (src/cognito/errors.ts): whatever sent it
 * is not Cognito, or not a Cognito that cognito-creds understands. No value is ever echoed.
 */
import { CredsError, profileLabel } from '../errors.js';
import type { AuthStep } from './api.js';
import type { NewDeviceMetadata } from './device-api.js';

export const UNREADABLE_HINT = 'A proxy or a wrong AWS_ENDPOINT_URL may stand between you and Cognito.';

/** `profile "dev": Cognito's answer to GetId could not be read (IdentityId is missing)`. */
export function unreadable(profile: string, operation: string, problem: string): CredsError {
  return new CredsError('network', `${profileLabel(profile)}: Cognito's answer to ${operation} could not be read (${problem})`, UNREADABLE_HINT);
}

/** What a value is, in words, for a message: never the value itself. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : type === 'undefined' ? 'missing' : `a ${type}`;
}

/** The checks of one answer's fields; each failure names the field (e.g. Credentials.AccessKeyId). */
export interface AnswerReader {
  fail(problem: string): CredsError;
  /** An object, or undefined when absent. */
  object(value: unknown, field: string): Record<string, unknown> | undefined;
  /** A string (maybe empty), or undefined when absent. */
  string(value: unknown, field: string): string | undefined;
  /** A non-empty string that must be there. */
  required(value: unknown, field: string): string;
  /** A finite number, or undefined when absent. */
  number(value: unknown, field: string): number | undefined;
  /** An object whose every value is a string, or undefined when absent. */
  strings(value: unknown, field: string): Record<string, string> | undefined;
}

export function answerReader(profile: string, operation: string): AnswerReader {
  const fail = (problem: string) => unreadable(profile, operation, problem);
  const reader: AnswerReader = {
    fail,
    object(value, field) {
      if (value === undefined) return undefined;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(`${field} is ${kindOf(value)}, not an object`);
      return value as Record<string, unknown>;
    },
    string(value, field) {
      if (value === undefined) return undefined;
      if (typeof value !== 'string') throw fail(`${field} is ${kindOf(value)}, not a string`);
      return value;
    },
    required(value, field) {
      const text = reader.string(value, field);
      if (text === undefined) throw fail(`${field} is missing`);
      if (text === '') throw fail(`${field} is empty`);
      return text;
    },
    number(value, field) {
      if (value === undefined) return undefined;
      if (typeof value !== 'number' || !Number.isFinite(value)) throw fail(`${field} is ${typeof value === 'number' ? 'not a finite number' : `${kindOf(value)}, not a number`}`);
      return value;
    },
    strings(value, field) {
      const map = reader.object(value, field);
      if (map === undefined) return undefined;
      for (const [key, v] of Object.entries(map)) {
        if (typeof v !== 'string') throw fail(`${field}.${key} is ${kindOf(v)}, not a string`);
      }
      return map as Record<string, string>;
    },
  };
  return reader;
}

/**
 * An InitiateAuth, RespondToAuthChallenge or GetTokensFromRefreshToken answer with every field
 * cognito-creds reads checked: AuthenticationResult an object whose IdToken is a non-empty string
 * (AccessToken and RefreshToken strings, ExpiresIn a number, where present); ChallengeName and
 * Session strings, ChallengeParameters an object of strings, NewDeviceMetadata's two keys strings
 * (DeviceKey of its form), where present. Only those fields are kept; an empty optional string counts as absent.
 */
export function authStepAnswer(out: unknown, operation: string, profile: string): AuthStep {
  const read = answerReader(profile, operation);
  const answer = read.object(out, 'the answer') ?? {};
  const step: AuthStep = {};
  const result = read.object(answer.AuthenticationResult, 'AuthenticationResult');
  if (result) {
    const idToken = read.required(result.IdToken, 'AuthenticationResult.IdToken');
    const accessToken = read.string(result.AccessToken, 'AuthenticationResult.AccessToken');
    const refreshToken = read.string(result.RefreshToken, 'AuthenticationResult.RefreshToken');
    read.number(result.ExpiresIn, 'AuthenticationResult.ExpiresIn');
    const device = newDeviceMetadataOf(read, result.NewDeviceMetadata);
    step.AuthenticationResult = {
      IdToken: idToken,
      ...(accessToken ? { AccessToken: accessToken } : {}),
      ...(refreshToken ? { RefreshToken: refreshToken } : {}),
      ...(device ? { NewDeviceMetadata: device } : {}),
    };
  }
  const name = read.string(answer.ChallengeName, 'ChallengeName');
  const session = read.string(answer.Session, 'Session');
  const params = read.strings(answer.ChallengeParameters, 'ChallengeParameters');
  if (name) step.ChallengeName = name;
  if (session) step.Session = session;
  if (params) step.ChallengeParameters = params;
  return step;
}

/** A device key's form (DeviceKeyType): `REGION_UUID`, at most 55 characters. */
export const DEVICE_KEY = /^[\w-]+_[0-9a-f-]+$/;

/** ConfirmDevice's answer: whether the user must say if the device is remembered (the pool's "user opt-in"). */
export function confirmDeviceAnswer(out: unknown, profile: string): { userConfirmationNecessary: boolean } {
  const read = answerReader(profile, 'ConfirmDevice');
  const value = read.object(out, 'the answer')?.UserConfirmationNecessary;
  if (value !== undefined && typeof value !== 'boolean') throw read.fail('UserConfirmationNecessary is not a boolean');
  return { userConfirmationNecessary: value === true };
}

/** AuthenticationResult.NewDeviceMetadata, checked; undefined when absent or without both keys. */
export function newDeviceMetadataOf(read: AnswerReader, value: unknown): NewDeviceMetadata | undefined {
  const metadata = read.object(value, 'AuthenticationResult.NewDeviceMetadata');
  if (!metadata) return undefined;
  const deviceKey = read.string(metadata.DeviceKey, 'AuthenticationResult.NewDeviceMetadata.DeviceKey');
  const groupKey = read.string(metadata.DeviceGroupKey, 'AuthenticationResult.NewDeviceMetadata.DeviceGroupKey');
  if (!deviceKey || !groupKey) return undefined;
  if (deviceKey.length > 55 || !DEVICE_KEY.test(deviceKey)) throw read.fail('AuthenticationResult.NewDeviceMetadata.DeviceKey is not a device key');
  return { DeviceKey: deviceKey, DeviceGroupKey: groupKey };
}
