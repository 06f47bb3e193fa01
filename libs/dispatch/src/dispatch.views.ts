/** What dispatch's REST endpoints and STOMP replies answer (JSON; times ISO-8601). */
import type { DispatchMode, NearTripClaim, NoShowSide, PassengerView, QueueLength, StandCounts, StandConfig, TaxiView, VehicleClass } from './domain';

export interface StandView {
  readonly zoneId: string;
  readonly mode: DispatchMode;
  readonly regions: readonly string[];
  readonly curbTarget: number;
  readonly nearQueue: boolean;
  readonly priorityWindowMin: number;
  readonly nearDistanceKm?: number;
  /** Bumped by every input applied to the stand. */
  readonly version: number;
  readonly updatedAt: string;
}

export function standView(config: StandConfig, version: number, updatedAt: number): StandView {
  return {
    zoneId: config.zoneId,
    mode: config.mode,
    regions: [...config.regions],
    curbTarget: config.curbTarget,
    nearQueue: config.nearQueue,
    priorityWindowMin: config.priorityWindowMin,
    ...(config.nearDistanceKm === undefined ? {} : { nearDistanceKm: config.nearDistanceKm }),
    version,
    updatedAt: new Date(updatedAt).toISOString(),
  };
}

export interface TaxiRegistrationView {
  readonly plate: string;
  readonly licenceRegion: string;
  readonly vehicleClass: VehicleClass;
  readonly banned: boolean;
  readonly bannedAt: string | null;
  readonly bannedBy: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TaxiBanView extends TaxiRegistrationView {
  /** Stands the ban was applied to (the taxi was there, or held a near-trip claim there). */
  readonly stands: readonly string[];
}

export interface TaxiUnbanView extends TaxiRegistrationView {
  /** False when the plate was not banned (the unban is idempotent). */
  readonly wasBanned: boolean;
}

export interface DestinationView {
  readonly name: string;
  readonly region: string;
  readonly near: boolean;
}

export interface DestinationsView {
  readonly count: number;
  readonly destinations: readonly DestinationView[];
}

/** A passenger's ticket (`POST /api/dispatch/requests`, and the kiosk's `/user/queue/replies`). */
export interface TicketView {
  readonly zoneId: string;
  readonly ticket: string;
  readonly destination: string;
  readonly region: string;
  readonly near: boolean;
  readonly queue: string | null;
  readonly vehicleClass: VehicleClass;
  readonly partySize: number;
  readonly stage: 'WAITING' | 'MATCHED';
  /** 1-based place in its queue while waiting. */
  readonly position?: number;
  readonly requestedAt: string;
  /** Set when a taxi was matched at once. */
  readonly match?: { readonly matchId: string; readonly plate: string };
}

/** `POST /api/dispatch/zones/{zoneId}/tickets/{ticket}/cancel`: the waiting passenger that gave up. */
export interface CancelledTicketView {
  readonly zoneId: string;
  readonly ticket: string;
  readonly destination: string;
  readonly region: string;
  readonly vehicleClass: VehicleClass;
  readonly partySize: number;
  /** The queue it waited in (null: unqueued under the stand's mode). */
  readonly queue: string | null;
  readonly stage: 'CANCELLED';
  readonly requestedAt: string;
  readonly cancelledAt: string;
}

export interface RegionView {
  readonly zoneId: string;
  readonly plate: string;
  readonly region: string;
  /** The taxi at the stand after the choice; absent when it has not entered the lot yet. */
  readonly taxi?: TaxiPlaceView;
}

export interface TaxiPlaceView {
  readonly plate: string;
  readonly vehicleClass: VehicleClass;
  readonly licenceRegion: string;
  readonly stage: string;
  readonly queue: string | null;
  readonly position?: number;
  readonly priority: boolean;
  readonly matchId?: string;
}

export function taxiPlaceView(t: TaxiView): TaxiPlaceView {
  return { ...t };
}

export interface PassengerPlaceView {
  readonly ticket: string;
  readonly destination: string;
  readonly region: string;
  readonly vehicleClass: VehicleClass;
  readonly partySize: number;
  readonly queue: string | null;
  readonly stage: 'WAITING' | 'MATCHED';
  readonly position?: number;
  readonly requestedAt: string;
  readonly matchId?: string;
}

export function passengerPlaceView(p: PassengerView): PassengerPlaceView {
  return { ...p, requestedAt: new Date(p.requestedAt).toISOString() };
}

export interface MatchView {
  readonly matchId: string;
  readonly zoneId: string;
  readonly plate: string;
  readonly ticket: string;
  readonly queue: string;
  readonly taxiQueue: string;
  readonly vehicleClass: VehicleClass;
  readonly status: 'ACTIVE' | 'COMPLETED' | 'RELEASED';
  readonly matchedAt: string;
  readonly endedAt?: string;
  readonly taxiArrived: boolean;
  readonly releasedSide?: NoShowSide;
}

export interface TripView {
  readonly matchId: string;
  readonly zoneId: string;
  readonly plate: string;
  readonly distanceKm: number;
  readonly short: boolean;
  /** The near-trip claim a short trip earns; presented automatically when the taxi re-enters this stand's lot. */
  readonly claim?: NearTripClaim;
}

/** `GET /api/dispatch/zones/{id}`: the stand's live figures (SPEC §7). */
export interface ZoneDispatchView {
  readonly zoneId: string;
  readonly mode: DispatchMode;
  readonly regions: readonly string[];
  readonly curbTarget: number;
  readonly nearQueue: boolean;
  readonly version: number;
  readonly at: string;
  /** Per (queue, class): taxis in the lot, at the curb (called or arrived, unmatched), passengers waiting. */
  readonly queues: readonly QueueLength[];
  readonly lot: number;
  readonly curb: number;
  readonly counts: StandCounts;
  /** Ticket -> match waits of passengers picked up in the last `windowMin`, seconds (null: none). */
  readonly waits: { readonly windowMin: number; readonly count: number; readonly p50S: number | null; readonly p95S: number | null };
  readonly matchesPerMinute: number;
  readonly matchesTotal: number;
  readonly noShows: { readonly TAXI: number; readonly PASSENGER: number };
  readonly taxis: readonly TaxiPlaceView[];
  readonly passengers: readonly PassengerPlaceView[];
  readonly activeMatches: readonly MatchView[];
}
