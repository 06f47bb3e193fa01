/**
 * Octets with a meaning in STOMP framing (STOMP 1.2 §"Augmented BNF",
 * https://stomp.github.io/stomp-specification-1.2.html#Augmented_BNF).
 *
 * The codec works on bytes, not strings: lengths in STOMP are byte counts and a body may contain
 * any octet, so the parser scans buffers for these values with `indexOf`. None of them can occur
 * inside a multi-byte UTF-8 sequence (continuation bytes are >= 0x80), which is what makes it safe
 * to split lines and headers on raw bytes before decoding them as UTF-8.
 *
 * Modelled on `@stomp/stompjs` src/byte.ts, as numbers instead of one-character strings.
 */
export const BYTE = {
  /** Line feed, octet 10: ends every command and header line (optionally preceded by CR). */
  LF: 0x0a,
  /** Carriage return, octet 13: allowed before LF as part of an EOL since STOMP 1.2. */
  CR: 0x0d,
  /** Octet 0: terminates every frame. */
  NUL: 0x00,
  /** Octet 58: separates a header name from its value (the first one on the line). */
  COLON: 0x3a,
  /** Octet 92: starts an escape sequence in header names and values (STOMP 1.1+). */
  BACKSLASH: 0x5c,
} as const;

export const { LF, CR, NUL, COLON, BACKSLASH } = BYTE;
