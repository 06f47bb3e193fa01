import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { JsonWebTokenError } from 'jsonwebtoken';
import { TokenError } from '../tokens/token-error';
import { toTokenError } from '../tokens/token.service';
import { unauthorized } from './auth-errors';
import { LANDSIDE_JWT_STRATEGY } from './jwt.strategy';

/**
 * Requires a valid bearer token; sets `request.user` to the Principal. Refusals are 401 with
 * `error` `unauthenticated` or `token-expired` (the STOMP error-codes) and a reason.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(LANDSIDE_JWT_STRATEGY) {
  override handleRequest<TUser>(err: unknown, user: unknown, info: unknown): TUser {
    if (!err && user) return user as TUser;
    const reason = err ?? info;
    if (reason instanceof TokenError) throw unauthorized(reason.code, reason.message);
    if (reason instanceof JsonWebTokenError) {
      const mapped = toTokenError(reason);
      throw unauthorized(mapped.code, mapped.message);
    }
    if (err) throw err;
    // passport-jwt reports a missing or non-Bearer Authorization header as info 'No auth token'.
    throw unauthorized('unauthenticated', 'missing bearer token (Authorization: Bearer <jwt>)');
  }
}
