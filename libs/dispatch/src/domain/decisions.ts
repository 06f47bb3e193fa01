import type { DispatchMode, NearTripClaim, NoShowSide, StandConfig, VehicleClass } from './types';

/**
 * What the stand decided in answer to one input, in order. The adapter persists them, pushes them
 * (driver, kiosk, `/topic/dispatch/{zoneId}`) and never re-derives them. Every one carries `at`.
 */
export type DispatchDecision =
  | TaxiQueued
  | TaxiAwaitingRegion
  | TaxiRefused
  | ClaimRefused
  | ReadIgnored
  | TaxiLeft
  | TaxiRequeued
  | RegionSelected
  | Called
  | TaxiAtCurb
  | TicketIssued
  | TicketCancelled
  | PassengerRequeued
  | Matched
  | Released
  | Completed
  | TripEnded
  | ClaimIssued
  | ModeChanged
  | ConfigChanged;

export type DecisionType = DispatchDecision['type'];

/** A taxi joined the lot queue of (queue, class); `priority`: it presented a valid near-trip claim. */
export interface TaxiQueued {
  readonly type: 'TAXI_QUEUED';
  readonly plate: string;
  readonly queue: string;
  readonly vehicleClass: VehicleClass;
  readonly priority: boolean;
  readonly at: number;
}

/** DRIVER_SELECTED: the taxi is in the lot but in no queue until its driver chooses a region. */
export interface TaxiAwaitingRegion {
  readonly type: 'TAXI_AWAITING_REGION';
  readonly plate: string;
  readonly vehicleClass: VehicleClass;
  readonly at: number;
}

export type TaxiRefusalReason = 'UNKNOWN_TAXI' | 'BANNED' | 'REGION_NOT_SERVED';
/** A lot-entry read that does not let the taxi in. */
export interface TaxiRefused {
  readonly type: 'TAXI_REFUSED';
  readonly plate: string;
  readonly reason: TaxiRefusalReason;
  readonly at: number;
}

export type ClaimRefusalReason = 'FORGED' | 'REUSED' | 'EXPIRED' | 'SUPERSEDED';
/** A near-trip claim that gives no priority; the taxi still joins, at the back. */
export interface ClaimRefused {
  readonly type: 'CLAIM_REFUSED';
  readonly plate: string;
  readonly matchId: string;
  readonly reason: ClaimRefusalReason;
  readonly at: number;
}

export type LotLane = 'LOT_ENTRY' | 'LOT_EXIT';
export type ReadIgnoredReason = 'DUPLICATE' | 'ALREADY_PRESENT' | 'NOT_PRESENT' | 'EN_ROUTE';
/** A lot camera read that changes nothing (de-duplicated, or nothing to do). */
export interface ReadIgnored {
  readonly type: 'READ_IGNORED';
  readonly plate: string;
  readonly lane: LotLane;
  readonly reason: ReadIgnoredReason;
  readonly at: number;
}

export type TaxiLeftReason = 'LOT_EXIT' | 'BANNED';
export interface TaxiLeft {
  readonly type: 'TAXI_LEFT';
  readonly plate: string;
  readonly reason: TaxiLeftReason;
  readonly at: number;
}

export type RequeueReason = 'NO_SHOW' | 'PASSENGER_NO_SHOW' | 'REGION_CHANGED';
/** A taxi put back: to the BACK of its lot queue, or to the FRONT of its curb (re-matched first). */
export interface TaxiRequeued {
  readonly type: 'TAXI_REQUEUED';
  readonly plate: string;
  /** `null`: the taxi has no queue under the current mode (awaiting a region choice). */
  readonly queue: string | null;
  readonly vehicleClass: VehicleClass;
  readonly position: 'FRONT' | 'BACK';
  readonly reason: RequeueReason;
  readonly at: number;
}

/** A driver's region (DRIVER_SELECTED); `deemed`: set by a switch into DRIVER_SELECTED, from the licence. */
export interface RegionSelected {
  readonly type: 'REGION_SELECTED';
  readonly plate: string;
  readonly region: string;
  readonly deemed: boolean;
  readonly at: number;
}

/** The head of a lot queue is called up to the curb (to the driver and the stand topic). */
export interface Called {
  readonly type: 'CALLED';
  readonly plate: string;
  readonly queue: string;
  readonly vehicleClass: VehicleClass;
  readonly at: number;
}

export interface TaxiAtCurb {
  readonly type: 'TAXI_AT_CURB';
  readonly plate: string;
  /** Set when the taxi was already matched on its way. */
  readonly matchId?: string;
  readonly at: number;
}

export interface TicketIssued {
  readonly type: 'TICKET_ISSUED';
  readonly ticket: string;
  /** The destination's canonical name from the table. */
  readonly destination: string;
  readonly region: string;
  readonly near: boolean;
  /** `null`: no queue serves it under the current mode (cannot happen at issue; see README). */
  readonly queue: string | null;
  readonly vehicleClass: VehicleClass;
  readonly partySize: number;
  readonly at: number;
}

export interface TicketCancelled {
  readonly type: 'TICKET_CANCELLED';
  readonly ticket: string;
  readonly reason: 'NO_SHOW' | 'CANCELLED';
  readonly at: number;
}

/** The waiting side of a taxi no-show: back at the front of its passenger queue. */
export interface PassengerRequeued {
  readonly type: 'PASSENGER_REQUEUED';
  readonly ticket: string;
  readonly queue: string | null;
  readonly vehicleClass: VehicleClass;
  readonly position: 'FRONT';
  readonly at: number;
}

/**
 * A waiting taxi paired with a waiting passenger. `queue` is the passenger's queue; `taxiQueue` the
 * taxi's, equal to it except when a regular taxi serves a NEAR passenger (README, near queue).
 */
export interface Matched {
  readonly type: 'MATCHED';
  readonly matchId: string;
  readonly plate: string;
  readonly ticket: string;
  readonly queue: string;
  readonly taxiQueue: string;
  readonly vehicleClass: VehicleClass;
  readonly at: number;
}

/** A match undone by a no-show of `side`. */
export interface Released {
  readonly type: 'RELEASED';
  readonly matchId: string;
  readonly plate: string;
  readonly ticket: string;
  readonly side: NoShowSide;
  readonly at: number;
}

/** Both showed: the passenger is in the taxi, the trip starts; both leave the stand. */
export interface Completed {
  readonly type: 'COMPLETED';
  readonly matchId: string;
  readonly plate: string;
  readonly ticket: string;
  readonly at: number;
}

export interface TripEnded {
  readonly type: 'TRIP_ENDED';
  readonly matchId: string;
  readonly plate: string;
  readonly distanceKm: number;
  readonly short: boolean;
  readonly at: number;
}

/** A short trip earned a near-trip claim; give it to the driver (app), who presents it at lot entry. */
export interface ClaimIssued {
  readonly type: 'CLAIM_ISSUED';
  readonly claim: NearTripClaim;
  readonly at: number;
}

export interface ModeChanged {
  readonly type: 'MODE_CHANGED';
  readonly from: DispatchMode;
  readonly to: DispatchMode;
  readonly at: number;
}

export interface ConfigChanged {
  readonly type: 'CONFIG_CHANGED';
  readonly config: StandConfig;
  readonly at: number;
}
