/**
 * The TypeORM options shared by the Nest module and the test helper, so tests run the schema
 * exactly as the app does: migrations only (never synchronize), one transaction per migration,
 * no extension installation (PGlite has none; uuid defaults use the built-in gen_random_uuid()).
 */
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import type { DatabaseConnection } from './open-database';
import { MIGRATIONS } from './migrations';

export const MIGRATIONS_TABLE = 'typeorm_migrations';

export function landsideDataSourceOptions(connection: DatabaseConnection): PostgresConnectionOptions {
  return {
    ...connection,
    extra: { ...connection.extra },
    applicationName: 'landside',
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
  };
}
