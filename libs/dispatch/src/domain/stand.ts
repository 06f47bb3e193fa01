import { applyPatch, sameConfig, validateConfig } from './config';
import type { ClaimRefusalReason, DispatchDecision, LotLane, TaxiRefusalReason } from './decisions';
import type { DestinationDirectory } from './destinations';
import { DispatchError } from './errors';
import type { ClaimRecord, Counters, MatchRecord, PassengerRecord, ReadRecord, RegionChoice, RegistryRefusal, StandState, TaxiRecord, TaxiStage, WaitSample } from './state';
import { matchesPerMinute, waitStats, type WaitStats } from './stats';
import type { TaxiDirectory } from './taxi-directory';
import {
  ALL_QUEUE,
  DEDUP_WINDOW_S,
  DEFAULT_HISTORY_RETENTION_MIN,
  DEFAULT_MAX_PARTY_SIZE,
  DEFAULT_STATS_RETENTION_MIN,
  DEFAULT_TICKET_PREFIX,
  DEFAULT_UTC_OFFSET_MIN,
  NEAR_QUEUE,
  NO_SHOW_S,
  VEHICLE_CLASSES,
  isVehicleClass,
  normalizePlate,
  normalizeRegion,
  type DispatchMode,
  type NearTripClaim,
  type NoShowSide,
  type PassengerRequest,
  type StandConfig,
  type StandConfigInput,
  type StandConfigPatch,
  type VehicleClass,
} from './types';

/** Where the stand looks up what it does not own: registered taxis, the destination table. */
export interface StandDeps {
  readonly taxis: TaxiDirectory;
  readonly destinations: DestinationDirectory;
}

export interface StandOptions {
  /** `NO_SHOW_S`: a matched side that has not shown after this long may be declared a no-show. */
  readonly noShowS?: number;
  /** Lot-camera reads of a plate at the same lane within this window are ignored. */
  readonly dedupWindowS?: number;
  /** Local time for the daily ticket sequence (default UTC+9). */
  readonly utcOffsetMin?: number;
  readonly ticketPrefix?: string;
  readonly statsRetentionMin?: number;
  readonly historyRetentionMin?: number;
  readonly maxPartySize?: Partial<Record<VehicleClass, number>>;
  /** Match ids from the match counter; default `${zoneId}-M000001`. */
  readonly newMatchId?: (n: number) => string;
}

/** Per (queue, class): taxis waiting in the lot, taxis at the curb (called or arrived, unmatched), passengers waiting. */
export interface QueueLength {
  readonly queue: string;
  readonly vehicleClass: VehicleClass;
  readonly lot: number;
  readonly curb: number;
  readonly passengers: number;
}

export interface StandCounts {
  /** Taxis in the lot (queued or awaiting a region). */
  readonly lot: number;
  /** Taxis called or at the curb, not matched. */
  readonly curb: number;
  readonly matchedTaxis: number;
  /** Taxis in no queue under the current mode (DRIVER_SELECTED without a region). */
  readonly unqueuedTaxis: number;
  readonly waitingPassengers: number;
  /** Waiting passengers in no queue under the current mode (see README, mode switch). */
  readonly unqueuedPassengers: number;
  readonly activeMatches: number;
}

export interface TaxiView {
  readonly plate: string;
  readonly vehicleClass: VehicleClass;
  readonly licenceRegion: string;
  readonly stage: TaxiStage;
  readonly queue: string | null;
  /** 1-based: in the lot queue (LOT), in the curb order (CALLED, CURB); absent when matched or unqueued. */
  readonly position?: number;
  readonly priority: boolean;
  readonly matchId?: string;
}

export interface PassengerView {
  readonly ticket: string;
  readonly destination: string;
  readonly region: string;
  readonly vehicleClass: VehicleClass;
  readonly partySize: number;
  readonly queue: string | null;
  readonly stage: 'WAITING' | 'MATCHED';
  /** 1-based place among the waiting passengers of its queue; absent when matched or unqueued. */
  readonly position?: number;
  readonly requestedAt: number;
  readonly matchId?: string;
}

export interface DispatchStats {
  readonly at: number;
  readonly windowMin: number;
  readonly waits: WaitStats;
  readonly matchesPerMinute: number;
}

/** An active match whose no-show deadline has passed, and which side has not shown. */
export interface OverdueMatch {
  readonly matchId: string;
  readonly side: NoShowSide;
  readonly deadline: number;
}

interface Group {
  readonly queue: string;
  readonly vehicleClass: VehicleClass;
  readonly lot: TaxiRecord[];
  readonly curb: TaxiRecord[];
  readonly waiting: PassengerRecord[];
}

const MIN = 60_000;
const DAY = 86_400_000;

/**
 * One taxi stand's dispatch (SPEC §7), as a deterministic state machine: every input takes the
 * time (epoch ms), changes the state, runs call-up and matching to a fixed point, and returns
 * what was decided, in order. No timers, no I/O. The rules and every choice made where SPEC is
 * silent are in README.md next to this file.
 */
export class Stand {
  private cfg: StandConfig;
  private readonly taxis = new Map<string, TaxiRecord>();
  private readonly passengers = new Map<string, PassengerRecord>();
  private readonly matches = new Map<string, MatchRecord>();
  private readonly claims = new Map<string, ClaimRecord>();
  private readonly choices = new Map<string, RegionChoice>();
  private readonly reads = new Map<string, ReadRecord>();
  private counters: Counters = { place: 0, front: 0, call: 0, arrival: 0, match: 0, ticketDay: -Infinity, ticketNo: 0 };
  private waits: WaitSample[] = [];
  private matchTimes: number[] = [];
  private readonly noShowMs: number;
  private readonly dedupMs: number;
  private readonly utcOffsetMs: number;
  private readonly ticketPrefix: string;
  private readonly statsRetentionMs: number;
  private readonly historyRetentionMs: number;
  private readonly maxParty: Readonly<Record<VehicleClass, number>>;
  private readonly newMatchId: (n: number) => string;

