import type { LotLane } from './decisions';
import type { StandConfig, VehicleClass } from './types';

/**
 * The whole state of a stand as plain data: JSON-safe, what the adapter persists (one row per
 * record) and rebuilds a {@link Stand} from. Queue keys are not stored: they are derived from each
 * record and the configuration, which is what lets a mode switch keep everyone's place.
 */
export interface StandState {
  readonly version: 1;
  readonly config: StandConfig;
  readonly taxis: readonly TaxiRecord[];
  readonly passengers: readonly PassengerRecord[];
  readonly matches: readonly MatchRecord[];
  readonly claims: readonly ClaimRecord[];
  readonly choices: readonly RegionChoice[];
  readonly reads: readonly ReadRecord[];
  readonly counters: Counters;
  readonly waits: readonly WaitSample[];
  readonly matchTimes: readonly number[];
}

/**
 * Where a taxi at the stand is: in the lot (`LOT`), called and on its way (`CALLED`), at the curb
 * (`CURB`), or in an active match (`MATCHED`). CALLED and CURB taxis are "at the curb" for the
 * call-up count and can be matched.
 */
export type TaxiStage = 'LOT' | 'CALLED' | 'CURB' | 'MATCHED';

export interface TaxiRecord {
  readonly plate: string;
  readonly licenceRegion: string;
  readonly vehicleClass: VehicleClass;
  stage: TaxiStage;
  readonly enteredAt: number;
  /** Place in the lot: smaller is earlier. Kept across mode switches; new (last) after a no-show. */
  place: number;
  /** Entered with a valid near-trip claim: ahead of every non-priority taxi of its queue (or in NEAR). */
  priority: boolean;
  /** Released by a passenger no-show: re-matched before any other curb taxi (smaller first). */
  front?: number;
  /** Call order (smaller first) while CALLED or CURB or MATCHED. */
  callOrder?: number;
  calledAt?: number;
  /** Arrival order at the curb (smaller first), once arrived. */
  arrivalOrder?: number;
  matchId?: string;
}

export type PassengerStage = 'WAITING' | 'MATCHED';

export interface PassengerRecord {
  readonly ticket: string;
  readonly destination: string;
  readonly region: string;
  readonly near: boolean;
  readonly vehicleClass: VehicleClass;
  readonly partySize: number;
  readonly requestedAt: number;
  stage: PassengerStage;
  /** Ticket order, smaller first. */
  readonly place: number;
  /** Released by a taxi no-show: ahead of every other waiting passenger of its queue (smaller first). */
  front?: number;
  /** Taxis that did not show for this passenger: never matched with them again. */
  avoid?: string[];
  matchId?: string;
}

/** ACTIVE until `pickup` (COMPLETED) or `noShow` (RELEASED). */
export type MatchStatus = 'ACTIVE' | 'COMPLETED' | 'RELEASED';

export interface MatchRecord {
  readonly matchId: string;
  readonly plate: string;
  readonly ticket: string;
  readonly queue: string;
  readonly taxiQueue: string;
  readonly vehicleClass: VehicleClass;
  readonly requestedAt: number;
  readonly matchedAt: number;
  status: MatchStatus;
  /** The taxi was at the curb (arrived) — then a no-show can only be the passenger's. */
  taxiArrived: boolean;
  endedAt?: number;
  releasedSide?: 'TAXI' | 'PASSENGER';
  /** Set by `completeTrip`. */
  tripEndedAt?: number;
  distanceKm?: number;
}

export type ClaimStatus = 'ISSUED' | 'USED' | 'SUPERSEDED';

export interface ClaimRecord {
  readonly plate: string;
  readonly matchId: string;
  readonly issuedAt: number;
  status: ClaimStatus;
}

/** A driver's region for DRIVER_SELECTED, kept while the taxi is at the stand (and before it enters). */
export interface RegionChoice {
  readonly plate: string;
  readonly region: string;
  readonly deemed: boolean;
  readonly at: number;
}

/** The last accepted lot-camera read of a plate (de-duplication). */
export interface ReadRecord {
  readonly plate: string;
  readonly lane: LotLane;
  readonly at: number;
  /**
   * A LOT_ENTRY read refused on the registry's word (unknown or banned plate): a read within the
   * window is a duplicate only while the registry still says so (absent in older snapshots).
   */
  readonly refused?: RegistryRefusal;
}

/** The lot-entry refusals the taxi registry decides (SPEC §7: a banned plate is refused). */
export type RegistryRefusal = 'UNKNOWN_TAXI' | 'BANNED';

export interface Counters {
  place: number;
  front: number;
  call: number;
  arrival: number;
  match: number;
  /** Local day number of the ticket sequence, and the last number issued that day. */
  ticketDay: number;
  ticketNo: number;
}

/** A passenger's wait from ticket to the match that picked them up, sampled at that match. */
export interface WaitSample {
  readonly at: number;
  readonly waitMs: number;
}
