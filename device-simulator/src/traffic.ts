/**
 * Field events for the whole airport from one timer: vehicles at the car-park lanes (detector,
 * plate read, barrier), bays flipping under the guidance cameras, payments at the kiosks. Each
 * tick draws how many of each happen (Poisson) and hands them to random devices, so the cost does
 * not grow with idle devices. Taxis and passengers are dispatch-flow.ts's.
 */
import type { Airport, LaneModel } from './airport';
import type { SimDevice } from './device';
import type { Random } from './random';

export interface TrafficOptions {
  /** Multiplies every rate below; 0 turns events off. */
  readonly scale: number;
}

/** Mean seconds between events of one source at scale 1. */
const MEAN_S = { laneVehicle: 20, bayChange: 45, payment: 40 } as const;
const TICK_MS = 250;
/** Share of plate reads below 0.8 confidence (flagged for review by the server, SPEC §5b). */
const LOW_CONFIDENCE = 0.07;

const HANGUL = ['가', '나', '다', '라', '마', '거', '너', '더', '러', '머', '버', '서', '어', '저', '고', '노', '도', '로', '모', '보', '소', '오', '조', '구', '누', '두', '루', '무', '부', '수', '우', '주', '하', '허', '호'];

export class Traffic {
  private timer: NodeJS.Timeout | undefined;
  private readonly parked = new Map<string, string[]>();
  private readonly bays = new Map<string, boolean>();
  private readonly lanes: Array<{ carPark: string; lane: LaneModel; entry: boolean }>;
  private readonly cameras: Array<[string, readonly string[]]>;
  private readonly kiosks: string[];
  private last = Date.now();

  constructor(
    airport: Airport,
    private readonly devices: ReadonlyMap<string, SimDevice>,
    private readonly random: Random,
    private readonly options: TrafficOptions,
  ) {
    this.lanes = airport.carParks.flatMap((c) => [
      ...c.entries.map((lane) => ({ carPark: c.zoneId, lane, entry: true })),
      ...c.exits.map((lane) => ({ carPark: c.zoneId, lane, entry: false })),
    ]);
    this.cameras = airport.carParks.flatMap((c) => [...c.cameras.entries()]);
    this.kiosks = airport.carParks.flatMap((c) => [...c.kiosks]);
  }

  start(): void {
    if (this.options.scale <= 0 || this.timer) return;
    this.last = Date.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private count(sources: number, meanS: number, dtS: number): number {
    return this.random.poisson((sources * dtS * this.options.scale) / meanS);
  }

  private tick(): void {
    const now = Date.now();
    const dtS = (now - this.last) / 1000;
    this.last = now;
    const r = this.random;
    const entries = this.lanes.filter((l) => l.entry);
    const exits = this.lanes.filter((l) => !l.entry);
    for (let i = this.count(entries.length, MEAN_S.laneVehicle, dtS); i > 0; i--) this.vehicle(r.pick(entries));
    for (let i = this.count(exits.length, MEAN_S.laneVehicle, dtS); i > 0; i--) this.vehicle(r.pick(exits));
    for (let i = this.count(this.cameras.length, MEAN_S.bayChange, dtS); i > 0; i--) this.bayChange(r.pick(this.cameras));
    for (let i = this.count(this.kiosks.length, MEAN_S.payment, dtS); i > 0; i--) this.payment(r.pick(this.kiosks));
  }

  private plate(): string {
    const r = this.random;
    return `${r.int(10, 399)}${r.pick(HANGUL)}${r.int(1000, 9999)}`;
  }

  private confidence(): number {
    const r = this.random;
    const c = r.chance(LOW_CONFIDENCE) ? r.between(0.45, 0.79) : r.between(0.86, 0.995);
    return Math.round(c * 1000) / 1000;
  }

  /** A vehicle at a car-park lane: loop detector, plate read, barrier up (and down by itself). */
  private vehicle(l: { carPark: string; lane: LaneModel; entry: boolean }): void {
    const parked = this.parked.get(l.carPark) ?? [];
    this.parked.set(l.carPark, parked);
    let plate: string;
    if (l.entry || parked.length === 0) plate = this.plate();
    else plate = parked.splice(this.random.int(0, parked.length - 1), 1)[0]!;
    const laneId = l.lane.lane.id;
    if (l.lane.detectorId) this.devices.get(l.lane.detectorId)?.sendEvent({ type: 'VEHICLE_DETECTED', laneId, at: new Date().toISOString() });
    const confidence = this.confidence();
    const read = this.devices.get(l.lane.cameraId)?.sendEvent({ type: 'PLATE_READ', plate, confidence, laneId, at: new Date().toISOString() }) ?? false;
    if (l.entry && read) {
      parked.push(plate);
      if (parked.length > 5000) parked.shift();
    }
    // a low-confidence read waits for the driver's ticket; the barrier opens either way
    const gate = l.lane.gateId === undefined ? undefined : this.devices.get(l.lane.gateId);
    if (gate) setTimeout(() => gate.moveGate('OPEN'), confidence < 0.8 ? 2500 : 300).unref();
  }

  private bayChange([cameraId, bays]: [string, readonly string[]]): void {
    const bayId = this.random.pick(bays);
    const occupied = !(this.bays.get(bayId) ?? false);
    const event: Record<string, unknown> = { type: 'BAY_OCCUPANCY', bayId, occupied, at: new Date().toISOString() };
    if (occupied && this.random.chance(0.7)) event['plate'] = this.plate();
    if (this.devices.get(cameraId)?.sendEvent(event)) this.bays.set(bayId, occupied);
  }

  private payment(kioskId: string): void {
    const r = this.random;
    this.devices.get(kioskId)?.sendEvent({
      type: 'PAYMENT',
      amount: r.int(2, 120) * 500,
      method: r.chance(0.85) ? 'CARD' : 'CASH',
      ok: r.chance(0.96),
      at: new Date().toISOString(),
    });
  }
}
