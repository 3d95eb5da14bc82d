/**
 * The shapes every layer shares, and nothing else: who signs in where (a profile's identity, as
 * the Cognito calls, the cache key and the stored session need it) and the AWS credentials a
 * sign-in gives. config/ makes a CognitoProfile, which has all of these fields and more.
 */

/** A profile's Cognito identity: every value already checked (src/config/profile.ts). */
export interface CognitoIdentity {
  /** The profile's name, for messages and the secret store's accounts. */
  name: string;
  userPoolId: string;
  clientId: string;
  identityPoolId: string;
  username: string;
  /** USER_SRP_AUTH or USER_PASSWORD_AUTH. */
  authFlow: string;
  /** The user pool's region. */
  region: string;
  /** The identity pool's region. */
  identityRegion: string;
  /** The role to ask the identity pool for (CustomRoleArn), when the profile names one. */
  roleArn?: string | undefined;
}

/** Temporary AWS credentials from the identity pool. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  identityId: string;
}
