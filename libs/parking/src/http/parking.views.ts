import type { CarLocation, ZoneKind, ZoneOccupancy } from '../domain';

/** A zone's counts as `GET /api/zones/{id}/occupancy` shows them. */
export interface ZoneOccupancyView {
  readonly zoneId: string;
  readonly zoneKind: ZoneKind;
  readonly total: number;
  readonly occupied: number;
  readonly free: number;
  /** Never reported, or the camera is down (or recovered and has not re-reported the bay). */
  readonly unknown: number;
  /** Free bays outside closed zones: what a sign offers drivers. */
  readonly available: number;
  readonly closed: boolean;
}

/** `GET /api/zones/{id}/occupancy`: the zone (its own bays and everything below it) and its child levels. */
export interface ZoneOccupancyResponse extends ZoneOccupancyView {
  readonly levels: ZoneOccupancyView[];
}

/** `GET /api/parking/vehicles/{plate}` (SPEC §5b find-my-car). */
export interface VehicleLocationView {
  /** Normalized. */
  readonly plate: string;
  readonly bayId: string;
  /** The nearest LEVEL at or above the bay's zone; null in a car park without levels. */
  readonly levelId: string | null;
  /** The bay's own zone (a LEVEL, or a CAR_PARK without levels). */
  readonly zoneId: string;
  readonly carParkId: string | null;
  /** First read of this plate in this bay. */
  readonly since: string;
  /** The bay's camera is down (or has not re-reported it since): this is the last known place. */
  readonly stale: boolean;
}

export function toZoneOccupancyView(z: ZoneOccupancy): ZoneOccupancyView {
  return {
    zoneId: z.zoneId,
    zoneKind: z.zoneKind,
    total: z.total,
    occupied: z.occupied,
    free: z.free,
    unknown: z.unknown,
    available: z.available,
    closed: z.closed,
  };
}

export function toVehicleLocationView(l: CarLocation): VehicleLocationView {
  return {
    plate: l.plate,
    bayId: l.bayId,
    levelId: l.levelId ?? null,
    zoneId: l.zoneId,
    carParkId: l.carParkId ?? null,
    since: new Date(l.since).toISOString(),
    stale: l.stale,
  };
}
