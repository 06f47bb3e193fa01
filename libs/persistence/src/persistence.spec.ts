/**
 * The persistence layer over both database kinds: PGlite always, PostgreSQL when
 * TEST_DATABASE_URL (or DATABASE_URL) is set. Run both:
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx jest libs/persistence
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Injectable } from '@nestjs/common';
import { liveEmbeddedServers } from './embedded-worker';
import { Client } from 'pg';
import { Column, DataSource, Entity, PrimaryColumn, Repository, type MigrationInterface, type QueryRunner } from 'typeorm';
import {
  claimBusInput,
  DATABASE_HANDLE,
  type DatabaseHandle,
  landsideDataSourceOptions,
  MIGRATIONS,
  MIGRATIONS_TABLE,
  openDatabase,
  openTestDatabase,
  PersistenceModule,
  pruneBusInputClaims,
  readMeta,
  type TestDatabase,
  testDatabaseKinds,
  testDatabaseUrl,
  writeMeta,
  writeMetaIfAbsent,
} from './index';

@Entity('app_meta')
class AppMetaRow {
  @PrimaryColumn('text') key!: string;
  @Column('text') value!: string;
}

@Injectable()
class MetaStore {
  constructor(@InjectRepository(AppMetaRow) readonly repo: Repository<AppMetaRow>) {}
}

async function tableExists(ds: DataSource, table: string): Promise<boolean> {
  const rows: Array<{ t: string | null }> = await ds.query('SELECT to_regclass($1)::text AS t', [table]);
  return rows[0]?.t !== null && rows[0]?.t !== undefined;
}

async function count(ds: DataSource, sql: string): Promise<number> {
  const rows: Array<{ n: string }> = await ds.query(sql);
  return Number(rows[0]!.n);
}

describe.each(testDatabaseKinds())('persistence on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase({ kind, entities: [AppMetaRow] });
  });
  afterAll(() => db.close());
  beforeEach(() => db.dataSource.query('DELETE FROM app_meta'));

  it('applies the migrations, and re-running them is a no-op', async () => {
    const ds = db.dataSource;
    expect(db.kind).toBe(kind);
    expect(await tableExists(ds, 'app_meta')).toBe(true);
    expect(await count(ds, `SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`)).toBe(MIGRATIONS.length);
    expect(await ds.showMigrations()).toBe(false);
    expect(await ds.runMigrations({ transaction: 'each' })).toEqual([]);
    expect(await count(ds, `SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`)).toBe(MIGRATIONS.length);
  });

  it('runs every migration down and up again', async () => {
    const ds = db.dataSource;
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tableExists(ds, 'app_meta')).toBe(false);
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((M) => new M().name));
    expect(await tableExists(ds, 'app_meta')).toBe(true);
  });

  it('bus input claims: the first claim of a key wins, concurrent or not; pruning drops only old keys', async () => {
    const ds = db.dataSource;
    const wins = await Promise.all(Array.from({ length: 5 }, () => claimBusInput(ds, 'test.channel', 'id-1')));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await claimBusInput(ds, 'test.channel', 'id-1')).toBe(false);
    expect(await claimBusInput(ds, 'other.channel', 'id-1')).toBe(true);
    await ds.query(`UPDATE bus_input_claims SET claimed_at = now() - interval '2 hours' WHERE key = 'test.channel:id-1'`);
    await pruneBusInputClaims(ds, 3_600_000);
    const keys: Array<{ key: string }> = await ds.query(`SELECT key FROM bus_input_claims WHERE key LIKE '%:id-1' ORDER BY key`);
    expect(keys).toEqual([{ key: 'other.channel:id-1' }]);
    expect(await claimBusInput(ds, 'test.channel', 'id-1')).toBe(true);
  });

  it('opens an empty database with migrations: false', async () => {
    const empty = await openTestDatabase({ kind, migrations: false });
    try {
      expect(await tableExists(empty.dataSource, 'app_meta')).toBe(false);
      expect(await empty.dataSource.runMigrations()).toHaveLength(MIGRATIONS.length);
      expect(await tableExists(empty.dataSource, 'app_meta')).toBe(true);
    } finally {
      await empty.close();
    }
  });

  it('leaves no row behind when a transaction throws', async () => {
    const ds = db.dataSource;
    await expect(
      ds.transaction(async (m) => {
        await writeMeta(m, 'half', 'written');
        expect(await readMeta(m, 'half')).toBe('written');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await readMeta(ds, 'half')).toBeUndefined();
    expect(await count(ds, 'SELECT count(*) AS n FROM app_meta')).toBe(0);
  });

  it('never shows a query outside a transaction what the transaction has not committed', async () => {
    const ds = db.dataSource;
    let outside: Promise<string | undefined> | undefined;
    await expect(
      ds.transaction(async (m) => {
        await writeMeta(m, 'pending', 'x');
        // not awaited here: on PGlite it waits for the one connection this transaction holds
        outside = readMeta(ds, 'pending');
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await outside).toBeUndefined();
  });

  it('counts correctly under concurrent locking transactions', async () => {
    const ds = db.dataSource;
    await writeMeta(ds, 'counter', '0');
    await Promise.all(
      Array.from({ length: 20 }, () =>
        ds.transaction(async (m) => {
          const rows: Array<{ value: string }> = await m.query("SELECT value FROM app_meta WHERE key = 'counter' FOR UPDATE");
          await writeMeta(m, 'counter', String(Number(rows[0]!.value) + 1));
        }),
      ),
    );
    expect(await readMeta(ds, 'counter')).toBe('20');
  });

  it('app meta: read, overwrite, and claim-once under concurrency', async () => {
    const ds = db.dataSource;
    expect(await readMeta(ds, 'demo.seeded')).toBeUndefined();
    await writeMeta(ds, 'k', 'v1');
    await writeMeta(ds, 'k', 'v2');
    expect(await readMeta(ds, 'k')).toBe('v2');
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => writeMetaIfAbsent(ds, 'demo.seeded', `by-${i}`)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await readMeta(ds, 'demo.seeded')).toBe(`by-${claims.indexOf(true)}`);
  });

  it('PersistenceModule: boots, runs migrations, loads forFeature entities, and app.close() releases it', async () => {
    const target = kind === 'postgres' ? await openTestDatabase({ kind, migrations: false }) : undefined;
    let app: INestApplication | undefined;
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [PersistenceModule.forRoot({ databaseUrl: target?.databaseUrl, dataDir: ':memory:' }), TypeOrmModule.forFeature([AppMetaRow])],
        providers: [MetaStore],
      }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      const ds = app.get(DataSource);
      expect(app.get<DatabaseHandle>(DATABASE_HANDLE).embedded).toBe(kind === 'pglite');
      expect(await tableExists(ds, 'app_meta')).toBe(true);
      const store = app.get(MetaStore);
      await store.repo.save({ key: 'via-repo', value: 'ok' });
      expect(await readMeta(ds, 'via-repo')).toBe('ok');
      await app.close();
      app = undefined;
      expect(ds.isInitialized).toBe(false);
    } finally {
      await app?.close();
      await target?.close();
    }
  });
});

describe('embedded PGlite specifics', () => {
  it('serializes concurrent transactions on its single connection', async () => {
    const db = await openTestDatabase({ kind: 'pglite' });
    try {
      const ds = db.dataSource;
      const events: string[] = [];
      await writeMeta(ds, 'n', '0');
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          ds.transaction(async (m) => {
            events.push(`begin ${i}`);
            // read-modify-write without a lock: only correct because nothing interleaves
            const v = Number(await readMeta(m, 'n'));
            await m.query('SELECT pg_sleep(0.005)');
            await writeMeta(m, 'n', String(v + 1));
            events.push(`end ${i}`);
          }),
        ),
      );
      expect(await readMeta(ds, 'n')).toBe('10');
      for (let k = 0; k < events.length; k += 2) expect(events[k + 1]).toBe(events[k]!.replace('begin', 'end'));
    } finally {
      await db.close();
    }
  });

  describe('file-backed', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'landside-pg-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    async function connect(handle: DatabaseHandle): Promise<DataSource> {
      return new DataSource({ ...landsideDataSourceOptions(handle.connection), migrationsRun: true }).initialize();
    }

    it('keeps data across close and reopen', async () => {
      const first = await openDatabase({ dataDir: dir });
      expect(first.embedded).toBe(true);
      let ds = await connect(first);
      await writeMeta(ds, 'demo.seeded', '2025-11-23');
      await ds.destroy();
      await first.close();
      expect(existsSync(join(dir, 'pg', 'PG_VERSION'))).toBe(true);
      expect(existsSync(join(dir, 'pg.lock'))).toBe(false);

      const second = await openDatabase({ dataDir: dir });
      ds = await connect(second);
      try {
        expect(await readMeta(ds, 'demo.seeded')).toBe('2025-11-23');
        expect(await count(ds, `SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`)).toBe(MIGRATIONS.length);
      } finally {
        await ds.destroy();
        await second.close();
      }
    });

    it('refuses a data directory that is already open, and takes over a stale lock', async () => {
      const logs: string[] = [];
      const handle = await openDatabase({ dataDir: dir, logger: (m) => logs.push(m) });
      expect(logs.join('\n')).toMatch(/embedded PGlite in .*pg on 127\.0\.0\.1:\d+/);
      try {
        await expect(openDatabase({ dataDir: dir })).rejects.toThrow(/already open in this process/);
      } finally {
        await handle.close();
      }
      await writeFile(join(dir, 'pg.lock'), `${process.ppid}\n`);
      await expect(openDatabase({ dataDir: dir })).rejects.toThrow(`in use by process ${process.ppid}`);
      await writeFile(join(dir, 'pg.lock'), '2147483646\n');
      const again = await openDatabase({ dataDir: dir });
      await again.close();
    });
  });

  it('closes the embedded database when the app fails to start (bad migration)', async () => {
    class Broken1999999999999 implements MigrationInterface {
      readonly name = 'Broken1999999999999';
      async up(q: QueryRunner): Promise<void> {
        await q.query('SELECT * FROM no_such_table');
      }
      async down(): Promise<void> {
        await Promise.resolve();
      }
    }
    const before = liveEmbeddedServers();
    MIGRATIONS.push(Broken1999999999999);
    try {
      const moduleRef = Test.createTestingModule({ imports: [PersistenceModule.forRoot({ dataDir: ':memory:' })] });
      await expect(moduleRef.compile()).rejects.toThrow(/no_such_table/);
      expect(liveEmbeddedServers()).toBe(before);
    } finally {
      MIGRATIONS.pop();
    }
  });
});

const postgresIt = testDatabaseKinds().includes('postgres') ? it : it.skip;

describe('PostgreSQL test databases', () => {
  postgresIt('openTestDatabase creates a fresh database and drops it on close', async () => {
    const db = await openTestDatabase({ kind: 'postgres' });
    const name = new URL(db.databaseUrl!).pathname.slice(1);
    expect(name).toMatch(/^landside_t_[0-9a-f]{12}$/);
    const admin = new Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    try {
      const exists = async () => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
      expect(await exists()).toBe(true);
      await db.close();
      expect(db.dataSource.isInitialized).toBe(false);
      expect(await exists()).toBe(false);
      await db.close(); // idempotent
    } finally {
      await admin.end();
    }
  });
});

describe('testDatabaseKinds', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['CI', 'TEST_DATABASE_URL', 'DATABASE_URL']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('is PGlite alone without a URL, both with one, and refuses CI without PostgreSQL', () => {
    delete process.env['TEST_DATABASE_URL'];
    delete process.env['DATABASE_URL'];
    delete process.env['CI'];
    expect(testDatabaseKinds()).toEqual(['pglite']);
    process.env['CI'] = 'true';
    expect(() => testDatabaseKinds()).toThrow(/CI must run the database suites on PostgreSQL/);
    process.env['TEST_DATABASE_URL'] = 'postgres://postgres@127.0.0.1:5432/postgres';
    expect(testDatabaseKinds()).toEqual(['pglite', 'postgres']);
  });
});
