/**
 * Property tests: random interleavings of lot entries (with good, forged, reused and tampered
 * claims), lot exits, region choices, passenger requests, curb arrivals, pickups, no-shows, trips,
 * cancellations, mode switches, NEAR on/off and restarts from a JSON snapshot.
 *
 * Checked two ways:
 * - invariants from the decisions alone: every MATCHED pairs a taxi and a passenger that were
 *   both waiting, of the same class and queue (or a NEAR passenger with a regular taxi of its
 *   destination's queue); nobody is ever in two active matches;
 * - against a reference model that keeps plain ordered lists (one lot list, curb lists by
 *   release/arrival/call, passenger lists) and filters them by queue, where the Stand keeps place
 *   numbers and sorts: the same calls, matches, tickets, claims and refusals, and after every input
 *   the same order in every (queue, class) — FIFO except the documented priority and re-match-first.
 */
import fc from 'fast-check';
import type { DispatchDecision } from '../decisions';
import { DestinationTable } from '../destinations';
import { DispatchError } from '../errors';
import { Stand, type StandOptions } from '../stand';
import { TaxiRegistry } from '../taxi-directory';
import { ALL_QUEUE, NEAR_QUEUE, VEHICLE_CLASSES, type DispatchMode, type NearTripClaim, type NoShowSide, type VehicleClass } from '../types';
import { DESTINATIONS, STAND, T0, TAXIS } from './fixtures';

const PLATES = ['S1', 'S2', 'S3', 'I1', 'I2', 'G1', 'SL1', 'SL2', 'B1', 'X1'] as const;
const DESTS = ['Gangnam', 'Seoul Station', 'Songdo', 'Yeongjong', 'Unseo', 'Suwon', 'Busan Station', 'Nowhere'] as const;
const REGION_PICKS = ['SEOUL', 'INCHEON', 'GYEONGGI', 'BUSAN'] as const;
const MODES: readonly DispatchMode[] = ['REGIONAL', 'DRIVER_SELECTED', 'SINGLE_QUEUE'];
const REGIONS = ['SEOUL', 'INCHEON', 'GYEONGGI'];
const NO_SHOW_MS = 180_000;
const DEDUP_MS = 60_000;
const WINDOW_MS = 90 * 60_000;
const NEAR_KM = 10;
const OPTIONS: StandOptions = { historyRetentionMin: 1000 * 24 * 60 };

type ClaimPick = 'none' | 'own' | 'other' | 'forged' | 'tampered';
type Op =
  | { k: 'enter'; taxi: number; claim: ClaimPick; dt: number }
  | { k: 'exit' | 'arrive'; taxi: number; dt: number }
  | { k: 'choose'; taxi: number; region: number; dt: number }
  | { k: 'ask'; dest: number; large: boolean; dt: number }
  | { k: 'pickup' | 'cancel'; pick: number; dt: number }
  | { k: 'noShow'; pick: number; side: NoShowSide; dt: number }
  | { k: 'trip'; pick: number; short: boolean; dt: number }
  | { k: 'mode'; mode: DispatchMode; dt: number }
  | { k: 'near'; on: boolean; dt: number }
  | { k: 'restart'; dt: number };

const dtArb = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 120 }).map((s) => s * 1000) },
  { weight: 2, arbitrary: fc.integer({ min: 180, max: 400 }).map((s) => s * 1000) },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 200 }).map((m) => m * 60_000) },
);
const taxiArb = fc.integer({ min: 0, max: PLATES.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ k: fc.constant('enter' as const), taxi: taxiArb, claim: fc.constantFrom<ClaimPick>('none', 'none', 'own', 'own', 'other', 'forged', 'tampered'), dt: dtArb }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('exit' as const), taxi: taxiArb, dt: dtArb }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('arrive' as const), taxi: taxiArb, dt: dtArb }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('choose' as const), taxi: taxiArb, region: fc.integer({ min: 0, max: REGION_PICKS.length - 1 }), dt: dtArb }) },
  { weight: 8, arbitrary: fc.record({ k: fc.constant('ask' as const), dest: fc.integer({ min: 0, max: DESTS.length - 1 }), large: fc.boolean(), dt: dtArb }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('pickup' as const), pick: fc.nat(), dt: dtArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat(), dt: dtArb }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('noShow' as const), pick: fc.nat(), side: fc.constantFrom<NoShowSide>('TAXI', 'PASSENGER'), dt: dtArb }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('trip' as const), pick: fc.nat(), short: fc.boolean(), dt: dtArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('mode' as const), mode: fc.constantFrom(...MODES), dt: dtArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('near' as const), on: fc.boolean(), dt: dtArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('restart' as const), dt: dtArb }) },
);

