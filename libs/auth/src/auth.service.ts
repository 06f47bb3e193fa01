import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager, type Repository } from 'typeorm';
import type { Role } from '@landside/contracts';
import { recordAudit } from '@landside/persistence';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth-options';
import { PasswordHasher } from './credentials/password-hasher';
import { DeviceCredentialEntity } from './entities/device-credential.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { UserEntity } from './entities/user.entity';
import { RetryAfterException, unauthorized } from './http/auth-errors';
import { TokenService } from './tokens/token.service';

/** What login and refresh answer (SPEC §3): a short access token and the next refresh token. */
export interface SessionTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: 'Bearer';
  /** Access token lifetime, seconds. */
  readonly expiresIn: number;
  readonly role: Role;
  /** Zone scope; null for every zone. */
  readonly zones: readonly string[] | null;
}

export interface DeviceToken {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
}

type LoginOutcome =
  | { readonly kind: 'ok'; readonly tokens: SessionTokens }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'locked'; readonly retryAfterS: number };

type RefreshOutcome =
  | { readonly kind: 'ok'; readonly tokens: SessionTokens }
  | { readonly kind: 'unknown' | 'revoked' | 'expired' | 'reused' };

/**
 * Password login, refresh-token rotation, logout and device tokens. Every state change runs in
 * one short transaction holding row locks (`SELECT ... FOR UPDATE`): the user row for login (so
 * the failure counter and lockout are exact under concurrent guesses) and the refresh-token row
 * for refresh (so two concurrent refreshes with one token cannot both succeed). Slow argon2 work
 * happens outside transactions.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly hasher: PasswordHasher,
  ) {}

  async login(username: string, password: string, sourceAddress?: string): Promise<SessionTokens> {
    // The slow hash runs outside any transaction: on the embedded database (one connection)
    // holding a transaction open through argon2 would stall every other query of the app.
    const found = await this.dataSource.getRepository(UserEntity).findOneBy({ username });
    const audit = (role: string, outcome: string, manager: EntityManager = this.dataSource.manager): Promise<void> =>
      recordAudit(manager, { actor: username, role, action: 'auth.login', target: username, sourceAddress, outcome });
    if (!found) {
      // Same answer and about the same time as a wrong password: no user enumeration.
      await this.hasher.verifyDummy(password);
      await audit('UNKNOWN', 'denied');
      throw unauthorized('invalid-credentials', 'invalid username or password');
    }
    const lockedFor = lockRemainingS(found, Date.now());
    if (lockedFor > 0) {
      await audit(found.role, 'locked');
      throw accountLocked(lockedFor);
    }
    const matches = await this.hasher.verify(found.passwordHash, password);
    // Stored under weaker parameters than today's: upgrade while we hold the plain password.
    const upgradedHash = matches && this.hasher.needsRehash(found.passwordHash) ? await this.hasher.hash(password) : undefined;

    // The decision is re-taken on the locked row, so concurrent attempts count exactly and a
    // lock set meanwhile holds even for the right password.
    const outcome = await this.dataSource.transaction(async (em): Promise<LoginOutcome> => {
      const users = em.getRepository(UserEntity);
      const user = await users.createQueryBuilder('u').setLock('pessimistic_write').where('u.id = :id', { id: found.id }).getOne();
      if (!user) return { kind: 'invalid' };
      const now = Date.now();
      const remaining = lockRemainingS(user, now);
      // Failures while locked are not counted: they must not extend the lockout.
      if (remaining > 0) return { kind: 'locked', retryAfterS: remaining };
      if (!matches) {
        await this.recordFailure(users, user, now);
        return { kind: 'invalid' };
      }
      // The password was changed while we were hashing: what matched is no longer the password.
      if (user.passwordHash !== found.passwordHash || user.disabled) return { kind: 'invalid' };
      const changes: Partial<UserEntity> = { failedLogins: 0, lockedUntil: null };
      if (upgradedHash !== undefined) changes.passwordHash = upgradedHash;
      await users.update({ id: user.id }, changes);
      await audit(user.role, 'ok', em);
      return { kind: 'ok', tokens: await this.issueSession(em, user, randomUUID()) };
    });
    switch (outcome.kind) {
      case 'ok':
        return outcome.tokens;
      case 'invalid':
        await audit(found.role, 'denied');
        throw unauthorized('invalid-credentials', 'invalid username or password');
      case 'locked':
        await audit(found.role, 'locked');
        throw accountLocked(outcome.retryAfterS);
    }
  }

  /**
   * Rotation: the presented token is marked used and the next one of the same family issued.
   * A used token presented again means it was stolen (or the client is broken): the whole family
   * is revoked, so the thief's and the owner's latest tokens both stop working.
   */
  async refresh(refreshToken: string): Promise<SessionTokens> {
    const tokenHash = hashToken(refreshToken);
    const outcome = await this.dataSource.transaction(async (em): Promise<RefreshOutcome> => {
      const row = await em
        .getRepository(RefreshTokenEntity)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t.token_hash = :tokenHash', { tokenHash })
        .getOne();
      if (!row) return { kind: 'unknown' };
      const now = new Date();
      if (row.usedAt) {
        await revokeFamily(em, row.familyId, now);
        return { kind: 'reused' };
      }
      if (row.revokedAt) return { kind: 'revoked' };
      if (row.expiresAt.getTime() <= now.getTime()) return { kind: 'expired' };
      const user = await em.getRepository(UserEntity).findOneBy({ id: row.userId });
      if (!user || user.disabled) {
        await revokeFamily(em, row.familyId, now);
        return { kind: 'revoked' };
      }
      await em.getRepository(RefreshTokenEntity).update({ id: row.id }, { usedAt: now });
      // Role and zones are re-read from the user, so a changed scope applies at the next refresh.
      return { kind: 'ok', tokens: await this.issueSession(em, user, row.familyId) };
    });
    switch (outcome.kind) {
      case 'ok':
        return outcome.tokens;
      case 'reused':
        this.logger.warn('refresh token reused: its whole token family was revoked');
        throw unauthorized('refresh-token-reused', 'refresh token was already used; all tokens of this login are revoked');
      case 'expired':
        throw unauthorized('refresh-token-expired', 'refresh token expired; log in again');
      case 'unknown':
      case 'revoked':
        throw unauthorized('invalid-refresh-token', 'refresh token is invalid or revoked; log in again');
    }
  }

  /** Revokes the token's whole family (this login on this client). Unknown tokens are a no-op. */
  async logout(refreshToken: string): Promise<void> {
    const tokenHash = hashToken(refreshToken);
    await this.dataSource.transaction(async (em) => {
      const row = await em.getRepository(RefreshTokenEntity).findOneBy({ tokenHash });
      if (row) await revokeFamily(em, row.familyId, new Date());
    });
  }

  /** A device exchanges its id and secret for a device token (SPEC §3). */
  async deviceToken(deviceId: string, secret: string): Promise<DeviceToken> {
    const device = await this.dataSource.getRepository(DeviceCredentialEntity).findOneBy({ id: deviceId });
    if (!device) {
      await this.hasher.verifyDummy(secret);
      throw unauthorized('invalid-credentials', 'invalid device id or secret');
    }
    const matches = await this.hasher.verify(device.secretHash, secret);
    if (!matches || device.disabled) throw unauthorized('invalid-credentials', 'invalid device id or secret');
    const ttl = this.options.deviceTokenTtlS;
    const accessToken = this.tokens.sign(
      { sub: device.id, role: 'DEVICE', deviceType: device.type, ...(device.zoneId !== null ? { zones: [device.zoneId] } : {}) },
      ttl,
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: ttl };
  }

  private async recordFailure(users: Repository<UserEntity>, user: UserEntity, now: number): Promise<void> {
    const failures = user.failedLogins + 1;
    if (failures >= this.options.loginMaxFailures) {
      // Lock and start counting afresh, so after the lockout the user again has the full budget.
      await users.update({ id: user.id }, { failedLogins: 0, lockedUntil: new Date(now + this.options.loginLockoutS * 1000) });
      this.logger.warn(`account ${user.username} locked for ${this.options.loginLockoutS} s after ${failures} failed logins`);
    } else {
      await users.update({ id: user.id }, { failedLogins: failures });
    }
  }

  /** Adds the next refresh token of `familyId` and signs an access token, inside `em`'s transaction. */
  private async issueSession(em: EntityManager, user: UserEntity, familyId: string): Promise<SessionTokens> {
    const refreshToken = randomBytes(32).toString('base64url');
    await em.getRepository(RefreshTokenEntity).insert({
      userId: user.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(Date.now() + this.options.refreshTokenTtlS * 1000),
    });
    const ttl = this.options.accessTokenTtlS;
    const accessToken = this.tokens.sign(
      { sub: user.username, role: user.role, ...(user.zones !== null ? { zones: user.zones } : {}) },
      ttl,
    );
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ttl, role: user.role, zones: user.zones };
  }
}

/** Whole seconds until the account's lockout ends (at least 1 while locked), 0 when not locked. */
function lockRemainingS(user: UserEntity, now: number): number {
  const until = user.lockedUntil?.getTime() ?? 0;
  return until > now ? Math.max(1, Math.ceil((until - now) / 1000)) : 0;
}

const accountLocked = (retryAfterS: number): RetryAfterException =>
  new RetryAfterException('account-locked', `account locked after repeated failed logins; retry in ${retryAfterS} s`, retryAfterS);

/** Refresh tokens are stored as their SHA-256: they are random, so no salt or slow hash is needed. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Revokes every live token of a family. The family's rows are locked first, so a refresh that
 * is adding the family's next token finishes before the UPDATE (a new statement, hence a new
 * snapshot) runs, and that new token is revoked too instead of slipping through.
 */
async function revokeFamily(em: EntityManager, familyId: string, now: Date): Promise<void> {
  const tokens = em.getRepository(RefreshTokenEntity);
  await tokens.createQueryBuilder('t').setLock('pessimistic_write').where('t.family_id = :familyId', { familyId }).getMany();
  await tokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: now });
}
