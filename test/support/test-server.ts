import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PasswordHasher, TokenService, type TokenClaims } from '@landside/auth';
import { loadConfig, type AppConfig } from '@landside/config';
import type { DeviceType, Role } from '@landside/contracts';
import { StompGateway } from '@landside/messaging';
import { openTestDatabase, testDatabaseKinds, type TestDatabase, type TestDatabaseKind } from '@landside/persistence';
import { startApp } from '@landside/runtime';
import { LandsideModule } from '../../apps/landside/src/landside.module';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_ADMIN_PASSWORD = 'admin-password-for-tests';

/**
 * A real Landside process for end-to-end tests: listening on ephemeral ports on 127.0.0.1, on a
 * fresh database of the requested kind (a new PostgreSQL database per server when
 * TEST_DATABASE_URL is set, in-memory PGlite otherwise), with helpers to mint tokens and devices.
 * A `postgres` server given `env.DATABASE_URL` (e.g. another server's `config.databaseUrl`) joins
 * that database instead of making one; with a shared `REDIS_URL` the two are nodes of one cluster.
 */
export interface TestServer {
  readonly app: INestApplication;
  readonly config: AppConfig;
  readonly kind: TestDatabaseKind;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly sockjsUrl: string;
  readonly tcpPort: number;
  readonly gateway: StompGateway;
  token(claims: Partial<TokenClaims> & { sub: string; role: Role }, ttlS?: number): string;
  deviceToken(deviceId: string, deviceType?: DeviceType, ttlS?: number): string;
  createDevice(id: string, type: DeviceType, secret: string, zoneId?: string): Promise<void>;
  close(): Promise<void>;
  /** Stops this process and starts a new one on the same database (same ports are not kept). */
  restart(env?: Record<string, string>): Promise<TestServer>;
}

interface Storage {
  readonly database?: TestDatabase;
  readonly dataDir: string;
  drop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

export function databaseKindForE2e(): TestDatabaseKind {
  const kinds = testDatabaseKinds();
  return kinds.includes('postgres') ? 'postgres' : 'pglite';
}

export async function startTestServer(
  env: Record<string, string> = {},
  kind = databaseKindForE2e(),
  opts: { persistent?: boolean } = {},
): Promise<TestServer> {
  let storage: Storage;
  if (kind === 'postgres' && env['DATABASE_URL']) {
    // another server's database (several nodes on one database): used as is, dropped by its owner
    storage = { dataDir: ':memory:', drop: () => Promise.resolve() };
  } else if (kind === 'postgres') {
    const database = await openTestDatabase({ kind: 'postgres' });
    await database.dataSource.destroy();
    storage = { database, dataDir: ':memory:', drop: () => database.close() };
  } else if (opts.persistent) {
    const dir = await mkdtemp(join(tmpdir(), 'landside-e2e-'));
    storage = { dataDir: dir, drop: () => rm(dir, { recursive: true, force: true }) };
  } else {
    storage = { dataDir: ':memory:', drop: () => Promise.resolve() };
  }
  return launch(env, kind, storage);
}

async function launch(env: Record<string, string>, kind: TestDatabaseKind, storage: Storage): Promise<TestServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    // 0 would disable TCP (SPEC §2): take a free ephemeral port instead
    STOMP_TCP_PORT: String(await freePort()),
    DATA_DIR: storage.dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
    DEMO: '0',
    ALLOWED_ORIGINS: 'http://localhost:3000',
    ...(storage.database?.databaseUrl ? { DATABASE_URL: storage.database.databaseUrl } : {}),
    ...env,
  });
  const running = await startApp(LandsideModule.forRoot(config), config);
  const app = running.app;
  const tokens = app.get(TokenService);
  const hasher = app.get(PasswordHasher);
  const dataSource = app.get(DataSource);
  const base = `127.0.0.1:${running.httpPort}`;
  return {
    app,
    config,
    kind,
    httpUrl: `http://${base}`,
    wsUrl: `ws://${base}/stomp`,
    sockjsUrl: `http://${base}/sockjs`,
    tcpPort: running.tcpPort!,
    gateway: app.get(StompGateway),
    token: (claims, ttlS = 300) => tokens.sign(claims, ttlS),
    deviceToken: (deviceId, deviceType = 'GATE', ttlS = 300) => tokens.sign({ sub: deviceId, role: 'DEVICE', deviceType }, ttlS),
    createDevice: async (id, type, secret, zoneId) => {
      await dataSource.query('INSERT INTO devices (id, type, name, zone_id, secret_hash) VALUES ($1, $2, $3, $4, $5)', [
        id,
        type,
        id,
        zoneId ?? null,
        await hasher.hash(secret),
      ]);
    },
    close: async () => {
      await running.close();
      await storage.drop();
    },
    restart: async (more = {}) => {
      await running.close();
      return launch({ ...env, ...more }, kind, storage);
    },
  };
}