/** What the model expects an input to be refused with. */
class Refused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

interface MTaxi {
  readonly plate: string;
  readonly lic: string;
  readonly cls: VehicleClass;
  stage: 'LOT' | 'CALLED' | 'CURB' | 'MATCHED';
  priority: boolean;
  arrived: boolean;
}
interface MPassenger {
  readonly ticket: string;
  readonly region: string;
  readonly near: boolean;
  readonly cls: VehicleClass;
  stage: 'WAITING' | 'MATCHED';
  readonly avoid: string[];
}
interface MMatch {
  readonly id: string;
  readonly plate: string;
  readonly ticket: string;
  readonly matchedAt: number;
  status: 'ACTIVE' | 'COMPLETED' | 'RELEASED';
  tripEnded: boolean;
}
interface MClaim {
  readonly plate: string;
  readonly issuedAt: number;
  status: 'ISSUED' | 'USED' | 'SUPERSEDED';
}

const PROFILE = new Map<string, { lic: string; cls: VehicleClass; banned: boolean }>(
  TAXIS.map((t) => [t.plate, { lic: t.licenceRegion, cls: t.vehicleClass, banned: 'banned' in t && t.banned }]),
);
const DEST = new Map(DESTINATIONS.map((d) => [d.destination, { region: d.region, near: d.near === true }]));

/** The rules of README.md over plain lists. */
class Model {
  readonly taxis = new Map<string, MTaxi>();
  /** LOT taxis: priority ones first (in entry order), then the rest in entry order. */
  lot: string[] = [];
  /** CALLED/CURB taxis: put back by a passenger no-show, arrived, called — each in its own order. */
  front: string[] = [];
  arrived: string[] = [];
  called: string[] = [];
  readonly passengers = new Map<string, MPassenger>();
  pFront: string[] = [];
  pList: string[] = [];
  readonly matches = new Map<string, MMatch>();
  readonly claims = new Map<string, MClaim>();
  readonly choices = new Map<string, string>();
  readonly reads = new Map<string, { lane: string; at: number }>();
  matchNo = 0;
  ticketDay = -Infinity;
  ticketNo = 0;
  out: string[] = [];

  constructor(
    public mode: DispatchMode,
    public nearQueue: boolean,
    readonly target: number,
  ) {}

  // --- keys
  queueNames(): string[] {
    return [...(this.nearQueue ? [NEAR_QUEUE] : []), ...(this.mode === 'SINGLE_QUEUE' ? [ALL_QUEUE] : REGIONS)];
  }
  keys(): Array<[string, VehicleClass]> {
    return VEHICLE_CLASSES.flatMap((c) => this.queueNames().map((q) => [q, c] as [string, VehicleClass]));
  }
  taxiQueue(t: MTaxi): string | null {
    if (this.nearQueue && t.priority) return NEAR_QUEUE;
    if (this.mode === 'SINGLE_QUEUE') return ALL_QUEUE;
    const r = this.mode === 'REGIONAL' ? t.lic : this.choices.get(t.plate);
    return r !== undefined && REGIONS.includes(r) ? r : null;
  }
  regularQueue(p: MPassenger): string | null {
    if (this.mode === 'SINGLE_QUEUE') return ALL_QUEUE;
    return REGIONS.includes(p.region) ? p.region : null;
  }
  passengerQueue(p: MPassenger): string | null {
    return this.nearQueue && p.near ? NEAR_QUEUE : this.regularQueue(p);
  }
  lotOf(q: string, c: VehicleClass): string[] {
    return this.lot.filter((p) => this.taxiQueue(this.taxis.get(p)!) === q && this.taxis.get(p)!.cls === c);
  }
  curbOf(q: string, c: VehicleClass): string[] {
    return [...this.front, ...this.arrived, ...this.called].filter((p) => this.taxiQueue(this.taxis.get(p)!) === q && this.taxis.get(p)!.cls === c);
  }
  waitingOf(q: string, c: VehicleClass): string[] {
    return [...this.pFront, ...this.pList].filter((t) => this.passengerQueue(this.passengers.get(t)!) === q && this.passengers.get(t)!.cls === c);
  }

