/**
 * The fake's service errors (AWS JSON 1.1 error shape) and the wordings several of its modules use.
 * Only node: imports (compiled into dist/ with the rest of the fake).
 */

/** An error answered with the AWS JSON 1.1 error shape. */
export class CognitoServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export function invalid(message: string): CognitoServiceError {
  return new CognitoServiceError('InvalidParameterException', message);
}

export function notAuthorized(message: string): CognitoServiceError {
  return new CognitoServiceError('NotAuthorizedException', message);
}

/** The model validator's wording for a missing required member (`field` in camelCase). */
export function validationNull(field: string): CognitoServiceError {
  return invalid(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
}

/** The model validator's wording for a value that fails a member's pattern. */
export function validationPattern(field: string, value: string, pattern: string): CognitoServiceError {
  return invalid(
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ` +
      `Member must satisfy regular expression pattern: ${pattern}`,
  );
}