  /** @throws DispatchError `invalid` for a bad configuration. */
  constructor(
    config: StandConfigInput,
    private readonly deps: StandDeps,
    options: StandOptions = {},
  ) {
    this.cfg = validateConfig(config);
    this.noShowMs = (options.noShowS ?? NO_SHOW_S) * 1000;
    this.dedupMs = (options.dedupWindowS ?? DEDUP_WINDOW_S) * 1000;
    this.utcOffsetMs = (options.utcOffsetMin ?? DEFAULT_UTC_OFFSET_MIN) * MIN;
    this.ticketPrefix = options.ticketPrefix ?? DEFAULT_TICKET_PREFIX;
    this.statsRetentionMs = (options.statsRetentionMin ?? DEFAULT_STATS_RETENTION_MIN) * MIN;
    this.historyRetentionMs = (options.historyRetentionMin ?? DEFAULT_HISTORY_RETENTION_MIN) * MIN;
    this.maxParty = { ...DEFAULT_MAX_PARTY_SIZE, ...options.maxPartySize };
    const zoneId = this.cfg.zoneId;
    this.newMatchId = options.newMatchId ?? ((n) => `${zoneId}-M${String(n).padStart(6, '0')}`);
  }

  /** Rebuilds a stand from {@link snapshot} output (e.g. the adapter's rows after a restart). */
  static restore(state: StandState, deps: StandDeps, options: StandOptions = {}): Stand {
    if (state.version !== 1) throw new DispatchError('invalid', `unsupported stand state version ${String(state.version)}`);
    const stand = new Stand(state.config, deps, options);
    for (const t of state.taxis) stand.taxis.set(t.plate, { ...t });
    for (const p of state.passengers) stand.passengers.set(p.ticket, copyPassenger(p));
    for (const m of state.matches) stand.matches.set(m.matchId, { ...m });
    for (const c of state.claims) stand.claims.set(c.matchId, { ...c });
    for (const c of state.choices) stand.choices.set(c.plate, { ...c });
    for (const r of state.reads) stand.reads.set(r.plate, { ...r });
    stand.counters = { ...state.counters };
    stand.waits = state.waits.map((w) => ({ ...w }));
    stand.matchTimes = [...state.matchTimes];
    return stand;
  }

