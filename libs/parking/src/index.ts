/** Public API of @landside/parking: the module (adapter around the pure domain) and the domain itself. */
export { ParkingModule } from './parking.module';
export { ParkingService, PARKING_PRINCIPAL, OCCUPANCY_DESTINATION, occupancyEvent, type OccupancyEvent } from './parking.service';
export { PARKING_OPTIONS, type ParkingModuleOptions } from './parking.options';
export type { SessionView, ParkingExceptionView } from './http/parking-queries';
export type { ZoneOccupancyResponse, ZoneOccupancyView, VehicleLocationView } from './http/parking.views';
export * from './domain';