  // --- inputs
  enter(plate: string, at: number, claim: NearTripClaim | undefined): void {
    if (this.duplicate(plate, 'LOT_ENTRY', at)) return void this.out.push(`IGNORED ${plate} DUPLICATE`);
    this.reads.set(plate, { lane: 'LOT_ENTRY', at });
    const profile = PROFILE.get(plate)!;
    if (profile.banned) return void this.out.push(`REFUSED ${plate} BANNED`);
    if (this.taxis.has(plate)) return void this.out.push(`IGNORED ${plate} ALREADY_PRESENT`);
    if (this.mode === 'REGIONAL' && !REGIONS.includes(profile.lic)) return void this.out.push(`REFUSED ${plate} REGION_NOT_SERVED`);
    let priority = false;
    if (claim !== undefined) {
      const c = this.claims.get(claim.matchId);
      const reason =
        c === undefined || c.plate !== plate || claim.plate !== plate || c.issuedAt !== claim.issuedAt
          ? 'FORGED'
          : c.status === 'USED'
            ? 'REUSED'
            : c.status === 'SUPERSEDED'
              ? 'SUPERSEDED'
              : at - c.issuedAt > WINDOW_MS
                ? 'EXPIRED'
                : undefined;
      if (reason === undefined) {
        priority = true;
        c!.status = 'USED';
      } else this.out.push(`CLAIM_REFUSED ${plate} ${reason}`);
    }
    const t: MTaxi = { plate, lic: profile.lic, cls: profile.cls, stage: 'LOT', priority, arrived: false };
    this.taxis.set(plate, t);
    if (priority) {
      const lastPriority = this.lot.findLastIndex((p) => this.taxis.get(p)!.priority);
      this.lot.splice(lastPriority + 1, 0, plate);
    } else this.lot.push(plate);
    const q = this.taxiQueue(t);
    this.out.push(q === null ? `AWAITING ${plate}` : `QUEUED ${plate} ${q}/${t.cls}${priority ? ' priority' : ''}`);
  }

  exit(plate: string, at: number): void {
    if (this.duplicate(plate, 'LOT_EXIT', at)) return void this.out.push(`IGNORED ${plate} DUPLICATE`);
    this.reads.set(plate, { lane: 'LOT_EXIT', at });
    const t = this.taxis.get(plate);
    if (t === undefined) return void this.out.push(`IGNORED ${plate} NOT_PRESENT`);
    if (t.stage !== 'LOT') return void this.out.push(`IGNORED ${plate} EN_ROUTE`);
    this.removeTaxi(plate);
    this.out.push(`LEFT ${plate} LOT_EXIT`);
  }

  choose(plate: string, region: string): void {
    if (!REGIONS.includes(region)) throw new Refused('unknown-region');
    if (PROFILE.get(plate)!.banned) throw new Refused('banned');
    const previous = this.choices.get(plate);
    if (previous === region) return;
    const t = this.taxis.get(plate);
    if (t?.stage === 'MATCHED') throw new Refused('conflict');
    const ds = this.mode === 'DRIVER_SELECTED';
    if (t !== undefined && previous !== undefined && ds && t.stage !== 'LOT') throw new Refused('conflict');
    const before = t === undefined ? null : this.taxiQueue(t);
    this.choices.set(plate, region);
    if (t === undefined || !ds || t.stage !== 'LOT') return;
    if (previous === undefined) {
      const q = this.taxiQueue(t);
      if (before === null && q !== null) this.out.push(`QUEUED ${plate} ${q}/${t.cls}${t.priority ? ' priority' : ''}`);
    } else {
      t.priority = false;
      this.lot = [...this.lot.filter((p) => p !== plate), plate];
    }
  }

  arrive(plate: string): void {
    const t = this.taxis.get(plate);
    if (t === undefined) throw new Refused('not-found');
    if (t.stage === 'LOT') throw new Refused('conflict');
    if (t.arrived) return;
    t.arrived = true;
    if (t.stage === 'CALLED') {
      t.stage = 'CURB';
      if (this.called.includes(plate)) {
        this.called = this.called.filter((p) => p !== plate);
        this.arrived.push(plate);
      }
    }
  }

