import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import {
  JsonWebTokenError,
  NotBeforeError,
  TokenExpiredError,
  sign as jwtSign,
  verify as jwtVerify,
  type Algorithm,
} from 'jsonwebtoken';
import { DEVICE_TYPES, ROLES, type DeviceType, type Principal, type Role } from '@landside/contracts';
import type { AuthModuleOptions } from '../auth-options';
import { resolveJwtSecret } from './jwt-secret';
import { TokenError } from './token-error';

/** What a token says about its bearer; `exp`, `iat`, `iss`, `aud` are added by sign(). */
export interface TokenClaims {
  readonly sub: string;
  readonly role: Role;
  readonly zones?: readonly string[];
  readonly deviceType?: DeviceType;
}

export type JwtSettings = AuthModuleOptions['jwt'];

/** How tokens are checked; shared with the passport strategy so HTTP and STOMP agree. */
export interface VerificationSettings {
  /** The HS256 secret, or the PEM public key. */
  readonly key: string;
  /** The allow-list: exactly one algorithm, fixed by the key, never by the token's header. */
  readonly algorithms: Algorithm[];
  readonly issuer: string;
  readonly audience: string;
}

/** RFC 7518 §3.2: an HS256 key shorter than the hash (256 bits) weakens the MAC. */
const MIN_SECRET_LENGTH = 32;
/** Far above any token we issue; refuses absurd inputs before any parsing. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * Issues and verifies the JWTs of SPEC §3. The algorithm comes from the configured key, never
 * from the token: HS256 with a secret; RS256 (RSA) or ES256 (P-256) with a public key. So a
 * token with `alg:none`, or an HS256 token MACed with the public key (the HS/RS confusion
 * attack), is refused. Plain class: the gateway and tests may construct it directly.
 */
export class TokenService {
  private readonly verification: VerificationSettings;
  private readonly signing: { readonly key: string; readonly algorithm: Algorithm } | undefined;

  constructor(settings: JwtSettings) {
    if (!settings.issuer || !settings.audience) throw new Error('JWT issuer and audience must be non-empty');
    const asymmetric = settings.publicKey !== undefined || settings.privateKey !== undefined;
    if (settings.secret !== undefined && asymmetric) {
      throw new Error('configure either JWT_SECRET or JWT_PUBLIC_KEY/JWT_PRIVATE_KEY, not both');
    }
    const base = { issuer: settings.issuer, audience: settings.audience };
    if (asymmetric) {
      const { publicPem, privatePem, algorithm } = asymmetricKeys(settings.publicKey, settings.privateKey);
      this.verification = { ...base, key: publicPem, algorithms: [algorithm] };
      this.signing = privatePem === undefined ? undefined : { key: privatePem, algorithm };
    } else {
      const secret = settings.secret;
      if (secret === undefined) throw new Error('JWT_SECRET (or JWT_PUBLIC_KEY) is required');
      if (secret.length < MIN_SECRET_LENGTH) {
        throw new Error(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
      }
      this.verification = { ...base, key: secret, algorithms: ['HS256'] };
      this.signing = { key: secret, algorithm: 'HS256' };
    }
  }

  /**
   * From the module options: an embedded deployment without any configured key generates its
   * secret once and keeps it in `dataDir` (SPEC §9); anywhere else a missing key is an error.
   */
  static fromOptions(options: Pick<AuthModuleOptions, 'jwt' | 'embedded' | 'dataDir'>): TokenService {
    const { jwt } = options;
    const unconfigured = jwt.secret === undefined && jwt.publicKey === undefined && jwt.privateKey === undefined;
    if (unconfigured && options.embedded) {
      if (options.dataDir === undefined) throw new Error('embedded mode needs a dataDir to keep the JWT secret in');
      return new TokenService({ ...jwt, secret: resolveJwtSecret(options.dataDir) });
    }
    return new TokenService(jwt);
  }

  /** Whether this instance can issue tokens (a public key alone only verifies). */
  get canSign(): boolean {
    return this.signing !== undefined;
  }

  verificationSettings(): VerificationSettings {
    return { ...this.verification, algorithms: [...this.verification.algorithms] };
  }

  /** A signed token valid for `ttlS` seconds from now. */
  sign(claims: TokenClaims, ttlS: number): string {
    if (!this.signing) throw new Error('no JWT private key configured: this instance can only verify tokens');
    if (!Number.isInteger(ttlS) || ttlS <= 0) throw new Error(`token ttl must be a positive integer (seconds), got ${ttlS}`);
    if (!claims.sub) throw new Error('token subject must be non-empty');
    const payload: Record<string, unknown> = { role: claims.role };
    if (claims.zones !== undefined) payload['zones'] = [...claims.zones];
    if (claims.deviceType !== undefined) payload['deviceType'] = claims.deviceType;
    return jwtSign(payload, this.signing.key, {
      algorithm: this.signing.algorithm,
      expiresIn: ttlS,
      issuer: this.verification.issuer,
      audience: this.verification.audience,
      subject: claims.sub,
      jwtid: randomUUID(),
    });
  }

  /** The principal of a valid token; throws TokenError otherwise. */
  verify(token: string): Principal {
    if (typeof token !== 'string' || token.length === 0) throw new TokenError('unauthenticated', 'no token');
    if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('unauthenticated', 'token too long');
    let payload: unknown;
    try {
      payload = jwtVerify(token, this.verification.key, {
        algorithms: this.verification.algorithms,
        issuer: this.verification.issuer,
        audience: this.verification.audience,
      });
    } catch (err) {
      throw toTokenError(err);
    }
    return principalFromPayload(payload);
  }
}

/**
 * The claims a verified token must carry beyond what jsonwebtoken checks: jsonwebtoken accepts a
 * token without `exp`, and knows nothing of our `role`, `zones` and `deviceType`.
 */
export function principalFromPayload(payload: unknown): Principal {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TokenError('unauthenticated', 'token payload is not a JSON object');
  }
  const claims = payload as Record<string, unknown>;
  const { sub, role, exp, zones, deviceType } = claims;
  if (typeof sub !== 'string' || sub.length === 0) throw new TokenError('unauthenticated', 'token has no subject (sub)');
  if (!isRole(role)) throw new TokenError('unauthenticated', 'token has no valid role');
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new TokenError('unauthenticated', 'token has no expiry (exp)');
  if (zones !== undefined && !isStringArray(zones)) {
    throw new TokenError('unauthenticated', 'token zones claim must be an array of zone ids');
  }
  if (deviceType !== undefined && !isDeviceType(deviceType)) {
    throw new TokenError('unauthenticated', 'token deviceType claim is not a known device type');
  }
  return Object.freeze({
    sub,
    role,
    expiresAt: exp * 1000,
    ...(zones !== undefined ? { zones: Object.freeze([...zones]) } : {}),
    ...(deviceType !== undefined ? { deviceType } : {}),
  });
}

