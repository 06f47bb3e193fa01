import { Module, type DynamicModule } from '@nestjs/common';
import { ParkingController, ZoneOccupancyController } from './http/parking.controller';
import { ParkingQueries } from './http/parking-queries';
import { ParkingMetrics } from './parking.metrics';
import { PARKING_OPTIONS, type ParkingModuleOptions } from './parking.options';
import { ParkingRepository } from './parking.repository';
import { ParkingService } from './parking.service';

/**
 * Parking (SPEC §5b): live occupancy, guidance signs, parking sessions and find-my-car, around the
 * pure domain in `./domain`. Needs the core modules (persistence, bus, auth, observability) and,
 * for sign updates to reach signs, the commands module listening on `command.requested`.
 * Import `ParkingModule` for the defaults or `ParkingModule.forRoot(options)`.
 */
@Module({
  controllers: [ZoneOccupancyController, ParkingController],
  providers: [ParkingRepository, ParkingQueries, ParkingMetrics, ParkingService],
  exports: [ParkingService],
})
export class ParkingModule {
  static forRoot(options: ParkingModuleOptions = {}): DynamicModule {
    return { module: ParkingModule, providers: [{ provide: PARKING_OPTIONS, useValue: options }] };
  }
}
