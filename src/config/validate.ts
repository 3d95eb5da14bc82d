/**
 * Forms of the values a profile holds, as Cognito's API reference gives them. Each check returns
 * what is wrong (for an error message) or undefined. Checked before any request is sent.
 */
import { AUTH_FLOWS, SECRET_STORES } from './keys.js';

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const USER_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d{1,2})_[0-9A-Za-z]+$/;
const CLIENT_ID = /^[\w+]{1,128}$/;
const IDENTITY_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d{1,2}):[0-9a-f-]+$/;
// Cognito usernames are letters, marks, symbols, numbers and punctuation ([\p{L}\p{M}\p{S}\p{N}\p{P}]+):
// no white space, no control or invisible format characters. Written without Unicode property
// classes, which cost a millisecond to compile on every call of the helper.
// eslint-disable-next-line no-control-regex -- control characters are exactly what it rejects
const USERNAME = /^[^\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const PROFILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,63}$/;

export type Check = (value: string) => string | undefined;

export const checkRegion: Check = (v) =>
  REGION.test(v) ? undefined : 'is not an AWS region (for example us-east-1)';

export const checkUserPoolId: Check = (v) =>
  USER_POOL_ID.test(v) && v.length <= 55
    ? undefined
    : 'is not a user pool id (REGION_ID, for example us-east-1_AbCdEf123)';

export const checkClientId: Check = (v) =>
  CLIENT_ID.test(v) ? undefined : 'is not an app client id (letters, digits, _ and +; 26 characters in a real pool)';

export const checkIdentityPoolId: Check = (v) =>
  IDENTITY_POOL_ID.test(v) && v.length <= 55
    ? undefined
    : 'is not an identity pool id (REGION:UUID, for example us-east-1:0e7b3a52-...)';

export const checkUsername: Check = (v) =>
  !USERNAME.test(v) || [...v].length > 128
    ? 'is not a Cognito username (1 to 128 characters, no spaces or control characters)'
    : COMMENT_START.test(v)
      ? USERNAME_COMMENT
      : undefined;

/** Written after `key = `, a value that starts with # or ; reads as a comment (ini-edit.ts refuses to write it). */
const COMMENT_START = /^[#;]/;
export const USERNAME_COMMENT = 'starts with # or ;, which the config file would read as the start of a comment';

export const checkAuthFlow: Check = (v) =>
  (AUTH_FLOWS as readonly string[]).includes(v) ? undefined : `is not a supported flow (${AUTH_FLOWS.join(' or ')})`;

export const checkRoleArn: Check = (v) =>
  ROLE_ARN.test(v) ? undefined : 'is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)';

/** Whole seconds from 0 to 43200 (12 hours, the longest a role session lasts). */
export const checkSeconds: Check = (v) =>
  /^\d{1,5}$/.test(v) && Number(v) <= 43_200 ? undefined : 'is not a number of seconds from 0 to 43200';

export const checkSecretStore: Check = (v) =>
  (SECRET_STORES as readonly string[]).includes(v) ? undefined : 'is not a secret store (keychain or file)';

// eslint-disable-next-line no-control-regex -- control characters are exactly what it rejects
const DEVICE_NAME = /^[^\x00-\x1f\x7f-\x9f]{1,1024}$/;

/** ConfirmDevice's DeviceName: 1 to 1024 characters (the API's bound), no control characters. */
export const checkDeviceName: Check = (v) =>
  DEVICE_NAME.test(v) && v.trim() === v
    ? COMMENT_START.test(v)
      ? 'starts with # or ;, which the config file would read as the start of a comment'
      : undefined
    : 'is not a device name (1 to 1024 characters, no control characters or leading and trailing spaces)';

export const checkBoolean: Check = (v) => (v === 'true' || v === 'false' ? undefined : 'is not true or false');

export const checkProfileName: Check = (v) =>
  PROFILE_NAME.test(v)
    ? undefined
    : 'is not a usable profile name (up to 64 letters, digits and . _ - @ +, not starting with . - @ +)';

/** The region prefix of a user pool id or identity pool id that passed its check. */
export function regionOf(id: string): string {
  const m = USER_POOL_ID.exec(id) ?? IDENTITY_POOL_ID.exec(id);
  if (!m?.[1]) throw new Error(`no region in ${JSON.stringify(id)}`);
  return m[1];
}

/** For messages: a value as the user wrote it, shortened, in quotes, controls made visible (C1 and DEL too). */
export function shown(value: string): string {
  const json = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return json.replace(/[\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
