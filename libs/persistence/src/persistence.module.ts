/**
 * Thin Nest adapter over openDatabase + TypeORM: opens the database (embedded or PostgreSQL),
 * initializes the default DataSource with migrations run on start, and on app shutdown destroys
 * the DataSource and then stops the embedded database, so app.close() releases every handle.
 * Domain libs register their entities with TypeOrmModule.forFeature([...]) (autoLoadEntities).
 */
import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { landsideDataSourceOptions } from './data-source-options';
import { openDatabase, type DatabaseHandle } from './open-database';

/** Injection token of the DatabaseHandle (e.g. to tell whether the database is embedded). */
export const DATABASE_HANDLE = Symbol('DATABASE_HANDLE');

export interface PersistenceModuleOptions {
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly logger?: (msg: string) => void;
}

/** Holds the DatabaseHandle provider so both TypeORM and PersistenceModule can depend on it. */
@Module({})
class DatabaseHandleModule {}

@Module({})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE_HANDLE) private readonly handle: DatabaseHandle,
    private readonly dataSource: DataSource,
  ) {}

  static forRoot(opts: PersistenceModuleOptions): DynamicModule {
    const handleModule: DynamicModule = {
      module: DatabaseHandleModule,
      providers: [{ provide: DATABASE_HANDLE, useFactory: () => openDatabase(opts) }],
      exports: [DATABASE_HANDLE],
    };
    // The handle opened for this module, so a failed start (e.g. a bad migration) can close an
    // embedded database instead of leaving its server running (embedded never retries).
    let opened: DatabaseHandle | undefined;
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        handleModule,
        TypeOrmModule.forRootAsync({
          imports: [handleModule],
          inject: [DATABASE_HANDLE],
          useFactory: (handle: DatabaseHandle) => {
            opened = handle;
            return {
              ...landsideDataSourceOptions(handle.connection),
              autoLoadEntities: true,
              migrationsRun: true,
              // embedded: nothing to wait for, fail at once; PostgreSQL may still be starting
              retryAttempts: handle.embedded ? 0 : 5,
              retryDelay: 2000,
            };
          },
          dataSourceFactory: async (options?: DataSourceOptions) => {
            if (options === undefined) throw new Error('PersistenceModule: missing DataSource options');
            try {
              return await new DataSource(options).initialize();
            } catch (e) {
              if (opened?.embedded === true) await opened.close();
              throw e;
            }
          },
        }),
      ],
      exports: [handleModule],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
    } finally {
      await this.handle.close();
    }
  }
}
