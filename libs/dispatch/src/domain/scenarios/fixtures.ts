/**
 * Scenario fixtures: a terminal taxi stand the way Incheon runs it (SEOUL, INCHEON and GYEONGGI
 * queues, taxis in a holding lot called up to the curb), a handful of registered taxis, the
 * destination table, and a World that drives a Stand with injected time, as the adapter will.
 */
import type { DispatchDecision } from '../decisions';
import { DestinationTable, type DestinationEntry } from '../destinations';
import { Stand, type StandOptions } from '../stand';
import { TaxiRegistry } from '../taxi-directory';
import type { DispatchMode, NearTripClaim, NoShowSide, StandConfigInput, StandConfigPatch, VehicleClass } from '../types';

/** 2025-01-01T06:00:00Z (15:00 in Incheon); scenarios speak in seconds after it. */
export const T0 = Date.UTC(2025, 0, 1, 6, 0, 0);
export const sec = (seconds: number): number => T0 + Math.round(seconds * 1000);
export const MIN_S = 60;

/** Registered taxis. Plates say licence region and class: S = Seoul, I = Incheon, G = Gyeonggi. */
export const TAXIS = [
  { plate: 'S1', licenceRegion: 'SEOUL', vehicleClass: 'STANDARD' },
  { plate: 'S2', licenceRegion: 'SEOUL', vehicleClass: 'STANDARD' },
  { plate: 'S3', licenceRegion: 'SEOUL', vehicleClass: 'STANDARD' },
  { plate: 'S4', licenceRegion: 'SEOUL', vehicleClass: 'STANDARD' },
  { plate: 'I1', licenceRegion: 'INCHEON', vehicleClass: 'STANDARD' },
  { plate: 'I2', licenceRegion: 'INCHEON', vehicleClass: 'STANDARD' },
  { plate: 'I3', licenceRegion: 'INCHEON', vehicleClass: 'STANDARD' },
  { plate: 'G1', licenceRegion: 'GYEONGGI', vehicleClass: 'STANDARD' },
  { plate: 'G2', licenceRegion: 'GYEONGGI', vehicleClass: 'STANDARD' },
  { plate: 'SL1', licenceRegion: 'SEOUL', vehicleClass: 'LARGE' },
  { plate: 'SL2', licenceRegion: 'SEOUL', vehicleClass: 'LARGE' },
  { plate: 'SP1', licenceRegion: 'SEOUL', vehicleClass: 'PREMIUM' },
  { plate: 'SA1', licenceRegion: 'SEOUL', vehicleClass: 'ACCESSIBLE' },
  { plate: 'B1', licenceRegion: 'BUSAN', vehicleClass: 'STANDARD' },
  { plate: 'X1', licenceRegion: 'SEOUL', vehicleClass: 'STANDARD', banned: true },
] as const satisfies ReadonlyArray<{ plate: string; licenceRegion: string; vehicleClass: VehicleClass; banned?: boolean }>;

export const DESTINATIONS: readonly DestinationEntry[] = [
  { destination: 'Seoul Station', region: 'SEOUL' },
  { destination: 'Gangnam', region: 'SEOUL' },
  { destination: 'Songdo', region: 'INCHEON' },
  { destination: 'Bupyeong', region: 'INCHEON' },
  { destination: 'Yeongjong', region: 'INCHEON', near: true },
  { destination: 'Unseo', region: 'INCHEON', near: true },
  { destination: 'Suwon', region: 'GYEONGGI' },
  { destination: 'Ilsan', region: 'GYEONGGI' },
  { destination: 'Busan Station', region: 'BUSAN' },
];

export const STAND: StandConfigInput = {
  zoneId: 'T1-TAXI-1',
  mode: 'REGIONAL',
  regions: ['SEOUL', 'INCHEON', 'GYEONGGI'],
  curbTarget: 1,
  nearQueue: false,
  priorityWindowMin: 90,
  nearDistanceKm: 10,
};

export class World {
  readonly registry = new TaxiRegistry(TAXIS);
  readonly destinations = new DestinationTable(DESTINATIONS);
  stand: Stand;
  /** Current time, epoch ms. */
  now = T0;
  readonly log: DispatchDecision[] = [];

