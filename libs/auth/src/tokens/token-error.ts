import type { StompErrorCode } from '@landside/stomp';

/**
 * Why a token was refused. The codes are STOMP `error-code` values (SPEC §4), so the gateway
 * passes them straight through; HTTP maps both to 401. The message explains the refusal and
 * never contains the token itself.
 */
export type TokenErrorCode = Extract<StompErrorCode, 'unauthenticated' | 'token-expired'>;

export class TokenError extends Error {
  constructor(
    readonly code: TokenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}