  ask(dest: string, cls: VehicleClass, at: number): string {
    const d = DEST.get(dest);
    if (d === undefined) throw new Refused('unknown-destination');
    if (this.mode !== 'SINGLE_QUEUE' && !REGIONS.includes(d.region)) throw new Refused('region-not-served');
    const day = Math.floor((at + 9 * 3_600_000) / 86_400_000);
    if (day > this.ticketDay) {
      this.ticketDay = day;
      this.ticketNo = 0;
    }
    let ticket: string;
    do ticket = `A${String(++this.ticketNo).padStart(4, '0')}`;
    while (this.passengers.has(ticket));
    const p: MPassenger = { ticket, region: d.region, near: d.near, cls, stage: 'WAITING', avoid: [] };
    this.passengers.set(ticket, p);
    this.pList.push(ticket);
    this.out.push(`TICKET ${ticket} ${this.passengerQueue(p) ?? '-'}/${cls}`);
    return ticket;
  }

  cancel(ticket: string): void {
    const p = this.passengers.get(ticket);
    if (p === undefined) throw new Refused('not-found');
    if (p.stage !== 'WAITING') throw new Refused('conflict');
    this.dropPassenger(ticket);
  }

  pickup(id: string): void {
    const m = this.matches.get(id)!;
    if (m.status !== 'ACTIVE') throw new Refused('conflict');
    m.status = 'COMPLETED';
    this.removeTaxi(m.plate);
    this.dropPassenger(m.ticket);
    this.supersede(m.plate);
  }

  noShow(id: string, side: NoShowSide, at: number): void {
    const m = this.matches.get(id)!;
    if (m.status !== 'ACTIVE') throw new Refused('conflict');
    if (at < m.matchedAt + NO_SHOW_MS) throw new Refused('conflict');
    m.status = 'RELEASED';
    const t = this.taxis.get(m.plate)!;
    const p = this.passengers.get(m.ticket)!;
    if (side === 'TAXI') {
      t.stage = 'LOT';
      t.priority = false;
      t.arrived = false;
      this.lot.push(t.plate);
      p.stage = 'WAITING';
      p.avoid.push(t.plate);
      this.pFront.push(p.ticket);
    } else {
      this.dropPassenger(p.ticket);
      t.stage = t.arrived ? 'CURB' : 'CALLED';
      this.front.push(t.plate);
    }
  }

  trip(id: string, km: number, at: number): void {
    const m = this.matches.get(id)!;
    if (m.status !== 'COMPLETED' || m.tripEnded) throw new Refused('conflict');
    m.tripEnded = true;
    this.supersede(m.plate);
    if (km <= NEAR_KM) {
      this.claims.set(id, { plate: m.plate, issuedAt: at, status: 'ISSUED' });
      this.out.push(`CLAIM ${m.plate} ${id}`);
    }
  }

  setMode(mode: DispatchMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    if (mode !== 'DRIVER_SELECTED') return;
    for (const t of this.taxis.values()) if (!this.choices.has(t.plate) && REGIONS.includes(t.lic)) this.choices.set(t.plate, t.lic);
  }

  /** Call-up and matching to a fixed point, one action at a time (README, matching). */
  settle(at: number): void {
    for (;;) {
      if (this.matchDirect(at) || this.callUp() || this.matchFallback(at)) continue;
      return;
    }
  }

  private matchDirect(at: number): boolean {
    for (const [q, c] of this.keys()) {
      const curb = this.curbOf(q, c);
      for (const ticket of this.waitingOf(q, c)) {
        const plate = curb.find((p) => !this.passengers.get(ticket)!.avoid.includes(p));
        if (plate !== undefined) return this.pair(plate, ticket, q, q, at);
      }
    }
    return false;
  }

  private callUp(): boolean {
    for (const [q, c] of this.keys()) {
      const lot = this.lotOf(q, c);
      if (lot.length === 0 || (this.curbOf(q, c).length >= this.target && this.waitingOf(q, c).length === 0)) continue;
      const plate = lot[0]!;
      this.lot = this.lot.filter((p) => p !== plate);
      this.called.push(plate);
      this.taxis.get(plate)!.stage = 'CALLED';
      this.out.push(`CALLED ${plate} ${q}/${c}`);
      return true;
    }
    return false;
  }

