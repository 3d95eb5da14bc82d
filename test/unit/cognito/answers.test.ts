/** The user pool's answers, checked field by field before use (src/cognito/answers.ts, issue 13). */
import { describe, expect, it } from 'vitest';
import { authStepAnswer, kindOf, UNREADABLE_HINT } from '../../../src/cognito/answers.js';
import { tokensOf } from '../../../src/cognito/sign-in.js';
import { isCredsError } from '../../../src/errors.js';
import type { CognitoIdentity } from '../../../src/shapes.js';

const who = { name: 'dev' } as CognitoIdentity;
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(isCredsError(err) && err.kind === 'network' && err.hint === UNREADABLE_HINT).toBe(true);
    return (err as Error).message;
  }
  throw new Error('no error');
};
const unreadable = (operation: string, text: string) => `profile "dev": Cognito's answer to ${operation} could not be read (${text})`;

describe('authStepAnswer', () => {
  it('keeps the fields cognito-creds reads, and only those; empty optional strings count as absent', () => {
    const out = {
      AuthenticationResult: { IdToken: 'id', AccessToken: 'acc', RefreshToken: '', ExpiresIn: 3600, TokenType: 'Bearer', NewDeviceMetadata: { x: 1 } },
      ChallengeParameters: {},
      $metadata: { httpStatusCode: 200 },
    };
    expect(authStepAnswer(out, 'InitiateAuth', 'dev')).toEqual({ AuthenticationResult: { IdToken: 'id', AccessToken: 'acc' }, ChallengeParameters: {} });
    expect(authStepAnswer({ ChallengeName: 'SMS_MFA', Session: 's', ChallengeParameters: { CODE_DELIVERY_DESTINATION: '+***1' } }, 'InitiateAuth', 'dev')).toEqual({
      ChallengeName: 'SMS_MFA',
      Session: 's',
      ChallengeParameters: { CODE_DELIVERY_DESTINATION: '+***1' },
    });
    expect(authStepAnswer({ ChallengeName: '', Session: '' }, 'InitiateAuth', 'dev')).toEqual({});
  });

  it.each<[string, unknown, string]>([
    ['IdToken a number', { AuthenticationResult: { IdToken: 42 } }, 'AuthenticationResult.IdToken is a number, not a string'],
    ['IdToken missing', { AuthenticationResult: { AccessToken: 'a' } }, 'AuthenticationResult.IdToken is missing'],
    ['IdToken empty', { AuthenticationResult: { IdToken: '' } }, 'AuthenticationResult.IdToken is empty'],
    ['RefreshToken an array', { AuthenticationResult: { IdToken: 'i', RefreshToken: ['r'] } }, 'AuthenticationResult.RefreshToken is an array, not a string'],
    ['ExpiresIn a string', { AuthenticationResult: { IdToken: 'i', ExpiresIn: '3600' } }, 'AuthenticationResult.ExpiresIn is a string, not a number'],
    ['ExpiresIn NaN', { AuthenticationResult: { IdToken: 'i', ExpiresIn: NaN } }, 'AuthenticationResult.ExpiresIn is not a finite number'],
    ['AuthenticationResult null', { AuthenticationResult: null }, 'AuthenticationResult is null, not an object'],
    ['ChallengeName an object', { ChallengeName: {} }, 'ChallengeName is an object, not a string'],
    ['Session a boolean', { ChallengeName: 'SMS_MFA', Session: false }, 'Session is a boolean, not a string'],
    ['ChallengeParameters a string', { ChallengeName: 'SMS_MFA', ChallengeParameters: 'x' }, 'ChallengeParameters is a string, not an object'],
    ['a ChallengeParameter a number', { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: { SALT: 1 } }, 'ChallengeParameters.SALT is a number, not a string'],
    ['an answer that is an array', [1], 'the answer is an array, not an object'],
  ])('refuses %s, naming the field and the operation', (_name, out, text) => {
    expect(message(() => authStepAnswer(out, 'RespondToAuthChallenge', 'dev'))).toBe(unreadable('RespondToAuthChallenge', text));
  });

  it('tokensOf: neither tokens nor a challenge is an answer that could not be read', () => {
    expect(message(() => tokensOf({}, 'GetTokensFromRefreshToken', who))).toBe(unreadable('GetTokensFromRefreshToken', 'it holds neither tokens nor a challenge'));
    expect(tokensOf({ AuthenticationResult: { IdToken: 'i', RefreshToken: 'r' } }, 'InitiateAuth', who)).toEqual({ idToken: 'i', refreshToken: 'r' });
  });

  it('kindOf names a type, never a value', () => {
    expect([null, undefined, [], {}, 1, 'secret', true, 1n].map(kindOf)).toEqual(['null', 'missing', 'an array', 'an object', 'a number', 'a string', 'a boolean', 'a bigint']);
  });
});