  get config(): StandConfig {
    return this.cfg;
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs

  /**
   * A TAXI_LOT_CAMERA read the plate at a LOT_ENTRY lane. Unknown and banned plates are refused;
   * a valid near-trip claim puts the taxi ahead of its queue (or into NEAR), an invalid one is
   * refused and the taxi joins at the back.
   */
  lotEntryRead(plateRead: string, at: number, claim?: NearTripClaim): DispatchDecision[] {
    const plate = requirePlate(plateRead);
    return this.run(at, (out) => {
      const profile = this.deps.taxis.taxi(plate);
      const refused: RegistryRefusal | undefined = profile === undefined ? 'UNKNOWN_TAXI' : profile.banned ? 'BANNED' : undefined;
      // A refused plate idling at the barrier is refused once per window; a read after the
      // registry changed its answer (registered, unbanned, banned) is news: it is judged afresh.
      if (this.duplicateRead(plate, 'LOT_ENTRY', at) && this.reads.get(plate)?.refused === refused) {
        out.push({ type: 'READ_IGNORED', plate, lane: 'LOT_ENTRY', reason: 'DUPLICATE', at });
        return;
      }
      this.reads.set(plate, { plate, lane: 'LOT_ENTRY', at, ...(refused === undefined ? {} : { refused }) });
      if (profile === undefined || profile.banned) {
        const reason: TaxiRefusalReason = profile === undefined ? 'UNKNOWN_TAXI' : 'BANNED';
        out.push({ type: 'TAXI_REFUSED', plate, reason, at });
        return;
      }
      if (this.taxis.has(plate)) {
        out.push({ type: 'READ_IGNORED', plate, lane: 'LOT_ENTRY', reason: 'ALREADY_PRESENT', at });
        return;
      }
      if (this.cfg.mode === 'REGIONAL' && !this.cfg.regions.includes(profile.licenceRegion)) {
        out.push({ type: 'TAXI_REFUSED', plate, reason: 'REGION_NOT_SERVED', at });
        return;
      }
      let priority = false;
      if (claim !== undefined) {
        const reason = this.claimRefusal(claim, plate, at);
        if (reason === undefined) {
          priority = true;
          this.claims.get(claim.matchId)!.status = 'USED';
        } else {
          out.push({ type: 'CLAIM_REFUSED', plate, matchId: String(claim.matchId), reason, at });
        }
      }
      const taxi: TaxiRecord = {
        plate,
        licenceRegion: profile.licenceRegion,
        vehicleClass: profile.vehicleClass,
        stage: 'LOT',
        enteredAt: at,
        place: ++this.counters.place,
        priority,
      };
      this.taxis.set(plate, taxi);
      const queue = this.taxiQueue(taxi);
      if (queue === null) out.push({ type: 'TAXI_AWAITING_REGION', plate, vehicleClass: taxi.vehicleClass, at });
      else out.push({ type: 'TAXI_QUEUED', plate, queue, vehicleClass: taxi.vehicleClass, priority, at });
    });
  }

  /** A read at a LOT_EXIT lane: a taxi in the lot (not called, not matched) leaves the queue. */
  lotExitRead(plateRead: string, at: number): DispatchDecision[] {
    const plate = requirePlate(plateRead);
    return this.run(at, (out) => {
      if (this.duplicateRead(plate, 'LOT_EXIT', at)) {
        out.push({ type: 'READ_IGNORED', plate, lane: 'LOT_EXIT', reason: 'DUPLICATE', at });
        return;
      }
      this.reads.set(plate, { plate, lane: 'LOT_EXIT', at });
      const taxi = this.taxis.get(plate);
      if (taxi === undefined) out.push({ type: 'READ_IGNORED', plate, lane: 'LOT_EXIT', reason: 'NOT_PRESENT', at });
      else if (taxi.stage !== 'LOT') out.push({ type: 'READ_IGNORED', plate, lane: 'LOT_EXIT', reason: 'EN_ROUTE', at });
      else {
        this.removeTaxi(plate);
        out.push({ type: 'TAXI_LEFT', plate, reason: 'LOT_EXIT', at });
      }
    });
  }

  /**
   * The driver's region (used in DRIVER_SELECTED; remembered in other modes). A taxi awaiting a
   * region joins at its lot-entry place; changing an earlier choice while in the lot moves it to
   * the back of the new queue; once called or matched it cannot change.
   * @throws DispatchError `unknown-region`, `unknown-taxi`, `banned`, `conflict`
   */
  selectRegion(plateIn: string, regionIn: string, at: number): DispatchDecision[] {
    const plate = requirePlate(plateIn);
    const region = normalizeRegion(regionIn);
    if (!this.cfg.regions.includes(region)) throw new DispatchError('unknown-region', `stand ${this.cfg.zoneId} does not serve region '${regionIn}'`, { region: regionIn });
    const profile = this.deps.taxis.taxi(plate);
    if (profile === undefined) throw new DispatchError('unknown-taxi', `unknown taxi '${plate}'`, { plate });
    if (profile.banned) throw new DispatchError('banned', `taxi '${plate}' is banned`, { plate });
    const taxi = this.taxis.get(plate);
    const previous = this.choices.get(plate);
    if (previous?.region === region) return this.run(at, () => undefined);
    if (taxi?.stage === 'MATCHED') throw new DispatchError('conflict', `taxi '${plate}' is matched`, { plate });
    const driverSelected = this.cfg.mode === 'DRIVER_SELECTED';
    if (taxi !== undefined && previous !== undefined && driverSelected && taxi.stage !== 'LOT') {
      throw new DispatchError('conflict', `taxi '${plate}' has been called; it cannot change region now`, { plate });
    }
    return this.run(at, (out) => {
      const before = taxi === undefined ? null : this.taxiQueue(taxi);
      this.choices.set(plate, { plate, region, deemed: false, at });
      out.push({ type: 'REGION_SELECTED', plate, region, deemed: false, at });
      if (taxi === undefined || !driverSelected || taxi.stage !== 'LOT') return;
      if (previous === undefined) {
        const queue = this.taxiQueue(taxi);
        if (before === null && queue !== null) out.push({ type: 'TAXI_QUEUED', plate, queue, vehicleClass: taxi.vehicleClass, priority: taxi.priority, at });
      } else {
        taxi.place = ++this.counters.place;
        taxi.priority = false;
        out.push({ type: 'TAXI_REQUEUED', plate, queue: this.taxiQueue(taxi), vehicleClass: taxi.vehicleClass, position: 'BACK', reason: 'REGION_CHANGED', at });
      }
    });
  }

  /**
   * A called taxi reached the curb (driver app or curb sensor). Arrived taxis are matched before
   * taxis still on their way. @throws DispatchError `not-found`, `conflict` (not called)
   */
  curbArrival(plateIn: string, at: number): DispatchDecision[] {
    const plate = requirePlate(plateIn);
    const taxi = this.taxis.get(plate);
    if (taxi === undefined) throw new DispatchError('not-found', `taxi '${plate}' is not at stand ${this.cfg.zoneId}`, { plate });
    if (taxi.stage === 'LOT') throw new DispatchError('conflict', `taxi '${plate}' has not been called`, { plate });
    if (taxi.arrivalOrder !== undefined) return this.run(at, () => undefined);
    return this.run(at, (out) => {
      taxi.arrivalOrder = ++this.counters.arrival;
      if (taxi.stage === 'CALLED') taxi.stage = 'CURB';
      const match = taxi.matchId === undefined ? undefined : this.matches.get(taxi.matchId);
      if (match !== undefined) match.taxiArrived = true;
      out.push(match === undefined ? { type: 'TAXI_AT_CURB', plate, at } : { type: 'TAXI_AT_CURB', plate, matchId: match.matchId, at });
    });
  }

  /**
   * A passenger's request at the kiosk: a ticket, and a place in the queue of (region of the
   * destination, class) — or ALL, or NEAR. @throws DispatchError `invalid`, `unknown-destination`, `region-not-served`
   */
  request(req: PassengerRequest, at: number): DispatchDecision[] {
    if (!isVehicleClass(req.vehicleClass)) throw new DispatchError('invalid', `unknown vehicle class '${String(req.vehicleClass)}'`, { fields: { vehicleClass: ['unknown vehicle class'] } });
    const max = this.maxParty[req.vehicleClass];
    if (!Number.isInteger(req.partySize) || req.partySize < 1 || req.partySize > max) {
      throw new DispatchError('invalid', `partySize must be 1..${max} for ${req.vehicleClass}`, { fields: { partySize: [`must be an integer from 1 to ${max}`] } });
    }
    if (typeof req.destination !== 'string') throw new DispatchError('invalid', 'destination is required', { fields: { destination: ['required'] } });
    const dest = this.deps.destinations.resolve(req.destination);
    if (this.cfg.mode !== 'SINGLE_QUEUE' && !this.cfg.regions.includes(dest.region)) {
      throw new DispatchError('region-not-served', `stand ${this.cfg.zoneId} does not serve ${dest.region} (${dest.destination})`, { destination: dest.destination, region: dest.region });
    }
    return this.run(at, (out) => {
      const ticket = this.nextTicket(at);
      const passenger: PassengerRecord = {
        ticket,
        destination: dest.destination,
        region: dest.region,
        near: dest.near,
        vehicleClass: req.vehicleClass,
        partySize: req.partySize,
        requestedAt: at,
        stage: 'WAITING',
        place: ++this.counters.place,
      };
      this.passengers.set(ticket, passenger);
      out.push({
        type: 'TICKET_ISSUED',
        ticket,
        destination: dest.destination,
        region: dest.region,
        near: dest.near,
        queue: this.passengerQueue(passenger),
        vehicleClass: passenger.vehicleClass,
        partySize: passenger.partySize,
        at,
      });
    });
  }

  /** A waiting passenger gives up (kiosk, operator). @throws DispatchError `not-found`, `conflict` (matched) */
  cancelTicket(ticket: string, at: number): DispatchDecision[] {
    const passenger = this.passengers.get(ticket);
    if (passenger === undefined) throw new DispatchError('not-found', `no waiting ticket '${ticket}'`, { ticket });
    if (passenger.stage !== 'WAITING') throw new DispatchError('conflict', `ticket '${ticket}' is matched`, { ticket, matchId: passenger.matchId });
    return this.run(at, (out) => {
      this.passengers.delete(ticket);
      out.push({ type: 'TICKET_CANCELLED', ticket, reason: 'CANCELLED', at });
    });
  }

  /** Both showed: the trip starts, taxi and passenger leave the stand. @throws DispatchError `not-found`, `conflict` */
  pickup(matchId: string, at: number): DispatchDecision[] {
    const match = this.activeMatch(matchId);
    return this.run(at, (out) => {
      match.status = 'COMPLETED';
      match.endedAt = at;
      match.taxiArrived = true;
      this.removeTaxi(match.plate);
      this.passengers.delete(match.ticket);
      this.supersedeClaims(match.plate);
      this.waits.push({ at: match.matchedAt, waitMs: match.matchedAt - match.requestedAt });
      out.push({ type: 'COMPLETED', matchId, plate: match.plate, ticket: match.ticket, at });
    });
  }

  /**
   * `side` did not show within NO_SHOW_S of the match. The match is released; the side that
   * waited goes to the front (re-matched first); a no-show taxi goes to the back of its lot queue,
   * a no-show passenger's ticket is cancelled. @throws DispatchError `not-found`, `conflict` (not active, too early), `invalid`
   */
  noShow(matchId: string, side: NoShowSide, at: number): DispatchDecision[] {
    if (side !== 'TAXI' && side !== 'PASSENGER') throw new DispatchError('invalid', `side must be TAXI or PASSENGER`, { fields: { side: ['must be TAXI or PASSENGER'] } });
    const match = this.activeMatch(matchId);
    const deadline = match.matchedAt + this.noShowMs;
    if (at < deadline) throw new DispatchError('conflict', `match ${matchId} is not overdue until ${new Date(deadline).toISOString()}`, { matchId, deadline });
    return this.run(at, (out) => {
      match.status = 'RELEASED';
      match.endedAt = at;
      match.releasedSide = side;
      out.push({ type: 'RELEASED', matchId, plate: match.plate, ticket: match.ticket, side, at });
      const taxi = this.taxis.get(match.plate)!;
      const passenger = this.passengers.get(match.ticket)!;
      taxi.matchId = undefined;
      passenger.matchId = undefined;
      if (side === 'TAXI') {
        taxi.stage = 'LOT';
        taxi.place = ++this.counters.place;
        taxi.priority = false;
        taxi.front = undefined;
        taxi.callOrder = undefined;
        taxi.calledAt = undefined;
        taxi.arrivalOrder = undefined;
        out.push({ type: 'TAXI_REQUEUED', plate: taxi.plate, queue: this.taxiQueue(taxi), vehicleClass: taxi.vehicleClass, position: 'BACK', reason: 'NO_SHOW', at });
        passenger.stage = 'WAITING';
        passenger.front = ++this.counters.front;
        passenger.avoid = [...(passenger.avoid ?? []), taxi.plate];
        out.push({ type: 'PASSENGER_REQUEUED', ticket: passenger.ticket, queue: this.passengerQueue(passenger), vehicleClass: passenger.vehicleClass, position: 'FRONT', at });
      } else {
        this.passengers.delete(passenger.ticket);
        out.push({ type: 'TICKET_CANCELLED', ticket: passenger.ticket, reason: 'NO_SHOW', at });
        taxi.stage = taxi.arrivalOrder === undefined ? 'CALLED' : 'CURB';
        taxi.front = ++this.counters.front;
        out.push({ type: 'TAXI_REQUEUED', plate: taxi.plate, queue: this.taxiQueue(taxi), vehicleClass: taxi.vehicleClass, position: 'FRONT', reason: 'PASSENGER_NO_SHOW', at });
      }
    });
  }

  /**
   * The trip of a completed match ended after `distanceKm`. A short trip (≤ nearDistanceKm) earns a
   * near-trip claim; any trip ends the taxi's earlier claims. @throws DispatchError `not-found`, `conflict`, `invalid`
   */
  completeTrip(matchId: string, distanceKm: number, at: number): DispatchDecision[] {
    if (typeof distanceKm !== 'number' || !Number.isFinite(distanceKm) || distanceKm < 0) {
      throw new DispatchError('invalid', 'distanceKm must be a finite number ≥ 0', { fields: { distanceKm: ['must be a finite number ≥ 0'] } });
    }
    const match = this.matches.get(matchId);
    if (match === undefined) throw new DispatchError('not-found', `unknown match '${matchId}'`, { matchId });
    if (match.status !== 'COMPLETED') throw new DispatchError('conflict', `match ${matchId} is ${match.status}, not COMPLETED`, { matchId });
    if (match.tripEndedAt !== undefined) throw new DispatchError('conflict', `the trip of match ${matchId} already ended`, { matchId });
    return this.run(at, (out) => {
      match.tripEndedAt = at;
      match.distanceKm = distanceKm;
      this.supersedeClaims(match.plate);
      const limit = this.cfg.nearDistanceKm;
      const short = limit !== undefined && distanceKm <= limit;
      out.push({ type: 'TRIP_ENDED', matchId, plate: match.plate, distanceKm, short, at });
      if (short) {
        const claim: NearTripClaim = { plate: match.plate, matchId, issuedAt: at };
        this.claims.set(matchId, { ...claim, status: 'ISSUED' });
        out.push({ type: 'CLAIM_ISSUED', claim, at });
      }
    });
  }

  /** An admin switches the mode; everyone keeps their place (README, mode switch). */
  setMode(mode: DispatchMode, at: number): DispatchDecision[] {
    return this.reconfigure({ mode }, at);
  }

  /**
   * Changes the stand's configuration; queues are re-derived, nobody's place changes.
   * @throws DispatchError `invalid`
   */
  reconfigure(patch: StandConfigPatch, at: number): DispatchDecision[] {
    const next = applyPatch(this.cfg, patch);
    if (sameConfig(next, this.cfg)) return this.run(at, () => undefined);
    return this.run(at, (out) => {
      const from = this.cfg.mode;
      this.cfg = next;
      if (from !== next.mode) {
        out.push({ type: 'MODE_CHANGED', from, to: next.mode, at });
        if (next.mode === 'DRIVER_SELECTED') {
          for (const taxi of this.sortedTaxis()) {
            if (this.choices.has(taxi.plate) || !next.regions.includes(taxi.licenceRegion)) continue;
            this.choices.set(taxi.plate, { plate: taxi.plate, region: taxi.licenceRegion, deemed: true, at });
            out.push({ type: 'REGION_SELECTED', plate: taxi.plate, region: taxi.licenceRegion, deemed: true, at });
          }
        }
      }
      out.push({ type: 'CONFIG_CHANGED', config: next, at });
    });
  }

  /** The registry banned a plate: a waiting (unmatched) taxi leaves; an active match runs its course. */
  taxiBanned(plateIn: string, at: number): DispatchDecision[] {
    const plate = requirePlate(plateIn);
    return this.run(at, (out) => {
      this.supersedeClaims(plate);
      const taxi = this.taxis.get(plate);
      if (taxi === undefined || taxi.stage === 'MATCHED') return;
      this.removeTaxi(plate);
      out.push({ type: 'TAXI_LEFT', plate, reason: 'BANNED', at });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Read models

  /** Every (queue, class) the stand runs now, in display order (NEAR, regions or ALL; by class). */
  queues(): QueueLength[] {
    return this.groups().map((g) => ({ queue: g.queue, vehicleClass: g.vehicleClass, lot: g.lot.length, curb: g.curb.length, passengers: g.waiting.length }));
  }

  counts(): StandCounts {
    let lot = 0;
    let curb = 0;
    let matchedTaxis = 0;
    let unqueuedTaxis = 0;
    for (const t of this.taxis.values()) {
      if (t.stage === 'LOT') lot++;
      else if (t.stage === 'MATCHED') matchedTaxis++;
      else curb++;
      if (t.stage !== 'MATCHED' && this.taxiQueue(t) === null) unqueuedTaxis++;
    }
    let waitingPassengers = 0;
    let unqueuedPassengers = 0;
    for (const p of this.passengers.values()) {
      if (p.stage !== 'WAITING') continue;
      waitingPassengers++;
      if (this.passengerQueue(p) === null) unqueuedPassengers++;
    }
    const activeMatches = [...this.matches.values()].filter((m) => m.status === 'ACTIVE').length;
    return { lot, curb, matchedTaxis, unqueuedTaxis, waitingPassengers, unqueuedPassengers, activeMatches };
  }

  lotCount(): number {
    return this.counts().lot;
  }

  curbCount(): number {
    return this.counts().curb;
  }

  /** Taxis at the stand: queue by queue in display order (curb order, then lot order); then matched, then unqueued. */
  taxiViews(): TaxiView[] {
    const groups = this.groups();
    const queued = groups.flatMap((g) => [...g.curb, ...g.lot]);
    const listed = new Set(queued);
    const rest = this.sortedTaxis().filter((t) => !listed.has(t));
    const matched = rest.filter((t) => t.stage === 'MATCHED');
    const unqueued = rest.filter((t) => t.stage !== 'MATCHED');
    return [...queued, ...matched, ...unqueued].map((t) => this.viewOf(t, groups));
  }

  taxiView(plateIn: string): TaxiView | undefined {
    const taxi = this.taxis.get(normalizePlate(plateIn));
    return taxi === undefined ? undefined : this.viewOf(taxi, this.groups());
  }

  private viewOf(taxi: TaxiRecord, groups: readonly Group[]): TaxiView {
    const match = taxi.matchId === undefined ? undefined : this.matches.get(taxi.matchId);
    const queue = match !== undefined ? match.taxiQueue : this.taxiQueue(taxi);
    let position: number | undefined;
    if (queue !== null && match === undefined) {
      const group = groups.find((g) => g.queue === queue && g.vehicleClass === taxi.vehicleClass);
      const list = taxi.stage === 'LOT' ? group?.lot : group?.curb;
      const index = list?.indexOf(taxi) ?? -1;
      if (index >= 0) position = index + 1;
    }
    return {
      plate: taxi.plate,
      vehicleClass: taxi.vehicleClass,
      licenceRegion: taxi.licenceRegion,
      stage: taxi.stage,
      queue,
      ...(position === undefined ? {} : { position }),
      priority: taxi.priority,
      ...(taxi.matchId === undefined ? {} : { matchId: taxi.matchId }),
    };
  }

  /** Waiting passengers, queue by queue in display order, each queue in matching order; unqueued last. */
  waitingPassengers(): PassengerView[] {
    const groups = this.groups();
    const listed = groups.flatMap((g) => g.waiting);
    const unqueued = [...this.passengers.values()].filter((p) => p.stage === 'WAITING' && this.passengerQueue(p) === null).sort(passengerOrder);
    return [...listed, ...unqueued].map((p) => this.passengerViewOf(p, groups));
  }

  passengerView(ticket: string): PassengerView | undefined {
    const p = this.passengers.get(ticket);
    return p === undefined ? undefined : this.passengerViewOf(p, this.groups());
  }

  private passengerViewOf(p: PassengerRecord, groups: readonly Group[]): PassengerView {
    const match = p.matchId === undefined ? undefined : this.matches.get(p.matchId);
    const queue = match !== undefined ? match.queue : this.passengerQueue(p);
    let position: number | undefined;
    if (queue !== null && match === undefined) {
      const index = groups.find((g) => g.queue === queue && g.vehicleClass === p.vehicleClass)?.waiting.indexOf(p) ?? -1;
      if (index >= 0) position = index + 1;
    }
    return {
      ticket: p.ticket,
      destination: p.destination,
      region: p.region,
      vehicleClass: p.vehicleClass,
      partySize: p.partySize,
      queue,
      stage: p.stage,
      ...(position === undefined ? {} : { position }),
      requestedAt: p.requestedAt,
      ...(p.matchId === undefined ? {} : { matchId: p.matchId }),
    };
  }

  match(matchId: string): MatchRecord | undefined {
    const m = this.matches.get(matchId);
    return m === undefined ? undefined : { ...m };
  }

  activeMatches(): MatchRecord[] {
    return [...this.matches.values()].filter((m) => m.status === 'ACTIVE').map((m) => ({ ...m }));
  }

  /** Active matches past their no-show deadline; the side is the taxi until it has arrived, then the passenger. */
  overdue(at: number): OverdueMatch[] {
    return [...this.matches.values()]
      .filter((m) => m.status === 'ACTIVE' && m.matchedAt + this.noShowMs <= at)
      .map((m) => ({ matchId: m.matchId, side: m.taxiArrived ? ('PASSENGER' as const) : ('TAXI' as const), deadline: m.matchedAt + this.noShowMs }));
  }

  /** The earliest no-show deadline of an active match (for the adapter's one timer). */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const m of this.matches.values()) {
      if (m.status !== 'ACTIVE') continue;
      const d = m.matchedAt + this.noShowMs;
      if (next === undefined || d < next) next = d;
    }
    return next;
  }

  /** Waits (ticket → match, of passengers picked up) p50/p95 and matches per minute over the last `windowMin`. */
  stats(at: number, windowMin = 15): DispatchStats {
    const windowMs = windowMin * MIN;
    return { at, windowMin, waits: waitStats(this.waits, at, windowMs), matchesPerMinute: matchesPerMinute(this.matchTimes, at, windowMs) };
  }

  /** The whole state as plain data (JSON-safe); {@link Stand.restore} rebuilds an identical stand. */
  snapshot(): StandState {
    return {
      version: 1,
      config: { ...this.cfg, regions: [...this.cfg.regions] },
      taxis: this.sortedTaxis().map((t) => ({ ...t })),
      passengers: [...this.passengers.values()].sort((a, b) => a.place - b.place).map(copyPassenger),
      matches: [...this.matches.values()].map((m) => ({ ...m })),
      claims: [...this.claims.values()].map((c) => ({ ...c })),
      choices: [...this.choices.values()].map((c) => ({ ...c })),
      reads: [...this.reads.values()].map((r) => ({ ...r })),
      counters: { ...this.counters },
      waits: this.waits.map((w) => ({ ...w })),
      matchTimes: [...this.matchTimes],
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Rules

  /** One input: housekeeping, the change, then call-up and matching to a fixed point. */
  private run(at: number, change: (out: DispatchDecision[]) => void): DispatchDecision[] {
    if (typeof at !== 'number' || !Number.isFinite(at)) throw new DispatchError('invalid', 'at must be epoch milliseconds');
    this.prune(at);
    const out: DispatchDecision[] = [];
    change(out);
    this.settle(at, out);
    return out;
  }

  /**
   * Repeats, one action at a time, until nothing applies: (1) match the first waiting passenger of
   * a (queue, class) with the first curb taxi of it that may serve them; (2) call the head of a lot
   * queue whose curb is below target, or whose passengers still wait; (3) let a regular curb taxi
   * nobody in its own queue waits for serve a NEAR passenger.
   */
  private settle(at: number, out: DispatchDecision[]): void {
    for (;;) {
      const groups = this.groups();
      if (this.matchDirect(groups, at, out)) continue;
      const short = groups.find((g) => g.lot.length > 0 && (g.curb.length < this.cfg.curbTarget || g.waiting.length > 0));
      if (short !== undefined) {
        const taxi = short.lot[0]!;
        taxi.stage = 'CALLED';
        taxi.callOrder = ++this.counters.call;
        taxi.calledAt = at;
        out.push({ type: 'CALLED', plate: taxi.plate, queue: short.queue, vehicleClass: taxi.vehicleClass, at });
        continue;
      }
      if (!this.matchNearFallback(groups, at, out)) return;
    }
  }

  /** The first waiting passenger (in order) of a queue with a curb taxi it may take: the first such taxi. */
  private matchDirect(groups: readonly Group[], at: number, out: DispatchDecision[]): boolean {
    for (const g of groups) {
      if (g.curb.length === 0) continue;
      for (const passenger of g.waiting) {
        const taxi = g.curb.find((t) => mayServe(t, passenger));
        if (taxi === undefined) continue;
        this.pair(taxi, passenger, g.queue, g.queue, at, out);
        return true;
      }
    }
    return false;
  }

  /**
   * A NEAR passenger, with no NEAR taxi of its class left in the lot, takes a curb taxi of its
   * destination's regular queue when nobody waits in that queue.
   */
  private matchNearFallback(groups: readonly Group[], at: number, out: DispatchDecision[]): boolean {
    for (const near of groups) {
      if (near.queue !== NEAR_QUEUE || near.waiting.length === 0 || near.lot.length > 0) continue;
      for (const passenger of near.waiting) {
        const queue = this.regularQueue(passenger);
        const regular = groups.find((g) => g.queue === queue && g.vehicleClass === passenger.vehicleClass);
        if (regular === undefined || regular.waiting.length > 0) continue;
        const taxi = regular.curb.find((t) => mayServe(t, passenger));
        if (taxi === undefined) continue;
        this.pair(taxi, passenger, NEAR_QUEUE, regular.queue, at, out);
        return true;
      }
    }
    return false;
  }

  private pair(taxi: TaxiRecord, passenger: PassengerRecord, queue: string, taxiQueue: string, at: number, out: DispatchDecision[]): void {
    const matchId = this.newMatchId(++this.counters.match);
    if (this.matches.has(matchId)) throw new DispatchError('conflict', `match id ${matchId} already used`, { matchId });
    this.matches.set(matchId, {
      matchId,
      plate: taxi.plate,
      ticket: passenger.ticket,
      queue,
      taxiQueue,
      vehicleClass: passenger.vehicleClass,
      requestedAt: passenger.requestedAt,
      matchedAt: at,
      status: 'ACTIVE',
      taxiArrived: taxi.arrivalOrder !== undefined,
    });
    taxi.stage = 'MATCHED';
    taxi.matchId = matchId;
    taxi.front = undefined;
    passenger.stage = 'MATCHED';
    passenger.matchId = matchId;
    passenger.front = undefined;
    this.matchTimes.push(at);
    out.push({ type: 'MATCHED', matchId, plate: taxi.plate, ticket: passenger.ticket, queue, taxiQueue, vehicleClass: passenger.vehicleClass, at });
  }

  /** The queues the stand runs now, by class then NEAR, regions (or ALL); each with its members in order. */
  private groups(): Group[] {
    const cfg = this.cfg;
    const queueNames = [...(cfg.nearQueue ? [NEAR_QUEUE] : []), ...(cfg.mode === 'SINGLE_QUEUE' ? [ALL_QUEUE] : cfg.regions)];
    const byKey = new Map<string, Group>();
    const list: Group[] = [];
    for (const vehicleClass of VEHICLE_CLASSES) {
      for (const queue of queueNames) {
        const g: Group = { queue, vehicleClass, lot: [], curb: [], waiting: [] };
        byKey.set(groupKey(queue, vehicleClass), g);
        list.push(g);
      }
    }
    for (const t of this.taxis.values()) {
      if (t.stage === 'MATCHED') continue;
      const queue = this.taxiQueue(t);
      const g = queue === null ? undefined : byKey.get(groupKey(queue, t.vehicleClass));
      if (g === undefined) continue;
      if (t.stage === 'LOT') g.lot.push(t);
      else g.curb.push(t);
    }
    for (const p of this.passengers.values()) {
      if (p.stage !== 'WAITING') continue;
      const queue = this.passengerQueue(p);
      const g = queue === null ? undefined : byKey.get(groupKey(queue, p.vehicleClass));
      if (g !== undefined) g.waiting.push(p);
    }
    for (const g of list) {
      g.lot.sort(lotOrder);
      g.curb.sort(curbOrder);
      g.waiting.sort(passengerOrder);
    }
    return list;
  }

  /** The taxi's queue: NEAR for a priority taxi at a stand with a near queue, else by mode; null: none. */
  private taxiQueue(t: TaxiRecord): string | null {
    if (this.cfg.nearQueue && t.priority) return NEAR_QUEUE;
    switch (this.cfg.mode) {
      case 'SINGLE_QUEUE':
        return ALL_QUEUE;
      case 'REGIONAL':
        return this.cfg.regions.includes(t.licenceRegion) ? t.licenceRegion : null;
      case 'DRIVER_SELECTED': {
        const region = this.choices.get(t.plate)?.region;
        return region !== undefined && this.cfg.regions.includes(region) ? region : null;
      }
    }
  }

  private passengerQueue(p: PassengerRecord): string | null {
    if (this.cfg.nearQueue && p.near) return NEAR_QUEUE;
    return this.regularQueue(p);
  }

  /** The passenger's queue ignoring NEAR: ALL, or its destination's region if served. */
  private regularQueue(p: PassengerRecord): string | null {
    if (this.cfg.mode === 'SINGLE_QUEUE') return ALL_QUEUE;
    return this.cfg.regions.includes(p.region) ? p.region : null;
  }

  private claimRefusal(claim: NearTripClaim, plate: string, at: number): ClaimRefusalReason | undefined {
    const stored = typeof claim.matchId === 'string' ? this.claims.get(claim.matchId) : undefined;
    if (stored === undefined || stored.plate !== plate || normalizePlateSafe(claim.plate) !== plate || stored.issuedAt !== claim.issuedAt) return 'FORGED';
    if (stored.status === 'USED') return 'REUSED';
    if (stored.status === 'SUPERSEDED') return 'SUPERSEDED';
    if (at - stored.issuedAt > this.cfg.priorityWindowMin * MIN) return 'EXPIRED';
    return undefined;
  }

  private supersedeClaims(plate: string): void {
    for (const c of this.claims.values()) if (c.plate === plate && c.status === 'ISSUED') c.status = 'SUPERSEDED';
  }

  private activeMatch(matchId: string): MatchRecord {
    const match = this.matches.get(matchId);
    if (match === undefined) throw new DispatchError('not-found', `unknown match '${matchId}'`, { matchId });
    if (match.status !== 'ACTIVE') throw new DispatchError('conflict', `match ${matchId} is ${match.status}`, { matchId, status: match.status });
    return match;
  }

  private removeTaxi(plate: string): void {
    this.taxis.delete(plate);
    this.choices.delete(plate);
  }

  private duplicateRead(plate: string, lane: LotLane, at: number): boolean {
    const last = this.reads.get(plate);
    return last !== undefined && last.lane === lane && at - last.at < this.dedupMs;
  }

  /** `A0001`, `A0002`, … restarting each local day; a number still held by a live ticket is skipped. */
  private nextTicket(at: number): string {
    const day = Math.floor((at + this.utcOffsetMs) / DAY);
    if (day > this.counters.ticketDay) {
      this.counters.ticketDay = day;
      this.counters.ticketNo = 0;
    }
    for (;;) {
      const ticket = `${this.ticketPrefix}${String(++this.counters.ticketNo).padStart(4, '0')}`;
      if (!this.passengers.has(ticket)) return ticket;
    }
  }

  private prune(at: number): void {
    for (const [plate, r] of this.reads) if (at - r.at >= this.dedupMs) this.reads.delete(plate);
    if (this.waits.some((w) => at - w.at > this.statsRetentionMs)) this.waits = this.waits.filter((w) => at - w.at <= this.statsRetentionMs);
    if (this.matchTimes.some((t) => at - t > this.statsRetentionMs)) this.matchTimes = this.matchTimes.filter((t) => at - t <= this.statsRetentionMs);
    for (const [id, m] of this.matches) {
      if (m.status !== 'ACTIVE' && m.endedAt !== undefined && at - m.endedAt > this.historyRetentionMs) this.matches.delete(id);
    }
    const windowMs = this.cfg.priorityWindowMin * MIN;
    for (const [id, c] of this.claims) if (at - c.issuedAt > windowMs + this.historyRetentionMs) this.claims.delete(id);
    for (const [plate, c] of this.choices) if (!this.taxis.has(plate) && at - c.at > this.historyRetentionMs) this.choices.delete(plate);
  }

  private sortedTaxis(): TaxiRecord[] {
    return [...this.taxis.values()].sort((a, b) => a.place - b.place);
  }
}

// -----------------------------------------------------------------------------------------------
// Orders (smaller first)

/** Lot: priority taxis first, then by place (lot-entry order; back after a no-show or region change). */
function lotOrder(a: TaxiRecord, b: TaxiRecord): number {
  return Number(b.priority) - Number(a.priority) || a.place - b.place;
}

/** Curb: taxis put back by a passenger no-show first, then arrived taxis by arrival, then the rest by call. */
function curbOrder(a: TaxiRecord, b: TaxiRecord): number {
  const [ra, oa] = curbRank(a);
  const [rb, ob] = curbRank(b);
  return ra - rb || oa - ob;
}

function curbRank(t: TaxiRecord): [number, number] {
  if (t.front !== undefined) return [0, t.front];
  if (t.arrivalOrder !== undefined) return [1, t.arrivalOrder];
  return [2, t.callOrder ?? t.place];
}

/** Passengers: those put back by a taxi no-show first, then by ticket order. */
function passengerOrder(a: PassengerRecord, b: PassengerRecord): number {
  const fa = a.front ?? Infinity;
  const fb = b.front ?? Infinity;
  if (fa !== fb) return fa < fb ? -1 : 1;
  return a.place - b.place;
}

function copyPassenger(p: PassengerRecord): PassengerRecord {
  return p.avoid === undefined ? { ...p } : { ...p, avoid: [...p.avoid] };
}

/** A taxi may serve a passenger unless it failed to show for them before. */
function mayServe(taxi: TaxiRecord, passenger: PassengerRecord): boolean {
  return passenger.avoid === undefined || !passenger.avoid.includes(taxi.plate);
}

function groupKey(queue: string, vehicleClass: VehicleClass): string {
  return `${queue}\u0000${vehicleClass}`;
}

function requirePlate(plate: string): string {
  const normalized = normalizePlateSafe(plate);
  if (normalized === '') throw new DispatchError('invalid', 'a plate is required', { fields: { plate: ['required'] } });
  return normalized;
}

function normalizePlateSafe(plate: unknown): string {
  return typeof plate === 'string' ? normalizePlate(plate) : '';
}
