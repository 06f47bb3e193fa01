import { HttpStatus, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { AuthHttpException } from '@landside/auth';
import type { Principal } from '@landside/contracts';
import type { DispatchActor } from '../dispatch.service';

/** The DispatchActor of an HTTP request (principal and source address); use behind `@Authenticated`. */
export const RequestActor = createParamDecorator((_data: unknown, context: ExecutionContext): DispatchActor => {
  const req = context.switchToHttp().getRequest<Request>();
  const principal = req.user as Principal | undefined;
  if (!principal) throw new AuthHttpException(HttpStatus.UNAUTHORIZED, 'unauthenticated', 'missing bearer token (Authorization: Bearer <jwt>)');
  return {
    sub: principal.sub,
    role: principal.role,
    ...(principal.zones === undefined ? {} : { zones: principal.zones }),
    ...(principal.deviceType === undefined ? {} : { deviceType: principal.deviceType }),
    sourceAddress: req.ip ?? null,
  };
});