  private matchFallback(at: number): boolean {
    if (!this.nearQueue) return false;
    for (const c of VEHICLE_CLASSES) {
      const waiting = this.waitingOf(NEAR_QUEUE, c);
      if (waiting.length === 0 || this.lotOf(NEAR_QUEUE, c).length > 0) continue;
      for (const ticket of waiting) {
        const q = this.regularQueue(this.passengers.get(ticket)!);
        if (q === null || this.waitingOf(q, c).length > 0) continue;
        const plate = this.curbOf(q, c).find((p) => !this.passengers.get(ticket)!.avoid.includes(p));
        if (plate !== undefined) return this.pair(plate, ticket, NEAR_QUEUE, q, at);
      }
    }
    return false;
  }

  private pair(plate: string, ticket: string, queue: string, taxiQueue: string, at: number): true {
    const id = `${STAND.zoneId}-M${String(++this.matchNo).padStart(6, '0')}`;
    const t = this.taxis.get(plate)!;
    t.stage = 'MATCHED';
    this.front = this.front.filter((p) => p !== plate);
    this.arrived = this.arrived.filter((p) => p !== plate);
    this.called = this.called.filter((p) => p !== plate);
    this.passengers.get(ticket)!.stage = 'MATCHED';
    this.pFront = this.pFront.filter((x) => x !== ticket);
    this.pList = this.pList.filter((x) => x !== ticket);
    this.matches.set(id, { id, plate, ticket, matchedAt: at, status: 'ACTIVE', tripEnded: false });
    this.out.push(`MATCHED ${id} ${plate} ${ticket} ${queue}/${t.cls} via ${taxiQueue}`);
    return true;
  }

  private duplicate(plate: string, lane: string, at: number): boolean {
    const r = this.reads.get(plate);
    return r !== undefined && r.lane === lane && at - r.at < DEDUP_MS;
  }

  private removeTaxi(plate: string): void {
    this.taxis.delete(plate);
    this.choices.delete(plate);
    this.lot = this.lot.filter((p) => p !== plate);
    this.front = this.front.filter((p) => p !== plate);
    this.arrived = this.arrived.filter((p) => p !== plate);
    this.called = this.called.filter((p) => p !== plate);
  }

  private dropPassenger(ticket: string): void {
    this.passengers.delete(ticket);
    this.pFront = this.pFront.filter((x) => x !== ticket);
    this.pList = this.pList.filter((x) => x !== ticket);
  }

  private supersede(plate: string): void {
    for (const c of this.claims.values()) if (c.plate === plate && c.status === 'ISSUED') c.status = 'SUPERSEDED';
  }
}

/** The decisions the model predicts, in the model's words. */
function observed(out: readonly DispatchDecision[]): string[] {
  return out.flatMap((d): string[] => {
    switch (d.type) {
      case 'TAXI_QUEUED':
        return [`QUEUED ${d.plate} ${d.queue}/${d.vehicleClass}${d.priority ? ' priority' : ''}`];
      case 'TAXI_AWAITING_REGION':
        return [`AWAITING ${d.plate}`];
      case 'TAXI_REFUSED':
        return [`REFUSED ${d.plate} ${d.reason}`];
      case 'CLAIM_REFUSED':
        return [`CLAIM_REFUSED ${d.plate} ${d.reason}`];
      case 'READ_IGNORED':
        return [`IGNORED ${d.plate} ${d.reason}`];
      case 'TAXI_LEFT':
        return [`LEFT ${d.plate} ${d.reason}`];
      case 'CALLED':
        return [`CALLED ${d.plate} ${d.queue}/${d.vehicleClass}`];
      case 'TICKET_ISSUED':
        return [`TICKET ${d.ticket} ${d.queue ?? '-'}/${d.vehicleClass}`];
      case 'MATCHED':
        return [`MATCHED ${d.matchId} ${d.plate} ${d.ticket} ${d.queue}/${d.vehicleClass} via ${d.taxiQueue}`];
      case 'CLAIM_ISSUED':
        return [`CLAIM ${d.claim.plate} ${d.claim.matchId}`];
      case 'TAXI_REQUEUED':
      case 'REGION_SELECTED':
      case 'TAXI_AT_CURB':
      case 'TICKET_CANCELLED':
      case 'PASSENGER_REQUEUED':
      case 'RELEASED':
      case 'COMPLETED':
      case 'TRIP_ENDED':
      case 'MODE_CHANGED':
      case 'CONFIG_CHANGED':
        return []; // the model's state comparison after each input covers these
    }
  });
}

