import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { AuthHttpException } from '@landside/auth';
import type { Principal } from '@landside/contracts';
import { HttpStatus } from '@nestjs/common';

/** Who does a write, and from where: what an audit row records (SPEC §6). */
export interface Actor {
  readonly principal: Principal;
  /** The request's source address (`req.ip`), null when unknown. */
  readonly sourceAddress: string | null;
}

/** The Actor of an HTTP request; use behind JwtAuthGuard (`@Authenticated(...)`). */
export const RequestActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const req = context.switchToHttp().getRequest<Request>();
  const principal = req.user as Principal | undefined;
  if (!principal) throw new AuthHttpException(HttpStatus.UNAUTHORIZED, 'unauthenticated', 'missing bearer token (Authorization: Bearer <jwt>)');
  return { principal, sourceAddress: req.ip ?? null };
});
