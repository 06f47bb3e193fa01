import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@landside/config';
import { DispatchModule } from '@landside/dispatch';
import { ParkingModule } from '@landside/parking';
import { controlModules, coreModules } from '@landside/runtime';

/** All-in-one (the embedded default): gateway + control + dispatch + dashboard in one process. */
@Module({})
export class LandsideModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LandsideModule,
      imports: [...coreModules(config), ...controlModules(config), ParkingModule, DispatchModule.forRoot({ noShowS: config.dispatch.noShowS })],
    };
  }
}
