/**
 * Everything the auth library needs, passed in explicitly by the app (libs never read the
 * environment or libs/config themselves, so each app decides and validates its own settings).
 */
export interface AuthModuleOptions {
  readonly jwt: {
    /** HS256 shared secret (`JWT_SECRET`). */
    readonly secret?: string;
    /** PEM public key (`JWT_PUBLIC_KEY`): RS256 for an RSA key, ES256 for a P-256 key. */
    readonly publicKey?: string;
    /** PEM private key (`JWT_PRIVATE_KEY`): needed to issue asymmetric tokens. */
    readonly privateKey?: string;
    readonly issuer: string;
    readonly audience: string;
  };
  /** Operator/admin access token lifetime (SPEC §3: 15 min). */
  readonly accessTokenTtlS: number;
  /** Refresh token lifetime; each rotation issues a token valid for this long again. */
  readonly refreshTokenTtlS: number;
  readonly deviceTokenTtlS: number;
  /** Consecutive failed logins that lock an account. */
  readonly loginMaxFailures: number;
  readonly loginLockoutS: number;
  /** First admin, created only when the users table is empty; password generated when unset. */
  readonly admin: { readonly username: string; readonly password?: string };
  /** Where the embedded deployment keeps its generated JWT secret. */
  readonly dataDir?: string;
  /** Embedded (PGlite) deployment: a missing JWT secret is generated and kept in `dataDir`. */
  readonly embedded: boolean;
}

/** DI token of the AuthModuleOptions given to AuthModule.forRoot. */
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
