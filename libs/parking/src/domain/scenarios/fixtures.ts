/**
 * Scenario fixtures: a small airport car-park estate and a World that drives Occupancy and a
 * SignDebouncer the way the adapter will: every occupancy change is "published" and fed to the
 * signs bound to its zone, one "real timer" is armed for the debouncer's next(), time is injected.
 *
 *   T1 (AREA)
 *   └── P1 (CAR_PARK)
 *       ├── P1-L1 (LEVEL): P1-L1-01, P1-L1-02 (cam-L1-A); P1-L1-03, P1-L1-04 (cam-L1-B)
 *       └── P1-L2 (LEVEL): P1-L2-01, P1-L2-02, P1-L2-03 (cam-L2)
 *   P2 (CAR_PARK, no levels): P2-01, P2-02 (cam-P2)
 */
import { Occupancy, type BayView, type CameraState, type OccupancyChanged, type ZoneOccupancy } from '../occupancy';
import type { PlateRead } from '../sessions';
import { SignDebouncer, type SignBinding, type SignDecision, type SignDebouncerOptions, type SignSend } from '../sign-debouncer';
import type { ParkingTopology } from '../topology';

/** 2025-01-01T06:00:00Z; scenarios speak in seconds after it. */
export const T0 = Date.UTC(2025, 0, 1, 6, 0, 0);
export const sec = (seconds: number): number => T0 + Math.round(seconds * 1000);

export const ESTATE: ParkingTopology = {
  zones: [
    { id: 'T1', kind: 'AREA' },
    { id: 'P1', kind: 'CAR_PARK', parentId: 'T1' },
    { id: 'P1-L1', kind: 'LEVEL', parentId: 'P1' },
    { id: 'P1-L2', kind: 'LEVEL', parentId: 'P1' },
    { id: 'P2', kind: 'CAR_PARK' },
  ],
  bays: [
    { id: 'P1-L1-01', zoneId: 'P1-L1', cameraId: 'cam-L1-A' },
    { id: 'P1-L1-02', zoneId: 'P1-L1', cameraId: 'cam-L1-A' },
    { id: 'P1-L1-03', zoneId: 'P1-L1', cameraId: 'cam-L1-B' },
    { id: 'P1-L1-04', zoneId: 'P1-L1', cameraId: 'cam-L1-B' },
    { id: 'P1-L2-01', zoneId: 'P1-L2', cameraId: 'cam-L2' },
    { id: 'P1-L2-02', zoneId: 'P1-L2', cameraId: 'cam-L2' },
    { id: 'P1-L2-03', zoneId: 'P1-L2', cameraId: 'cam-L2' },
    { id: 'P2-01', zoneId: 'P2', cameraId: 'cam-P2' },
    { id: 'P2-02', zoneId: 'P2', cameraId: 'cam-P2' },
  ],
};

export const L1_BAYS = ['P1-L1-01', 'P1-L1-02', 'P1-L1-03', 'P1-L1-04'] as const;
export const L2_BAYS = ['P1-L2-01', 'P1-L2-02', 'P1-L2-03'] as const;
export const P2_BAYS = ['P2-01', 'P2-02'] as const;
export const ALL_BAYS: readonly string[] = ESTATE.bays.map((b) => b.id);

/** One sign per car park and per level. */
export const SIGNS: readonly SignBinding[] = [
  { signId: 'sign-P1', zoneId: 'P1' },
  { signId: 'sign-P1-L1', zoneId: 'P1-L1' },
  { signId: 'sign-P1-L2', zoneId: 'P1-L2' },
  { signId: 'sign-P2', zoneId: 'P2' },
];

export class World {
  readonly occupancy: Occupancy;
  readonly signs: SignDebouncer;
  now = T0;
  /** Everything published on /topic/occupancy. */
  readonly published: OccupancyChanged[] = [];
  /** Every DISPLAY_MESSAGE sent to a sign. */
  readonly sent: SignSend[] = [];
  readonly decisions: SignDecision[] = [];

  constructor(
    topology: ParkingTopology = ESTATE,
    readonly bindings: readonly SignBinding[] = SIGNS,
    signOptions: SignDebouncerOptions = {},
  ) {
    this.occupancy = new Occupancy(topology);
    this.signs = new SignDebouncer(signOptions);
  }