/** Maps a jsonwebtoken failure to our TokenError (shared with the HTTP guard). */
export function toTokenError(err: unknown): TokenError {
  if (err instanceof TokenExpiredError) {
    return new TokenError('token-expired', `token expired at ${err.expiredAt.toISOString()}`);
  }
  if (err instanceof NotBeforeError) return new TokenError('unauthenticated', `token not valid before ${err.date.toISOString()}`);
  if (err instanceof JsonWebTokenError) {
    // jsonwebtoken's messages name the failed check, never the token; reword the common ones.
    const m = err.message;
    if (m === 'invalid signature') return new TokenError('unauthenticated', 'token signature is invalid');
    if (m === 'invalid algorithm') return new TokenError('unauthenticated', 'token algorithm is not accepted');
    if (m === 'jwt signature is required') return new TokenError('unauthenticated', 'unsigned tokens (alg none) are not accepted');
    if (m.startsWith('jwt issuer invalid')) return new TokenError('unauthenticated', 'token issuer is not accepted');
    if (m.startsWith('jwt audience invalid')) return new TokenError('unauthenticated', 'token audience is not accepted');
    if (m === 'jwt malformed' || m.startsWith('invalid token')) return new TokenError('unauthenticated', 'token is malformed');
    return new TokenError('unauthenticated', `token rejected: ${m}`);
  }
  return new TokenError('unauthenticated', 'token rejected');
}

/** PEM keys and the one algorithm they imply; a given key pair must actually be a pair. */
function asymmetricKeys(
  publicKey: string | undefined,
  privateKey: string | undefined,
): { publicPem: string; privatePem: string | undefined; algorithm: Algorithm } {
  let priv: KeyObject | undefined;
  let pub: KeyObject;
  try {
    priv = privateKey === undefined ? undefined : createPrivateKey(privateKey);
  } catch {
    throw new Error('JWT_PRIVATE_KEY is not a valid PEM private key');
  }
  try {
    pub = publicKey === undefined ? createPublicKey(priv as KeyObject) : createPublicKey(publicKey);
  } catch {
    throw new Error('JWT_PUBLIC_KEY is not a valid PEM public key');
  }
  if (pub.type !== 'public') throw new Error('JWT_PUBLIC_KEY must be a public key');
  const algorithm = algorithmFor(pub);
  const publicPem = pub.export({ type: 'spki', format: 'pem' }).toString();
  if (priv) {
    const derived = createPublicKey(priv).export({ type: 'spki', format: 'pem' }).toString();
    if (derived !== publicPem) throw new Error('JWT_PRIVATE_KEY does not match JWT_PUBLIC_KEY');
  }
  const privatePem = priv?.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { publicPem, privatePem, algorithm };
}

function algorithmFor(key: KeyObject): Algorithm {
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw new Error(`JWT RSA key must be at least 2048 bits, got ${bits}`);
    return 'RS256';
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('JWT key must be an RSA key (RS256) or a P-256 EC key (ES256)');
}

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

function isDeviceType(value: unknown): value is DeviceType {
  return typeof value === 'string' && (DEVICE_TYPES as readonly string[]).includes(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0);
}
