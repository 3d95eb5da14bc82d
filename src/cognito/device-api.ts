/**
 * The shapes of the remembered-device operations (ConfirmDevice, UpdateDeviceStatus, ForgetDevice)
 * and of the device fields of the sign-in answers, as the Cognito API reference gives them; the
 * SDK clients that send them are in api.ts, the checks of their answers in answers.ts. Only the
 * fields cognito-creds uses are typed here.
 */

/** AuthenticationResult.NewDeviceMetadata (NewDeviceMetadataType). */
export interface NewDeviceMetadata {
  DeviceKey: string;
  DeviceGroupKey: string;
}

export interface ConfirmDeviceInput {
  AccessToken: string;
  DeviceKey: string;
  DeviceName?: string;
  /** DeviceSecretVerifierConfigType: base64 of the verifier's and the salt's bytes. */
  DeviceSecretVerifierConfig: { PasswordVerifier: string; Salt: string };
}

export type DeviceRememberedStatus = 'remembered' | 'not_remembered';

export interface UpdateDeviceStatusInput {
  AccessToken: string;
  DeviceKey: string;
  DeviceRememberedStatus: DeviceRememberedStatus;
}

export interface ForgetDeviceInput {
  AccessToken: string;
  DeviceKey: string;
}
