import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '@landside/contracts';
import { unauthorized } from './auth-errors';

/** The authenticated Principal of the request (use behind JwtAuthGuard). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<Request>().user as Principal | undefined;
  if (!principal) throw unauthorized('unauthenticated', 'missing bearer token (Authorization: Bearer <jwt>)');
  return principal;
});
