import { HttpStatus, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Principal, Role } from '@landside/contracts';
import { AuthHttpException, unauthorized } from './auth-errors';

/** Metadata key of `@Roles(...)`. */
export const ROLES_KEY = 'landside:roles';

/**
 * 403 unless the principal's role is one of the handler's (or controller's) `@Roles`. Runs after
 * JwtAuthGuard; with no `@Roles` any authenticated principal passes.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!roles || roles.length === 0) return true;
    const principal = context.switchToHttp().getRequest<Request>().user as Principal | undefined;
    if (!principal) throw unauthorized('unauthenticated', 'missing bearer token (Authorization: Bearer <jwt>)');
    if (!roles.includes(principal.role)) {
      throw new AuthHttpException(HttpStatus.FORBIDDEN, 'forbidden', `requires role ${roles.join(' or ')}`);
    }
    return true;
  }
}
