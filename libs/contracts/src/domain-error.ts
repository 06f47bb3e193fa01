/**
 * A refusal from domain code, with a stable code. Mapped once per edge: to an HTTP status by the
 * app's exception filter (libs/runtime), to an errors-queue message or an ERROR frame by the
 * STOMP gateway (libs/messaging). Domain code never imports either edge.
 */
export const DOMAIN_ERROR_STATUS = {
  'invalid': 400,
  'forbidden': 403,
  'not-found': 404,
  'conflict': 409,
  'not-valid-for-device': 422,
  'rate-limited': 429,
} as const;
export type DomainErrorCode = keyof typeof DOMAIN_ERROR_STATUS;

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return DOMAIN_ERROR_STATUS[this.code];
  }
}