/** Invariants read from the decisions alone. */
class Ledger {
  readonly waitingTaxis = new Set<string>();
  readonly waitingPassengers = new Map<string, { cls: VehicleClass; queue: string | null }>();
  readonly activeTaxis = new Set<string>();
  readonly activePassengers = new Set<string>();
  readonly passengerClass = new Map<string, VehicleClass>();
  readonly matchOf = new Map<string, { plate: string; ticket: string }>();

  check(out: readonly DispatchDecision[], stand: Stand): void {
    for (const d of out) {
      switch (d.type) {
        case 'TAXI_QUEUED':
        case 'TAXI_AWAITING_REGION':
          this.waitingTaxis.add(d.plate);
          break;
        case 'TAXI_LEFT':
          expect(this.activeTaxis.has(d.plate)).toBe(false);
          this.waitingTaxis.delete(d.plate);
          break;
        case 'TICKET_ISSUED':
          this.passengerClass.set(d.ticket, d.vehicleClass);
          this.waitingPassengers.set(d.ticket, { cls: d.vehicleClass, queue: d.queue });
          break;
        case 'TICKET_CANCELLED':
          this.waitingPassengers.delete(d.ticket);
          break;
        case 'MATCHED': {
          // One waiting taxi, one waiting passenger, neither in another active match.
          expect(this.waitingTaxis.has(d.plate)).toBe(true);
          expect(this.waitingPassengers.has(d.ticket)).toBe(true);
          expect(this.activeTaxis.has(d.plate)).toBe(false);
          expect(this.activePassengers.has(d.ticket)).toBe(false);
          // Same class on both sides; same queue, or a NEAR passenger served from a regular queue.
          const taxiClass = TAXIS.find((t) => t.plate === d.plate)!.vehicleClass;
          expect(taxiClass).toBe(d.vehicleClass);
          expect(this.passengerClass.get(d.ticket)).toBe(d.vehicleClass);
          if (d.taxiQueue !== d.queue) {
            expect(d.queue).toBe(NEAR_QUEUE);
            expect(d.taxiQueue).not.toBe(NEAR_QUEUE);
          }
          this.waitingTaxis.delete(d.plate);
          this.waitingPassengers.delete(d.ticket);
          this.activeTaxis.add(d.plate);
          this.activePassengers.add(d.ticket);
          this.matchOf.set(d.matchId, { plate: d.plate, ticket: d.ticket });
          break;
        }
        case 'RELEASED':
        case 'COMPLETED': {
          const m = this.matchOf.get(d.matchId)!;
          expect(m).toEqual({ plate: d.plate, ticket: d.ticket });
          expect(this.activeTaxis.delete(d.plate)).toBe(true);
          expect(this.activePassengers.delete(d.ticket)).toBe(true);
          break;
        }
        case 'TAXI_REQUEUED':
          if (!this.activeTaxis.has(d.plate)) this.waitingTaxis.add(d.plate);
          break;
        case 'PASSENGER_REQUEUED':
          this.waitingPassengers.set(d.ticket, { cls: this.passengerClass.get(d.ticket)!, queue: d.queue });
          break;
        case 'READ_IGNORED':
        case 'TAXI_REFUSED':
        case 'CLAIM_REFUSED':
        case 'REGION_SELECTED':
        case 'CALLED':
        case 'TAXI_AT_CURB':
        case 'TRIP_ENDED':
        case 'CLAIM_ISSUED':
        case 'MODE_CHANGED':
        case 'CONFIG_CHANGED':
          break;
      }
    }
    // The stand agrees: every active match is one of ours, nobody twice.
    const active = stand.activeMatches();
    expect(new Set(active.map((m) => m.plate)).size).toBe(active.length);
    expect(new Set(active.map((m) => m.ticket)).size).toBe(active.length);
    expect(active.map((m) => m.plate).sort()).toEqual([...this.activeTaxis].sort());
  }
}

