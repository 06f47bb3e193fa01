import { SetMetadata, applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Role } from '@landside/contracts';
import { JwtAuthGuard } from './jwt-auth.guard';
import { ROLES_KEY, RolesGuard } from './roles.guard';

/**
 * The roles allowed on a handler or controller (checked by RolesGuard). Listed explicitly: an
 * ADMIN is not implied by OPERATOR, write `@Roles('OPERATOR', 'ADMIN')` when both may.
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/** Shorthand: bearer token required, and one of `roles` when given. */
export const Authenticated = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  applyDecorators(UseGuards(JwtAuthGuard, RolesGuard), Roles(...roles), ApiBearerAuth());
