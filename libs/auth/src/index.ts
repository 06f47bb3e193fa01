/** Public API of @landside/auth. */
export { AUTH_OPTIONS, type AuthModuleOptions } from './auth-options';
export { AuthModule } from './auth.module';
export { AuthController } from './auth.controller';
export { AuthService, hashToken, type DeviceToken, type SessionTokens } from './auth.service';

export { TokenService, principalFromPayload, type JwtSettings, type TokenClaims, type VerificationSettings } from './tokens/token.service';
export { TokenError, type TokenErrorCode } from './tokens/token-error';
export { extractBearer } from './tokens/bearer';
export { resolveJwtSecret, JWT_SECRET_FILE } from './tokens/jwt-secret';

export {
  authorizeDestination,
  mayIssueCommand,
  principalSeesZone,
  zoneOfDestination,
  OPERATOR_SAFE_COMMANDS,
  type DestinationAction,
  type DestinationDecision,
} from './policy/destination-policy';

export {
  PasswordHasher,
  PASSWORD_HASH_OPTIONS,
  DEFAULT_PASSWORD_HASH_OPTIONS,
  type PasswordHashOptions,
} from './credentials/password-hasher';
export { UsersService, USER_ROLES, type UserRole, type CreateUserInput, type UserView } from './users/users.service';
export { AdminBootstrapService } from './users/admin-bootstrap.service';
export { AUTH_ENTITIES, DeviceCredentialEntity, RefreshTokenEntity, UserEntity } from './entities';

export { JwtAuthGuard } from './http/jwt-auth.guard';
export { JwtStrategy, LANDSIDE_JWT_STRATEGY } from './http/jwt.strategy';
export { RolesGuard, ROLES_KEY } from './http/roles.guard';
export { Roles, Authenticated } from './http/roles.decorator';
export { CurrentPrincipal } from './http/current-principal.decorator';
export { RetryAfterInterceptor } from './http/retry-after.interceptor';
export { AuthHttpException, RetryAfterException, type AuthErrorCode, type AuthErrorBody } from './http/auth-errors';
export { DeniedWriteAuditFilter } from './http/denied-write-audit.filter';