function run(initialMode: DispatchMode, nearQueue: boolean, curbTarget: number, ops: readonly Op[]): void {
  const registry = new TaxiRegistry(TAXIS);
  const deps = { taxis: registry, destinations: new DestinationTable(DESTINATIONS) };
  let stand = new Stand({ ...STAND, mode: initialMode, nearQueue, curbTarget, nearDistanceKm: NEAR_KM, priorityWindowMin: 90 }, deps, OPTIONS);
  const model = new Model(initialMode, nearQueue, curbTarget);
  const ledger = new Ledger();
  const lastClaim = new Map<string, NearTripClaim>();
  let now = T0;

  for (const op of ops) {
    now += op.dt;
    model.out = [];
    let expectedRefusal: string | undefined;
    let act: () => DispatchDecision[];
    const modelDo = (f: () => void): void => {
      try {
        f();
        model.settle(now);
      } catch (e) {
        if (!(e instanceof Refused)) throw e;
        expectedRefusal = e.reason;
      }
    };
    switch (op.k) {
      case 'enter': {
        const plate = PLATES[op.taxi]!;
        const own = lastClaim.get(plate);
        const other = [...lastClaim.values()].find((c) => c.plate !== plate);
        const claim: NearTripClaim | undefined =
          op.claim === 'own' ? own
          : op.claim === 'other' ? other
          : op.claim === 'forged' ? { plate, matchId: `${STAND.zoneId}-M999999`, issuedAt: now }
          : op.claim === 'tampered' && own !== undefined ? { ...own, issuedAt: own.issuedAt + 60_000 }
          : undefined;
        modelDo(() => model.enter(plate, now, claim));
        act = () => stand.lotEntryRead(plate, now, claim);
        break;
      }
      case 'exit': {
        const plate = PLATES[op.taxi]!;
        modelDo(() => model.exit(plate, now));
        act = () => stand.lotExitRead(plate, now);
        break;
      }
      case 'arrive': {
        const plate = PLATES[op.taxi]!;
        modelDo(() => model.arrive(plate));
        act = () => stand.curbArrival(plate, now);
        break;
      }
      case 'choose': {
        const plate = PLATES[op.taxi]!;
        const region = REGION_PICKS[op.region]!;
        modelDo(() => model.choose(plate, region));
        act = () => stand.selectRegion(plate, region, now);
        break;
      }
      case 'ask': {
        const destination = DESTS[op.dest]!;
        const vehicleClass: VehicleClass = op.large ? 'LARGE' : 'STANDARD';
        modelDo(() => void model.ask(destination, vehicleClass, now));
        act = () => stand.request({ destination, partySize: 1, vehicleClass }, now);
        break;
      }
      case 'cancel': {
        const live = [...model.passengers.keys()].sort();
        if (live.length === 0) continue;
        const ticket = live[op.pick % live.length]!;
        modelDo(() => model.cancel(ticket));
        act = () => stand.cancelTicket(ticket, now);
        break;
      }
      case 'pickup':
      case 'noShow': {
        const active = [...model.matches.values()].filter((m) => m.status === 'ACTIVE').map((m) => m.id).sort();
        if (active.length === 0) continue;
        const id = active[op.pick % active.length]!;
        if (op.k !== 'noShow') {
          modelDo(() => model.pickup(id));
          act = () => stand.pickup(id, now);
        } else {
          const side = op.side;
          modelDo(() => model.noShow(id, side, now));
          act = () => stand.noShow(id, side, now);
        }
        break;
      }
      case 'trip': {
        const done = [...model.matches.values()].filter((m) => m.status === 'COMPLETED' && !m.tripEnded).map((m) => m.id).sort();
        if (done.length === 0) continue;
        const id = done[op.pick % done.length]!;
        const km = op.short ? 4 : 25;
        modelDo(() => model.trip(id, km, now));
        act = () => stand.completeTrip(id, km, now);
        break;
      }
      case 'mode': {
        const mode = op.mode;
        modelDo(() => model.setMode(mode));
        act = () => stand.setMode(mode, now);
        break;
      }
      case 'near': {
        const on = op.on;
        modelDo(() => {
          model.nearQueue = on;
        });
        act = () => stand.reconfigure({ nearQueue: on }, now);
        break;
      }
      case 'restart': {
        stand = Stand.restore(JSON.parse(JSON.stringify(stand.snapshot())), deps, OPTIONS);
        continue;
      }
    }

    let out: DispatchDecision[] | undefined;
    let refusal: string | undefined;
    try {
      out = act();
    } catch (e) {
      if (!(e instanceof DispatchError)) throw e;
      refusal = e.reason;
    }
    expect({ op, refusal }).toEqual({ op, refusal: expectedRefusal });
    if (out === undefined) continue;
    expect({ op, decisions: observed(out) }).toEqual({ op, decisions: model.out });
    ledger.check(out, stand);
    for (const d of out) if (d.type === 'CLAIM_ISSUED') lastClaim.set(d.claim.plate, d.claim);

    // Same order in every queue: lot, curb, passengers.
    const views = stand.taxiViews();
    const waiting = stand.waitingPassengers();
    const actual: string[] = [];
    const expected: string[] = [];
    const stuck: string[] = [];
    for (const [q, c] of model.keys()) {
      const lot = views.filter((v) => v.queue === q && v.vehicleClass === c && v.stage === 'LOT').map((v) => v.plate);
      const curb = views.filter((v) => v.queue === q && v.vehicleClass === c && (v.stage === 'CALLED' || v.stage === 'CURB')).map((v) => v.plate);
      const pax = waiting.filter((p) => p.queue === q && p.vehicleClass === c).map((p) => p.ticket);
      actual.push(`${q}/${c} lot[${lot.join()}] curb[${curb.join()}] pax[${pax.join()}]`);
      expected.push(`${q}/${c} lot[${model.lotOf(q, c).join()}] curb[${model.curbOf(q, c).join()}] pax[${model.waitingOf(q, c).join()}]`);
      // A queue never keeps a waiting passenger next to a curb taxi free to serve them.
      if (pax.some((t) => curb.some((p) => !model.passengers.get(t)!.avoid.includes(p)))) stuck.push(`${q}/${c}`);
    }
    expect({ op, queues: actual, stuck }).toEqual({ op, queues: expected, stuck: [] });
    expect(stand.counts()).toMatchObject({
      lot: model.lot.length,
      curb: model.front.length + model.arrived.length + model.called.length,
      waitingPassengers: model.pFront.length + model.pList.length,
      activeMatches: [...model.matches.values()].filter((m) => m.status === 'ACTIVE').length,
    });
  }
}

