/**
 * Stable, machine-readable `error-code` values carried on every STOMP ERROR frame this server
 * sends. Each code is documented once in docs/error-codes.md; clients switch on the code, never
 * on the human `message`. Adding a code means adding it there too (a test checks the two agree).
 */
export const STOMP_ERROR_CODES = [
  'bad-frame',
  'frame-too-large',
  'unsupported-version',
  'unauthenticated',
  'token-expired',
  'forbidden',
  'rate-limited',
  'too-many-sessions',
  'session-replaced',
  'too-many-subscriptions',
  'duplicate-subscription',
  'unknown-subscription',
  'invalid-ack',
  'connect-timeout',
  'heartbeat-timeout',
  'slow-consumer',
  'server-shutdown',
  'server-error',
] as const;

export type StompErrorCode = (typeof STOMP_ERROR_CODES)[number];

/** A protocol violation or refusal; the session answers it with ERROR and closes. */
export class StompError extends Error {
  constructor(
    readonly code: StompErrorCode,
    message: string,
    readonly details: { receiptId?: string; headers?: Record<string, string>; body?: string } = {},
  ) {
    super(message);
    this.name = 'StompError';
  }
}
