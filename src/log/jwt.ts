/** A JWT's claims, read without verifying the signature (Cognito just issued it to us over TLS). */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** One string claim, or undefined. */
export function stringClaim(token: string, name: string): string | undefined {
  const value = jwtClaims(token)?.[name];
  return typeof value === 'string' ? value : undefined;
}
