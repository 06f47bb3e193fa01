import { DomainError, type DomainErrorCode } from '../../../contracts/src/domain-error';

/** Why dispatch refused an input. Each maps to one HTTP-level {@link DomainErrorCode}. */
export const DISPATCH_ERROR_STATUS = {
  'invalid': 'invalid',
  'unknown-destination': 'invalid',
  'unknown-region': 'invalid',
  'region-not-served': 'invalid',
  'unknown-taxi': 'not-found',
  'banned': 'forbidden',
  'not-found': 'not-found',
  'conflict': 'conflict',
} as const satisfies Record<string, DomainErrorCode>;
export type DispatchErrorCode = keyof typeof DISPATCH_ERROR_STATUS;

/**
 * A refused dispatch input. It is a {@link DomainError} (so the app's filter answers 400/403/404/409
 * without knowing dispatch): `code` is the generic code, `reason` the dispatch one, also in `details`.
 * Refusals that are part of normal flow (a banned plate at the lot camera, a bad claim) are
 * decisions, not errors: the camera read itself is fine.
 */
export class DispatchError extends DomainError {
  readonly reason: DispatchErrorCode;

  constructor(reason: DispatchErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(DISPATCH_ERROR_STATUS[reason], message, { reason, ...details });
    this.reason = reason;
    this.name = 'DispatchError';
  }
}
