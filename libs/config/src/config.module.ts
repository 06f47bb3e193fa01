/**
 * Thin Nest adapter: the app calls loadConfig() once in main.ts (so a bad environment fails before
 * Nest starts) and hands the result to ConfigModule.forRoot, which makes it injectable everywhere.
 */
import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from './config';

/** Injection token of the frozen AppConfig: `@Inject(APP_CONFIG) config: AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');

@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