  /** Every sign gets its first text (as the adapter does at start). */
  startSigns(): void {
    for (const b of this.bindings) {
      const z = this.occupancy.zone(b.zoneId);
      if (z) this.decide(this.signs.onCounts(b, z, this.now));
    }
  }

  /** Advances time to `seconds`, firing the single adapter timer on the way. */
  runUntil(seconds: number): void {
    const target = sec(seconds);
    for (;;) {
      const due = this.signs.next();
      if (due === undefined || due > target) break;
      this.now = Math.max(this.now, due);
      this.sent.push(...this.signs.due(this.now));
    }
    this.now = Math.max(this.now, target);
  }

  report(bayId: string, occupied: boolean, plate?: string): OccupancyChanged[] {
    return this.publish(this.occupancy.bayReport({ bayId, occupied, ...(plate !== undefined ? { plate } : {}), at: this.now }));
  }

  /** Reports every listed bay. */
  reportAll(bayIds: readonly string[], occupied: boolean): OccupancyChanged[] {
    return bayIds.flatMap((id) => this.report(id, occupied));
  }

  camera(cameraId: string, state: CameraState): OccupancyChanged[] {
    return this.publish(this.occupancy.cameraState(cameraId, state, this.now));
  }

  close(zoneId: string, closed: boolean): OccupancyChanged[] {
    return this.publish(this.occupancy.closeZone(zoneId, closed, this.now));
  }

  counts(zoneId: string): ZoneOccupancy {
    const z = this.occupancy.zone(zoneId);
    if (!z) throw new Error(`no zone ${zoneId}`);
    return z;
  }

  bay(bayId: string): BayView {
    const b = this.occupancy.bay(bayId);
    if (!b) throw new Error(`no bay ${bayId}`);
    return b;
  }

  /** Texts sent to one sign, as `text @s`. */
  sentTo(signId: string): string[] {
    return this.sent.filter((s) => s.signId === signId).map((s) => `${s.text} @${(s.at - T0) / 1000}s`);
  }

  publish(changes: OccupancyChanged[]): OccupancyChanged[] {
    this.published.push(...changes);
    for (const c of changes) for (const b of this.bindings) if (b.zoneId === c.zoneId) this.decide(this.signs.onCounts(b, c, this.now));
    return changes;
  }

  private decide(d: SignDecision): void {
    this.decisions.push(d);
    if (d.type === 'SEND') this.sent.push({ signId: d.signId, zoneId: d.zoneId, text: d.text, at: d.at });
  }
}

/** A compact view of counts for readable expectations: `occupied/free/unknown of total`. */
export function brief(z: Pick<ZoneOccupancy, 'total' | 'occupied' | 'free' | 'unknown'>): string {
  return `${z.occupied} occ / ${z.free} free / ${z.unknown} unk of ${z.total}`;
}

/** A compact view of a change list: `zone: counts`. */
export function briefChanges(changes: readonly OccupancyChanged[]): string[] {
  return changes.map((c) => `${c.zoneId}: ${brief(c)}${c.closed ? ' closed' : ''}${c.available !== c.free ? ` avail ${c.available}` : ''}`);
}

// ---- sessions ------------------------------------------------------------------------------------

export const ENTRY_1 = { laneId: 'P1-E1', laneKind: 'PARK_ENTRY' } as const;
export const ENTRY_2 = { laneId: 'P1-E2', laneKind: 'PARK_ENTRY' } as const;
export const EXIT_1 = { laneId: 'P1-X1', laneKind: 'PARK_EXIT' } as const;
export const EXIT_2 = { laneId: 'P1-X2', laneKind: 'PARK_EXIT' } as const;
export const TAXI_LOT = { laneId: 'TL-E1', laneKind: 'LOT_ENTRY' } as const;

export type LaneFixture = Pick<PlateRead, 'laneId' | 'laneKind'>;

/** A PLATE_READ at `seconds` after T0 on a lane. */
export function plateRead(lane: LaneFixture, plate: string, confidence: number, seconds: number): PlateRead {
  return { ...lane, plate, confidence, at: sec(seconds) };
}