describe('properties: dispatch under random interleavings', () => {
  it('matches pair one waiting taxi and one waiting passenger of one queue and class, nobody twice, FIFO as the reference model', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MODES),
        fc.boolean(),
        fc.integer({ min: 1, max: 2 }),
        fc.array(opArb, { minLength: 1, maxLength: 120, size: 'max' }),
        (mode, nearQueue, curbTarget, ops) => run(mode, nearQueue, curbTarget, ops),
      ),
      { numRuns: 200 },
    );
  });

  it('busy stand: many requests and entries, few switches', () => {
    const busy: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ k: fc.constant('enter' as const), taxi: taxiArb, claim: fc.constantFrom<ClaimPick>('none', 'own'), dt: fc.integer({ min: 0, max: 30 }).map((s) => s * 1000) }) },
      { weight: 6, arbitrary: fc.record({ k: fc.constant('ask' as const), dest: fc.integer({ min: 0, max: 5 }), large: fc.boolean(), dt: fc.integer({ min: 0, max: 30 }).map((s) => s * 1000) }) },
      { weight: 6, arbitrary: fc.record({ k: fc.constant('pickup' as const), pick: fc.nat(), dt: fc.constant(1000) }) },
      { weight: 4, arbitrary: fc.record({ k: fc.constant('trip' as const), pick: fc.nat(), short: fc.boolean(), dt: fc.constant(1000) }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant('noShow' as const), pick: fc.nat(), side: fc.constantFrom<NoShowSide>('TAXI', 'PASSENGER'), dt: fc.constant(181_000) }) },
      { weight: 3, arbitrary: fc.record({ k: fc.constant('arrive' as const), taxi: taxiArb, dt: fc.constant(1000) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('mode' as const), mode: fc.constantFrom(...MODES), dt: fc.constant(1000) }) },
    );
    fc.assert(
      fc.property(fc.constantFrom(...MODES), fc.boolean(), fc.array(busy, { minLength: 20, maxLength: 200, size: 'max' }), (mode, nearQueue, ops) => run(mode, nearQueue, 1, ops)),
      { numRuns: 60 },
    );
  });
});
