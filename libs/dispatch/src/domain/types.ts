/** Vocabulary of taxi dispatch (SPEC §7): modes, vehicle classes, stand configuration, defaults. */

export const DISPATCH_MODES = ['REGIONAL', 'DRIVER_SELECTED', 'SINGLE_QUEUE'] as const;
export type DispatchMode = (typeof DISPATCH_MODES)[number];

/** Classes are kept apart: a passenger asking for one class is only ever matched with a taxi of that class. */
export const VEHICLE_CLASSES = ['STANDARD', 'LARGE', 'PREMIUM', 'ACCESSIBLE'] as const;
export type VehicleClass = (typeof VEHICLE_CLASSES)[number];

/** The one queue of `SINGLE_QUEUE` mode. */
export const ALL_QUEUE = 'ALL';
/** The near-distance queue (stands with `nearQueue`): short-trip passengers, served by priority taxis. */
export const NEAR_QUEUE = 'NEAR';
/** Queue names a stand may not use as regions. */
export const RESERVED_QUEUES: readonly string[] = [ALL_QUEUE, NEAR_QUEUE];

/** SPEC §7 defaults. */
export const DEFAULT_PRIORITY_WINDOW_MIN = 90;
export const NO_SHOW_S = 180;
export const DEDUP_WINDOW_S = 60;
/** Ticket numbers restart at local midnight; Incheon is UTC+9 (KST). */
export const DEFAULT_UTC_OFFSET_MIN = 9 * 60;
export const DEFAULT_TICKET_PREFIX = 'A';
/** How long wait samples and match times are kept for the statistics. */
export const DEFAULT_STATS_RETENTION_MIN = 60;
/** How long finished matches and spent claims are kept (for late completeTrip, and REUSED rather than FORGED). */
export const DEFAULT_HISTORY_RETENTION_MIN = 24 * 60;
/** Largest party per class unless the stand options say otherwise. */
export const DEFAULT_MAX_PARTY_SIZE: Readonly<Record<VehicleClass, number>> = { STANDARD: 4, PREMIUM: 4, ACCESSIBLE: 4, LARGE: 8 };

/** A stand (a zone of kind TAXI_STAND) and how it dispatches; the fields of `/api/dispatch/stands`. */
export interface StandConfig {
  readonly zoneId: string;
  readonly mode: DispatchMode;
  /** Destination regions the stand serves, in display order (e.g. SEOUL, INCHEON, GYEONGGI). */
  readonly regions: readonly string[];
  /** Taxis kept at the curb (called or arrived, not yet matched) per (queue, class). At least 1. */
  readonly curbTarget: number;
  /** Run a separate NEAR queue for short-trip passengers. */
  readonly nearQueue: boolean;
  /** A short-trip claim gives priority if the taxi re-enters within this many minutes of the trip's end. */
  readonly priorityWindowMin: number;
  /** A trip of at most this distance is short and earns a claim; unset: no claims are issued. */
  readonly nearDistanceKm?: number;
}

/** What a caller supplies: `nearQueue` and `priorityWindowMin` default (false, 90). */
export type StandConfigInput = Omit<StandConfig, 'nearQueue' | 'priorityWindowMin'> & {
  readonly nearQueue?: boolean;
  readonly priorityWindowMin?: number;
};

/** A change of configuration (`PATCH /api/dispatch/stands`); `nearDistanceKm: null` removes it. */
export interface StandConfigPatch {
  readonly mode?: DispatchMode;
  readonly regions?: readonly string[];
  readonly curbTarget?: number;
  readonly nearQueue?: boolean;
  readonly priorityWindowMin?: number;
  readonly nearDistanceKm?: number | null;
}

/** A taxi as registered (`POST /api/dispatch/taxis`). */
export interface TaxiProfile {
  readonly plate: string;
  readonly licenceRegion: string;
  readonly vehicleClass: VehicleClass;
  readonly banned: boolean;
}

/** A passenger's request at the kiosk. */
export interface PassengerRequest {
  readonly destination: string;
  readonly partySize: number;
  readonly vehicleClass: VehicleClass;
}

/**
 * The token a taxi gets when its trip from the stand was short; presented at its next lot entry.
 * It is checked against the stand's own record (all three fields must match an unused claim).
 */
export interface NearTripClaim {
  readonly plate: string;
  readonly matchId: string;
  readonly issuedAt: number;
}

export type NoShowSide = 'TAXI' | 'PASSENGER';

/** Plates are compared without spaces and case: `12가 3456` and `12가3456` are one taxi. */
export function normalizePlate(plate: string): string {
  return plate.replace(/\s+/g, '').toUpperCase();
}

/** Region names are compared trimmed and upper-case. */
export function normalizeRegion(region: string): string {
  return region.trim().toUpperCase();
}

export function isVehicleClass(value: unknown): value is VehicleClass {
  return typeof value === 'string' && (VEHICLE_CLASSES as readonly string[]).includes(value);
}

export function isDispatchMode(value: unknown): value is DispatchMode {
  return typeof value === 'string' && (DISPATCH_MODES as readonly string[]).includes(value);
}
