/** Public API of @landside/persistence: the database (PGlite embedded | PostgreSQL), migrations, test databases. */
export { openDatabase, MEMORY } from './open-database';
export type { DatabaseHandle, DatabaseConnection, OpenDatabaseOptions } from './open-database';
export { PersistenceModule, DATABASE_HANDLE } from './persistence.module';
export type { PersistenceModuleOptions } from './persistence.module';
export { MIGRATIONS } from './migrations';
export { landsideDataSourceOptions, MIGRATIONS_TABLE } from './data-source-options';
export { readMeta, writeMeta, writeMetaIfAbsent } from './app-meta';
export { openTestDatabase, testDatabaseKinds, testDatabaseUrl } from './testing';
export type { TestDatabase, TestDatabaseKind, OpenTestDatabaseOptions } from './testing';
export { recordAudit, type AuditEntry } from './audit-log';
export { claimBusInput, pruneBusInputClaims, busInputKey } from './bus-input-claims';
