/**
 * Test databases. Suites run over PGlite always and over a real PostgreSQL when one is given
 * (TEST_DATABASE_URL, else DATABASE_URL), so the embedded and production paths are both tested:
 *
 *   describe.each(testDatabaseKinds())('%s', (kind) => {
 *     let db: TestDatabase;
 *     beforeAll(async () => (db = await openTestDatabase({ kind, entities: [Device] })));
 *     afterAll(() => db.close());
 *   });
 *
 * PostgreSQL: each call creates a fresh database `landside_t_<hex>` and close() drops it.
 * PGlite: in memory; starting PGlite runs initdb (~2-3 s), so the first call per process snapshots
 * a migrated instance and later calls restore the snapshot (~0.7 s).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { landsideDataSourceOptions } from './data-source-options';
import { emptyDatabaseTemplate, startEmbedded } from './embedded-worker';
import { embeddedHandle, type DatabaseConnection } from './open-database';

export type TestDatabaseKind = 'pglite' | 'postgres';

export interface TestDatabase {
  readonly kind: TestDatabaseKind;
  /** PostgreSQL only: the URL of the fresh database (e.g. to start a Nest app against it). */
  readonly databaseUrl?: string;
  /** Initialized; migrations applied unless `migrations: false`. */
  readonly dataSource: DataSource;
  /** Destroys the DataSource and drops (PostgreSQL) or discards (PGlite) the database. */
  close(): Promise<void>;
}

export interface OpenTestDatabaseOptions {
  /** Default: 'postgres' when a test database URL is set, else 'pglite'. */
  readonly kind?: TestDatabaseKind;
  /** Run the migrations (default true). */
  readonly migrations?: boolean;
  readonly entities?: DataSourceOptions['entities'];
}

/** TEST_DATABASE_URL, else DATABASE_URL, else undefined (empty counts as unset). */
export function testDatabaseUrl(): string | undefined {
  const url = process.env['TEST_DATABASE_URL'] || process.env['DATABASE_URL'];
  return url === undefined || url === '' ? undefined : url;
}

/**
 * The database kinds a suite should run over: PGlite, plus PostgreSQL when a URL is set.
 * Throws under CI=true without one: CI must test PostgreSQL, not skip it silently.
 */
export function testDatabaseKinds(): TestDatabaseKind[] {
  const url = testDatabaseUrl();
  if (url === undefined && process.env['CI'] === 'true') {
    throw new Error('CI=true but neither TEST_DATABASE_URL nor DATABASE_URL is set: CI must run the database suites on PostgreSQL');
  }
  return url === undefined ? ['pglite'] : ['pglite', 'postgres'];
}

export async function openTestDatabase(opts: OpenTestDatabaseOptions = {}): Promise<TestDatabase> {
  const url = testDatabaseUrl();
  const kind = opts.kind ?? (url !== undefined ? 'postgres' : 'pglite');
  const migrations = opts.migrations ?? true;
  if (kind === 'pglite') return openPglite(migrations, opts.entities);
  if (url === undefined) throw new Error('openTestDatabase({ kind: "postgres" }) needs TEST_DATABASE_URL (or DATABASE_URL)');
  return openPostgres(url, migrations, opts.entities);
}

// --- PostgreSQL: a throwaway database per call ---------------------------------------------

async function openPostgres(serverUrl: string, migrations: boolean, entities: DataSourceOptions['entities']): Promise<TestDatabase> {
  const name = `landside_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const drop = () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);

  let dataSource: DataSource;
  try {
    dataSource = await initialize({ type: 'postgres', url: databaseUrl, extra: { max: 5 } }, migrations, entities);
  } catch (e) {
    await drop();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    kind: 'postgres',
    databaseUrl,
    dataSource,
    close: () => {
      closing ??= (async () => {
        try {
          if (dataSource.isInitialized) await dataSource.destroy();
        } finally {
          await drop();
        }
      })();
      return closing;
    },
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl, application_name: 'landside-tests' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// --- PGlite: restored from a per-process snapshot -------------------------------------------

let migrated: Promise<ArrayBuffer> | undefined;

/** The empty template, or (made once per process) the template with the migrations applied. */
function snapshot(migrations: boolean): Promise<ArrayBuffer> {
  if (!migrations) return emptyDatabaseTemplate();
  if (migrated === undefined) {
    const made = makeMigratedSnapshot();
    migrated = made;
    made.catch(() => {
      if (migrated === made) migrated = undefined;
    });
  }
  return migrated;
}

async function makeMigratedSnapshot(): Promise<ArrayBuffer> {
  const server = await startEmbedded({ load: await emptyDatabaseTemplate() });
  try {
    const ds = await initialize(embeddedHandle(server).connection, true, []);
    await ds.destroy();
    return await server.dump();
  } finally {
    await server.close();
  }
}

async function openPglite(migrations: boolean, entities: DataSourceOptions['entities']): Promise<TestDatabase> {
  const handle = embeddedHandle(await startEmbedded({ load: await snapshot(migrations) }));
  let dataSource: DataSource;
  try {
    // the snapshot already holds the migrations; running them again is a (checked) no-op
    dataSource = await initialize(handle.connection, migrations, entities);
  } catch (e) {
    await handle.close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    kind: 'pglite',
    dataSource,
    close: () => {
      closing ??= (async () => {
        try {
          if (dataSource.isInitialized) await dataSource.destroy();
        } finally {
          await handle.close();
        }
      })();
      return closing;
    },
  };
}

async function initialize(connection: DatabaseConnection, migrations: boolean, entities: DataSourceOptions['entities']): Promise<DataSource> {
  return new DataSource({ ...landsideDataSourceOptions(connection), entities: entities ?? [], migrationsRun: migrations }).initialize();
}
