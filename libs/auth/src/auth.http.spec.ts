import 'reflect-metadata';
import { Controller, Get, Logger, Module, UseGuards, ValidationPipe, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { sign as jwtSign } from 'jsonwebtoken';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import type { Principal } from '@landside/contracts';
import { MEMORY, PersistenceModule, openTestDatabase, testDatabaseKinds, type TestDatabase } from '@landside/persistence';
import {
  AdminBootstrapService,
  AuthModule,
  Authenticated,
  CurrentPrincipal,
  DeviceCredentialEntity,
  JwtAuthGuard,
  PASSWORD_HASH_OPTIONS,
  PasswordHasher,
  RefreshTokenEntity,
  Roles,
  RolesGuard,
  TokenService,
  UserEntity,
  UsersService,
  hashToken,
  type AuthModuleOptions,
  type SessionTokens,
} from './index';

const SECRET = 'http-test-secret-long-enough-for-hs256-0123456789';
const ADMIN_PASSWORD = 'admin-password-1';
const OPTIONS: AuthModuleOptions = {
  jwt: { secret: SECRET, issuer: 'landside', audience: 'landside' },
  accessTokenTtlS: 900,
  refreshTokenTtlS: 3600,
  deviceTokenTtlS: 7200,
  loginMaxFailures: 3,
  loginLockoutS: 60,
  admin: { username: 'admin', password: ADMIN_PASSWORD },
  embedded: false,
};
/** argon2 at minimum cost: tests exercise the logic, not the hash's strength. */
const CHEAP_HASHING = { timeCost: 1, memoryCost: 1024, parallelism: 1 };

@Controller('probe')
class ProbeController {
  @Get('me')
  @UseGuards(JwtAuthGuard)
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get('staff')
  @UseGuards(JwtAuthGuard, RolesGuard)
  @Roles('OPERATOR', 'ADMIN')
  staff(): { ok: true } {
    return { ok: true };
  }

  @Get('admin')
  @Authenticated('ADMIN')
  adminOnly(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe.each(testDatabaseKinds())('auth over HTTP on %s', (kind) => {
  let app: INestApplication<App>;
  let testDb: TestDatabase | undefined;
  let dataSource: DataSource;
  let users: UsersService;
  let hasher: PasswordHasher;
  let tokens: TokenService;

  const http = () => request(app.getHttpServer());
  const login = (username: string, password: string) => http().post('/api/auth/login').send({ username, password });
  const refresh = (refreshToken: string) => http().post('/api/auth/refresh').send({ refreshToken });
  const loginOk = async (username: string, password: string): Promise<SessionTokens> => {
    const res = await login(username, password).expect(200);
    return res.body as SessionTokens;
  };

  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (kind === 'postgres') {
      // A fresh, empty database: the app runs the migrations itself, as in production.
      testDb = await openTestDatabase({ kind, migrations: false });
      databaseUrl = testDb.databaseUrl;
    }
    const moduleRef = await Test.createTestingModule({
      imports: [PersistenceModule.forRoot({ databaseUrl, dataDir: MEMORY }), AuthModule.forRoot(OPTIONS), ProbeModule],
    })
      .overrideProvider(PASSWORD_HASH_OPTIONS)
      .useValue(CHEAP_HASHING)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.setGlobalPrefix('api');
    app.useGlobalPipes(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }));
    await app.init();
    dataSource = app.get(DataSource);
    users = app.get(UsersService);
    hasher = app.get(PasswordHasher);
    tokens = app.get(TokenService);
  });

  afterAll(async () => {
    await app?.close();
    await testDb?.close();
  });

  // Whatever a test was refused, the app keeps answering.
  afterEach(async () => {
    await http().post('/api/auth/logout').send({ refreshToken: 'not-a-real-token' }).expect(204);
  });

  describe('login', () => {
    it('logs the bootstrapped admin in', async () => {
      const res = await login('admin', ADMIN_PASSWORD).expect(200);
      const body = res.body as SessionTokens;
      expect(body).toEqual({
        accessToken: expect.any(String) as string,
        refreshToken: expect.any(String) as string,
        tokenType: 'Bearer',
        expiresIn: 900,
        role: 'ADMIN',
        zones: null,
      });
      const principal = tokens.verify(body.accessToken);
      expect(principal).toMatchObject({ sub: 'admin', role: 'ADMIN' });
      expect(principal.zones).toBeUndefined();
      // Only the hash is stored.
      const stored = await dataSource.getRepository(RefreshTokenEntity).findOneByOrFail({ tokenHash: hashToken(body.refreshToken) });
      expect(stored.usedAt).toBeNull();
    });

    it('returns the zone scope of a scoped operator, in the response and the token', async () => {
      await users.create({ username: 'op-t1', password: 'operator-pass', role: 'OPERATOR', zones: ['T1', 'T1-P2'] });
      const body = await loginOk('op-t1', 'operator-pass');
      expect(body.role).toBe('OPERATOR');
      expect(body.zones).toEqual(['T1', 'T1-P2']);
      expect(tokens.verify(body.accessToken).zones).toEqual(['T1', 'T1-P2']);
    });

    it('answers a wrong password and an unknown user identically (401 invalid-credentials)', async () => {
      const wrong = await login('admin', 'not-the-password').expect(401);
      const unknown = await login('nobody', 'whatever-pass').expect(401);
      expect(wrong.body).toEqual({ statusCode: 401, error: 'invalid-credentials', message: 'invalid username or password' });
      expect(unknown.body).toEqual(wrong.body);
      // The admin's failure counter was bumped; reset it so later tests start clean.
      await loginOk('admin', ADMIN_PASSWORD);
    });

    it('answers 400 naming the bad field', async () => {
      const missing = await http().post('/api/auth/login').send({ username: 'admin' }).expect(400);
      expect(JSON.stringify(missing.body)).toContain('password');
      const typed = await http().post('/api/auth/login').send({ username: 42, password: 'x' }).expect(400);
      expect(JSON.stringify(typed.body)).toContain('username');
      const extra = await http().post('/api/auth/login').send({ username: 'admin', password: ADMIN_PASSWORD, role: 'ADMIN' }).expect(400);
      expect(JSON.stringify(extra.body)).toContain('role');
    });

    it('does not log in a disabled user', async () => {
      await users.create({ username: 'gone', password: 'gone-password', role: 'OPERATOR' });
      await dataSource.getRepository(UserEntity).update({ username: 'gone' }, { disabled: true });
      const res = await login('gone', 'gone-password').expect(401);
      expect((res.body as { error: string }).error).toBe('invalid-credentials');
    });
  });

  describe('lockout', () => {
    it('locks after loginMaxFailures failures: 429 with Retry-After even for the right password', async () => {
      await users.create({ username: 'locky', password: 'locky-password', role: 'OPERATOR' });
      for (let i = 0; i < OPTIONS.loginMaxFailures; i++) await login('locky', 'wrong-password').expect(401);
      const locked = await login('locky', 'locky-password').expect(429);
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(55);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(locked.body).toMatchObject({ statusCode: 429, error: 'account-locked', retryAfterS: retryAfter });
      await login('locky', 'wrong-password').expect(429);

      // When the lockout has passed (simulated), the right password works again.
      await dataSource.getRepository(UserEntity).update({ username: 'locky' }, { lockedUntil: new Date(Date.now() - 1000) });
      await loginOk('locky', 'locky-password');
    });

    it('counts consecutive failures only: a success resets the counter', async () => {
      await users.create({ username: 'forgetful', password: 'forgetful-pw', role: 'OPERATOR' });
      for (let i = 0; i < OPTIONS.loginMaxFailures - 1; i++) await login('forgetful', 'nope-nope').expect(401);
      await loginOk('forgetful', 'forgetful-pw');
      for (let i = 0; i < OPTIONS.loginMaxFailures - 1; i++) await login('forgetful', 'nope-nope').expect(401);
      await loginOk('forgetful', 'forgetful-pw');
      const row = await dataSource.getRepository(UserEntity).findOneByOrFail({ username: 'forgetful' });
      expect(row.failedLogins).toBe(0);
      expect(row.lockedUntil).toBeNull();
    });

    it('counts concurrent failures exactly (row lock)', async () => {
      await users.create({ username: 'burst', password: 'burst-password', role: 'OPERATOR' });
      const results = await Promise.all(Array.from({ length: 6 }, () => login('burst', 'wrong-password')));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    });
  });

  describe('refresh', () => {
    it('rotates: the old token is used up, the new one works, in the same family', async () => {
      const first = await loginOk('admin', ADMIN_PASSWORD);
      const second = (await refresh(first.refreshToken).expect(200)).body as SessionTokens;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, role: 'ADMIN', zones: null });
      expect(tokens.verify(second.accessToken).sub).toBe('admin');
      const third = (await refresh(second.refreshToken).expect(200)).body as SessionTokens;
      const repo = dataSource.getRepository(RefreshTokenEntity);
      const [a, b, c] = await Promise.all(
        [first, second, third].map((t) => repo.findOneByOrFail({ tokenHash: hashToken(t.refreshToken) })),
      );
      expect(a!.usedAt).not.toBeNull();
      expect(b!.usedAt).not.toBeNull();
      expect(c!.usedAt).toBeNull();
      expect(new Set([a!.familyId, b!.familyId, c!.familyId]).size).toBe(1);
    });

    it('revokes the whole family when a used token is replayed', async () => {
      const first = await loginOk('admin', ADMIN_PASSWORD);
      const second = (await refresh(first.refreshToken).expect(200)).body as SessionTokens;
      const replay = await refresh(first.refreshToken).expect(401);
      expect(replay.body).toMatchObject({ error: 'refresh-token-reused' });
      // The newest token of the family is dead too.
      const newest = await refresh(second.refreshToken).expect(401);
      expect(newest.body).toMatchObject({ error: 'invalid-refresh-token' });
      const row = await dataSource.getRepository(RefreshTokenEntity).findOneByOrFail({ tokenHash: hashToken(first.refreshToken) });
      const family = await dataSource.getRepository(RefreshTokenEntity).findBy({ familyId: row.familyId });
      expect(family).toHaveLength(2);
      expect(family.every((t) => t.revokedAt !== null)).toBe(true);
      // Other logins (other families) are untouched.
      const other = await loginOk('admin', ADMIN_PASSWORD);
      await refresh(other.refreshToken).expect(200);
    });

    it('lets only one of several concurrent refreshes with the same token succeed', async () => {
      const session = await loginOk('admin', ADMIN_PASSWORD);
      const results = await Promise.all(Array.from({ length: 4 }, () => refresh(session.refreshToken)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401]);
    });

    it('refuses unknown, expired and malformed refresh tokens', async () => {
      const unknown = await refresh('x'.repeat(43)).expect(401);
      expect(unknown.body).toMatchObject({ error: 'invalid-refresh-token' });
      const session = await loginOk('admin', ADMIN_PASSWORD);
      await dataSource
        .getRepository(RefreshTokenEntity)
        .update({ tokenHash: hashToken(session.refreshToken) }, { expiresAt: new Date(Date.now() - 1000) });
      const expired = await refresh(session.refreshToken).expect(401);
      expect(expired.body).toMatchObject({ error: 'refresh-token-expired' });
      const missing = await http().post('/api/auth/refresh').send({}).expect(400);
      expect(JSON.stringify(missing.body)).toContain('refreshToken');
    });
  });

  describe('logout', () => {
    it('revokes the family (204) and is idempotent', async () => {
      const first = await loginOk('admin', ADMIN_PASSWORD);
      const second = (await refresh(first.refreshToken).expect(200)).body as SessionTokens;
      await http().post('/api/auth/logout').send({ refreshToken: second.refreshToken }).expect(204);
      await refresh(second.refreshToken).expect(401);
      await http().post('/api/auth/logout').send({ refreshToken: second.refreshToken }).expect(204);
      // Logging out with an older token of the family works the same.
      await http().post('/api/auth/logout').send({ refreshToken: first.refreshToken }).expect(204);
      await http().post('/api/auth/logout').send({}).expect(400);
    });
  });

  describe('device token', () => {
    beforeAll(async () => {
      const devices = dataSource.getRepository(DeviceCredentialEntity);
      const secretHash = await hasher.hash('gate-secret-1');
      // devices.zone_id references zones (control-service migration)
      await dataSource.query(`INSERT INTO zones (id, name, kind) VALUES ('P1', 'P1', 'CAR_PARK')`);
      await devices.insert([
        { id: 'gate-1', type: 'GATE', zoneId: 'P1', secretHash },
        { id: 'kiosk-1', type: 'DISPATCH_KIOSK', zoneId: null, secretHash },
        { id: 'gate-off', type: 'GATE', zoneId: 'P1', secretHash, disabled: true },
      ]);
    });

    it('exchanges id + secret for a DEVICE token with deviceType and zone', async () => {
      const res = await http().post('/api/auth/device-token').send({ deviceId: 'gate-1', secret: 'gate-secret-1' }).expect(200);
      expect(res.body).toEqual({ accessToken: expect.any(String) as string, tokenType: 'Bearer', expiresIn: 7200 });
      const principal = tokens.verify((res.body as { accessToken: string }).accessToken);
      expect(principal).toMatchObject({ sub: 'gate-1', role: 'DEVICE', deviceType: 'GATE', zones: ['P1'] });
      const kiosk = await http().post('/api/auth/device-token').send({ deviceId: 'kiosk-1', secret: 'gate-secret-1' }).expect(200);
      const kioskPrincipal = tokens.verify((kiosk.body as { accessToken: string }).accessToken);
      expect(kioskPrincipal).toMatchObject({ sub: 'kiosk-1', deviceType: 'DISPATCH_KIOSK' });
      expect(kioskPrincipal.zones).toBeUndefined();
    });

    it.each([
      ['wrong secret', { deviceId: 'gate-1', secret: 'wrong-secret' }],
      ['unknown device', { deviceId: 'gate-404', secret: 'gate-secret-1' }],
      ['disabled device', { deviceId: 'gate-off', secret: 'gate-secret-1' }],
    ])('refuses a %s with 401', async (_name, body) => {
      const res = await http().post('/api/auth/device-token').send(body).expect(401);
      expect(res.body).toMatchObject({ error: 'invalid-credentials' });
    });

    it('answers 400 for a missing secret', async () => {
      const res = await http().post('/api/auth/device-token').send({ deviceId: 'gate-1' }).expect(400);
      expect(JSON.stringify(res.body)).toContain('secret');
    });
  });

  describe('guards', () => {
    const get = (path: string, token?: string) => {
      const req = http().get(path);
      return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
    };

    it('rejects a missing or non-Bearer token with 401 unauthenticated', async () => {
      const none = await get('/api/probe/me').expect(401);
      expect(none.body).toMatchObject({ statusCode: 401, error: 'unauthenticated' });
      await http().get('/api/probe/me').set('Authorization', 'Basic YWRtaW46eA==').expect(401);
    });

    it('never takes the token from the URL', async () => {
      const token = tokens.sign({ sub: 'admin', role: 'ADMIN' }, 60);
      await http().get(`/api/probe/me?access_token=${token}`).expect(401);
      await http().get(`/api/probe/me?token=${token}`).expect(401);
    });

    it('rejects an expired token with 401 token-expired', async () => {
      const expired = jwtSign({ role: 'ADMIN', exp: Math.floor(Date.now() / 1000) - 5 }, SECRET, {
        subject: 'admin',
        issuer: 'landside',
        audience: 'landside',
      });
      const res = await get('/api/probe/me', expired).expect(401);
      expect(res.body).toMatchObject({ error: 'token-expired' });
    });

    it('rejects forged, wrong-audience, alg:none and role-less tokens with 401', async () => {
      const opts = { subject: 'admin', issuer: 'landside', expiresIn: 60 } as const;
      const forged = jwtSign({ role: 'ADMIN' }, 'some-other-secret-that-is-long-enough-00', { ...opts, audience: 'landside' });
      const wrongAud = jwtSign({ role: 'ADMIN' }, SECRET, { ...opts, audience: 'elsewhere' });
      const none = jwtSign({ role: 'ADMIN' }, '', { ...opts, audience: 'landside', algorithm: 'none' });
      const roleless = jwtSign({}, SECRET, { ...opts, audience: 'landside' });
      for (const token of [forged, wrongAud, none, roleless, 'garbage']) {
        const res = await get('/api/probe/me', token).expect(401);
        expect(res.body).toMatchObject({ error: 'unauthenticated' });
        expect(JSON.stringify(res.body)).not.toContain(token);
      }
    });

    it('passes a valid token and exposes the principal', async () => {
      const session = await loginOk('op-t1', 'operator-pass');
      const res = await get('/api/probe/me', session.accessToken).expect(200);
      expect(res.body).toMatchObject({ sub: 'op-t1', role: 'OPERATOR', zones: ['T1', 'T1-P2'] });
      await http().get('/api/probe/me').set('Authorization', `bearer ${session.accessToken}`).expect(200);
    });

    it('rejects a wrong role with 403 forbidden', async () => {
      const operator = (await loginOk('op-t1', 'operator-pass')).accessToken;
      const admin = (await loginOk('admin', ADMIN_PASSWORD)).accessToken;
      const device = tokens.sign({ sub: 'gate-1', role: 'DEVICE', deviceType: 'GATE' }, 60);
      await get('/api/probe/staff', operator).expect(200);
      await get('/api/probe/staff', admin).expect(200);
      const denied = await get('/api/probe/staff', device).expect(403);
      expect(denied.body).toMatchObject({ statusCode: 403, error: 'forbidden' });
      await get('/api/probe/admin', operator).expect(403);
      await get('/api/probe/admin', admin).expect(200);
      await get('/api/probe/admin').expect(401);
    });
  });

  describe('users and the first admin', () => {
    it('refuses a duplicate username (409) and a DEVICE password account (400)', async () => {
      await expect(users.create({ username: 'admin', password: 'another-pass', role: 'ADMIN' })).rejects.toMatchObject({ status: 409 });
      await expect(
        users.create({ username: 'dev', password: 'device-pass', role: 'DEVICE' as unknown as 'ADMIN' }),
      ).rejects.toMatchObject({ status: 400 });
      await expect(users.create({ username: 'short', password: 'short', role: 'OPERATOR' })).rejects.toMatchObject({ status: 400 });
    });

    it('does nothing when users exist', async () => {
      await expect(app.get(AdminBootstrapService).ensureAdmin()).resolves.toBe(false);
    });

    it('creates the first admin with a generated password, logged once', async () => {
      await dataSource.query('DELETE FROM users');
      expect(await dataSource.getRepository(RefreshTokenEntity).count()).toBe(0); // cascade
      const logged: string[] = [];
      const spy = jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => {
        logged.push(String(message));
      });
      try {
        const bootstrap = new AdminBootstrapService({ ...OPTIONS, admin: { username: 'root' } }, dataSource, users);
        await expect(bootstrap.ensureAdmin()).resolves.toBe(true);
        await expect(bootstrap.ensureAdmin()).resolves.toBe(false);
      } finally {
        spy.mockRestore();
      }
      const lines = logged.filter((m) => m.startsWith('Admin login: '));
      expect(lines).toHaveLength(1);
      const match = /^Admin login: root \/ (\S+)$/.exec(lines[0]!);
      expect(match).not.toBeNull();
      const body = await loginOk('root', match![1]!);
      expect(body.role).toBe('ADMIN');
    });
  });
});