  constructor(
    config: Partial<StandConfigInput> = {},
    private readonly options: StandOptions = {},
  ) {
    this.stand = new Stand({ ...STAND, ...config }, { taxis: this.registry, destinations: this.destinations }, options);
  }

  /** Sets the clock to `seconds` after T0 (never backwards). */
  at(seconds: number): this {
    this.now = Math.max(this.now, sec(seconds));
    return this;
  }

  advance(seconds: number): this {
    this.now += seconds * 1000;
    return this;
  }

  enter(plate: string, claim?: NearTripClaim): DispatchDecision[] {
    return this.record(this.stand.lotEntryRead(plate, this.now, claim));
  }

  exit(plate: string): DispatchDecision[] {
    return this.record(this.stand.lotExitRead(plate, this.now));
  }

  choose(plate: string, region: string): DispatchDecision[] {
    return this.record(this.stand.selectRegion(plate, region, this.now));
  }

  arrive(plate: string): DispatchDecision[] {
    return this.record(this.stand.curbArrival(plate, this.now));
  }

  /** A passenger asks for `destination`; returns the ticket. */
  ask(destination: string, vehicleClass: VehicleClass = 'STANDARD', partySize = 1): string {
    const out = this.record(this.stand.request({ destination, partySize, vehicleClass }, this.now));
    const issued = out.find((d) => d.type === 'TICKET_ISSUED');
    if (issued?.type !== 'TICKET_ISSUED') throw new Error('no ticket issued');
    return issued.ticket;
  }

  cancel(ticket: string): DispatchDecision[] {
    return this.record(this.stand.cancelTicket(ticket, this.now));
  }

  /** The active match of a plate or a ticket. */
  matchOf(plateOrTicket: string): string {
    const m = this.stand.activeMatches().find((x) => x.plate === plateOrTicket || x.ticket === plateOrTicket);
    if (m === undefined) throw new Error(`no active match for ${plateOrTicket}`);
    return m.matchId;
  }

  pickup(plateOrTicket: string): DispatchDecision[] {
    return this.record(this.stand.pickup(this.matchOf(plateOrTicket), this.now));
  }

  noShow(plateOrTicket: string, side: NoShowSide): DispatchDecision[] {
    return this.record(this.stand.noShow(this.matchOf(plateOrTicket), side, this.now));
  }

  /** Picks the taxi's passenger up now and ends the trip `tripMin` later after `km`; returns the claim, if any. */
  trip(plate: string, km: number, tripMin = 20): NearTripClaim | undefined {
    const matchId = this.matchOf(plate);
    this.record(this.stand.pickup(matchId, this.now));
    this.advance(tripMin * MIN_S);
    const out = this.record(this.stand.completeTrip(matchId, km, this.now));
    const issued = out.find((d) => d.type === 'CLAIM_ISSUED');
    return issued?.type === 'CLAIM_ISSUED' ? issued.claim : undefined;
  }

  setMode(mode: DispatchMode): DispatchDecision[] {
    return this.record(this.stand.setMode(mode, this.now));
  }

  reconfigure(patch: StandConfigPatch): DispatchDecision[] {
    return this.record(this.stand.reconfigure(patch, this.now));
  }

  /** A restart: the stand rebuilt from its snapshot, through JSON as the adapter's rows would be. */
  restart(): void {
    const state = JSON.parse(JSON.stringify(this.stand.snapshot()));
    this.stand = Stand.restore(state, { taxis: this.registry, destinations: this.destinations }, this.options);
  }

  /** Matched pairs so far, as `plate>ticket`. */
  get pairs(): string[] {
    return this.log.flatMap((d) => (d.type === 'MATCHED' ? [`${d.plate}>${d.ticket}`] : []));
  }

  /** Called plates so far, in order. */
  get called(): string[] {
    return this.log.flatMap((d) => (d.type === 'CALLED' ? [d.plate] : []));
  }

