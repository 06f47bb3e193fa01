import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@landside/config';
import { CommandsModule, HealthModule, RegistryModule } from '@landside/devices';
import { coreModules } from '@landside/runtime';

/** All-in-one (the embedded default): gateway + control + dispatch + dashboard in one process. */
@Module({})
export class LandsideModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LandsideModule,
      imports: [
        ...coreModules(config),
        RegistryModule,
        HealthModule.forRoot({
          disconnectGraceS: config.devices.disconnectGraceS,
          escalateAfterS: config.devices.escalateAfterS,
          failbackStableS: config.devices.failbackStableS,
          lastSeenFlushS: 15,
        }),
        CommandsModule.forRoot({ resultTimeoutS: config.devices.commandResultTimeoutS }),
      ],
    };
  }
}
