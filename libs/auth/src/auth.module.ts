import { UsersController } from './users/users.controller';
import { Module, type DynamicModule } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthController } from './auth.controller';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth-options';
import { AuthService } from './auth.service';
import { DEFAULT_PASSWORD_HASH_OPTIONS, PASSWORD_HASH_OPTIONS, PasswordHasher } from './credentials/password-hasher';
import { AUTH_ENTITIES } from './entities';
import { JwtAuthGuard } from './http/jwt-auth.guard';
import { JwtStrategy } from './http/jwt.strategy';
import { RetryAfterInterceptor } from './http/retry-after.interceptor';
import { RolesGuard } from './http/roles.guard';
import { TokenService } from './tokens/token.service';
import { AdminBootstrapService } from './users/admin-bootstrap.service';
import { UsersService } from './users/users.service';

/**
 * Authentication for every app: token issuing (REST §8), verification (HTTP guard here; the
 * gateway uses TokenService directly), users and the first admin. Global, so feature modules use
 * the guards and services without importing it. Needs PersistenceModule (TypeORM) in the app.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    checkOptions(options);
    return {
      module: AuthModule,
      global: true,
      imports: [PassportModule, TypeOrmModule.forFeature([...AUTH_ENTITIES])],
      controllers: [AuthController, UsersController],
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        // Resolved at DI time, not import time: an embedded secret may be generated on disk.
        { provide: TokenService, useFactory: (o: AuthModuleOptions) => TokenService.fromOptions(o), inject: [AUTH_OPTIONS] },
        { provide: PASSWORD_HASH_OPTIONS, useValue: DEFAULT_PASSWORD_HASH_OPTIONS },
        PasswordHasher,
        UsersService,
        AuthService,
        AdminBootstrapService,
        JwtStrategy,
        JwtAuthGuard,
        RolesGuard,
        RetryAfterInterceptor,
      ],
      exports: [AUTH_OPTIONS, TokenService, PasswordHasher, UsersService, AuthService, JwtAuthGuard, RolesGuard],
    };
  }
}

/** A wrong option is a startup error that names the option (the app validates env before this). */
function checkOptions(options: AuthModuleOptions): void {
  const positive = ['accessTokenTtlS', 'refreshTokenTtlS', 'deviceTokenTtlS', 'loginMaxFailures', 'loginLockoutS'] as const;
  for (const key of positive) {
    const value = options[key];
    if (!Number.isInteger(value) || value <= 0) throw new Error(`AuthModuleOptions.${key} must be a positive integer, got ${String(value)}`);
  }
  if (!options.admin.username) throw new Error('AuthModuleOptions.admin.username must be non-empty');
  if (!options.jwt.issuer || !options.jwt.audience) throw new Error('AuthModuleOptions.jwt.issuer and audience must be non-empty');
}
