import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@landside/config';
import { DispatchModule } from '@landside/dispatch';
import { coreModules } from '@landside/runtime';

/**
 * The dispatch service alone: taxi stands, queues, matching, no-shows, its REST API and its own
 * STOMP endpoints (kiosks and drivers may connect to it directly). Any number of these run side by
 * side on one database: each stand's inputs are serialized by its row lock (libs/dispatch/README.md).
 */
@Module({})
export class DispatchAppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: DispatchAppModule, imports: [...coreModules(config), DispatchModule.forRoot({ noShowS: config.dispatch.noShowS })] };
  }
}
