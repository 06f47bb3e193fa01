import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Machine-readable `error` values of the auth endpoints' error bodies. Clients switch on these,
 * never on `message`. `unauthenticated`, `token-expired` and `forbidden` match the STOMP
 * error-codes of the same names.
 */
export type AuthErrorCode =
  | 'invalid-credentials'
  | 'account-locked'
  | 'invalid-refresh-token'
  | 'refresh-token-expired'
  | 'refresh-token-reused'
  | 'unauthenticated'
  | 'token-expired'
  | 'forbidden';

export interface AuthErrorBody {
  readonly statusCode: number;
  readonly error: AuthErrorCode;
  readonly message: string;
  readonly retryAfterS?: number;
}

export class AuthHttpException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super({ statusCode: status, error: code, message } satisfies AuthErrorBody, status);
  }
}

/** A refusal the client may retry later; RetryAfterInterceptor turns it into a Retry-After header. */
export class RetryAfterException extends HttpException {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    readonly retryAfterS: number,
  ) {
    const status = HttpStatus.TOO_MANY_REQUESTS;
    super({ statusCode: status, error: code, message, retryAfterS } satisfies AuthErrorBody, status);
  }
}

export const unauthorized = (code: AuthErrorCode, message: string): AuthHttpException =>
  new AuthHttpException(HttpStatus.UNAUTHORIZED, code, message);
