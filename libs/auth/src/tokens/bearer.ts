/** RFC 6750 `Bearer <token68>`; the scheme is case-insensitive (RFC 7235 §2.1). */
const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/**
 * The token of an `Authorization: Bearer <token>` value, or undefined when the value is missing
 * or not a well-formed bearer credential. Header values only: tokens are never read from URLs.
 */
export function extractBearer(value: string | readonly string[] | null | undefined): string | undefined {
  // A repeated Authorization header is ambiguous: refuse rather than pick one.
  if (typeof value !== 'string') return undefined;
  return BEARER.exec(value)?.[1];
}