  /** Lot order of one queue, as plates. */
  lot(queue: string, vehicleClass: VehicleClass = 'STANDARD'): string[] {
    return this.stand
      .taxiViews()
      .filter((t) => t.queue === queue && t.vehicleClass === vehicleClass && t.stage === 'LOT')
      .map((t) => t.plate);
  }

  /** Curb order of one queue (called or arrived, unmatched), as plates. */
  curb(queue: string, vehicleClass: VehicleClass = 'STANDARD'): string[] {
    return this.stand
      .taxiViews()
      .filter((t) => t.queue === queue && t.vehicleClass === vehicleClass && (t.stage === 'CALLED' || t.stage === 'CURB'))
      .map((t) => t.plate);
  }

  /** Waiting tickets of one queue, in matching order. */
  waiting(queue: string, vehicleClass: VehicleClass = 'STANDARD'): string[] {
    return this.stand
      .waitingPassengers()
      .filter((p) => p.queue === queue && p.vehicleClass === vehicleClass)
      .map((p) => p.ticket);
  }

  /** Where the log is now; `since(mark)` shows what was decided after it. */
  mark(): number {
    return this.log.length;
  }

  since(mark: number): string[] {
    return briefs(this.log.slice(mark));
  }

  record(out: DispatchDecision[]): DispatchDecision[] {
    this.log.push(...out);
    return out;
  }
}

/** A compact view of decisions for readable expectations. */
export function brief(d: DispatchDecision): string {
  switch (d.type) {
    case 'TAXI_QUEUED':
      return `QUEUED ${d.plate} ${d.queue}/${d.vehicleClass}${d.priority ? ' priority' : ''}`;
    case 'TAXI_AWAITING_REGION':
      return `AWAITING_REGION ${d.plate}`;
    case 'TAXI_REFUSED':
      return `REFUSED ${d.plate} ${d.reason}`;
    case 'CLAIM_REFUSED':
      return `CLAIM_REFUSED ${d.plate} ${d.reason}`;
    case 'READ_IGNORED':
      return `IGNORED ${d.plate} ${d.lane} ${d.reason}`;
    case 'TAXI_LEFT':
      return `LEFT ${d.plate} ${d.reason}`;
    case 'TAXI_REQUEUED':
      return `REQUEUED ${d.plate} ${d.queue ?? '-'}/${d.vehicleClass} ${d.position} ${d.reason}`;
    case 'REGION_SELECTED':
      return `REGION ${d.plate} ${d.region}${d.deemed ? ' deemed' : ''}`;
    case 'CALLED':
      return `CALLED ${d.plate} ${d.queue}/${d.vehicleClass}`;
    case 'TAXI_AT_CURB':
      return `AT_CURB ${d.plate}${d.matchId === undefined ? '' : ' matched'}`;
    case 'TICKET_ISSUED':
      return `TICKET ${d.ticket} ${d.queue ?? '-'}/${d.vehicleClass}`;
    case 'TICKET_CANCELLED':
      return `CANCELLED ${d.ticket} ${d.reason}`;
    case 'PASSENGER_REQUEUED':
      return `REQUEUED ${d.ticket} ${d.queue ?? '-'}/${d.vehicleClass} FRONT`;
    case 'MATCHED':
      return `MATCHED ${d.plate} ${d.ticket} ${d.queue}/${d.vehicleClass}${d.taxiQueue === d.queue ? '' : ` via ${d.taxiQueue}`}`;
    case 'RELEASED':
      return `RELEASED ${d.plate} ${d.ticket} ${d.side}`;
    case 'COMPLETED':
      return `COMPLETED ${d.plate} ${d.ticket}`;
    case 'TRIP_ENDED':
      return `TRIP_ENDED ${d.plate} ${d.distanceKm}km${d.short ? ' short' : ''}`;
    case 'CLAIM_ISSUED':
      return `CLAIM ${d.claim.plate}`;
    case 'MODE_CHANGED':
      return `MODE ${d.from}->${d.to}`;
    case 'CONFIG_CHANGED':
      return `CONFIG ${d.config.mode}`;
  }
}

export function briefs(out: readonly DispatchDecision[]): string[] {
  return out.map(brief);
}
