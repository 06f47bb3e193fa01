import type { DynamicModule, Type } from '@nestjs/common';
import type { AppConfig } from '@landside/config';
import { CommandsModule, HealthModule, RegistryModule } from '@landside/devices';

/** The control service's modules (registry, health/alerts/failover, commands), configured. */
export function controlModules(config: AppConfig): Array<DynamicModule | Type<unknown>> {
  return [
    RegistryModule,
    HealthModule.forRoot({
      disconnectGraceS: config.devices.disconnectGraceS,
      escalateAfterS: config.devices.escalateAfterS,
      failbackStableS: config.devices.failbackStableS,
      lastSeenFlushS: 15,
    }),
    CommandsModule.forRoot({ resultTimeoutS: config.devices.commandResultTimeoutS }),
  ];
}
