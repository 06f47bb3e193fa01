import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@landside/config';
import { controlModules, coreModules } from '@landside/runtime';

/**
 * The control service alone: registry, health and alerts, failover, commands, REST API — with
 * its own STOMP endpoints, since command delivery needs the device's session on the same node
 * (docs/architecture-notes.md).
 */
@Module({})
export class ControlModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ControlModule, imports: [...coreModules(config), ...controlModules(config)] };
  }
}
