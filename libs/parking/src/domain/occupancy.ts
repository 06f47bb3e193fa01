/**
 * Live bay occupancy (SPEC §5b): BAY_OCCUPANCY reports from guidance cameras, the cameras' health
 * states, admin zone closures -> counts per zone rolled up the zone tree, the changes to publish on
 * `/topic/occupancy`, and the bay of each plate for find-my-car. Pure: time is the `at` (epoch ms)
 * of each input.
 *
 * Rules (see README.md):
 *  - A bay counts as OCCUPIED or FREE only while its last report is *fresh*: the camera is trusted
 *    (not OFFLINE, FAULT or MAINTENANCE) and the report was accepted after the camera last became
 *    trusted. Otherwise it counts as UNKNOWN, never as free.
 *  - A camera that recovers does not make its bays known again: each bay stays UNKNOWN until it is
 *    re-reported (a report accepted while the camera is trusted, timestamped at or after recovery).
 *  - Reports older than the bay's last accepted report, and camera states older than the camera's
 *    last state, are ignored (out of order).
 *  - Counts are physical: a closed zone's bays still count in total/occupied/free/unknown;
 *    `available` is the free bays outside closed zones (what a sign may offer drivers).
 */
import { isReadablePlate, normalizePlate } from './plate';
import { ParkingError, ZoneTree, type BayNode, type ParkingTopology, type ZoneKind } from './topology';

/** Device states of SPEC §5, as the health tracker reports them for a GUIDANCE_CAMERA. */
export const CAMERA_STATES = ['UNKNOWN', 'ONLINE', 'DEGRADED', 'FAULT', 'OFFLINE', 'MAINTENANCE'] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

/** True when a camera in this state cannot vouch for its bays. */
export function isStaleCameraState(state: CameraState): boolean {
  switch (state) {
    case 'OFFLINE':
    case 'FAULT':
    case 'MAINTENANCE':
      return true;
    case 'UNKNOWN':
    case 'ONLINE':
    case 'DEGRADED':
      return false;
  }
}

export type BayStatus = 'OCCUPIED' | 'FREE' | 'UNKNOWN';

/** One BAY_OCCUPANCY event (SPEC §4), as accepted by the adapter. */
export interface BayReport {
  readonly bayId: string;
  readonly occupied: boolean;
  /** The plate a guidance camera read, if any (normalized here). */
  readonly plate?: string;
  /** The reporting device; when given it must be the bay's camera, else the report is ignored. */
  readonly cameraId?: string;
  /** Epoch ms. */
  readonly at: number;
}

export interface OccupancyCounts {
  readonly total: number;
  readonly occupied: number;
  readonly free: number;
  readonly unknown: number;
  /** Free bays not in a closed zone (this zone or any zone above or below it). `available <= free`. */
  readonly available: number;
}

export interface ZoneOccupancy extends OccupancyCounts {
  readonly zoneId: string;
  readonly zoneKind: ZoneKind;
  /** Closed by an admin, itself or through an ancestor. */
  readonly closed: boolean;
}

/** A zone whose counts (or closed flag) changed: the body the adapter publishes on /topic/occupancy. */
export interface OccupancyChanged extends ZoneOccupancy {
  readonly kind: 'OCCUPANCY_CHANGED';
  readonly at: number;
}

export interface BayView {
  readonly bayId: string;
  readonly zoneId: string;
  readonly cameraId: string;
  /** What the bay counts as. */
  readonly status: BayStatus;
  /** The last accepted report's value, fresh or not. */
  readonly lastReported?: { readonly occupied: boolean; readonly at: number };
  readonly plate?: string;
  /** When `plate` was first read in this bay. */
  readonly plateSince?: number;
}

/** Find-my-car answer (SPEC §5b / `GET /api/parking/vehicles/{plate}`). */
export interface CarLocation {
  readonly plate: string;
  readonly bayId: string;
  /** The bay's own zone (a LEVEL, or a CAR_PARK without levels). */
  readonly zoneId: string;
  readonly levelId?: string;
  readonly carParkId?: string;
  /** First report of this plate in this bay. */
  readonly since: number;
  /** True when the bay is currently UNKNOWN (camera down, not yet re-reported): last known place. */
  readonly stale: boolean;
}

interface BaySlot {
  node: BayNode;
  occupied?: boolean;
  reportedAt?: number;
  /** Camera epoch the last report was accepted under while fresh; -1 when it was not fresh. */
  epoch: number;
  plate?: string;
  plateSince?: number;
  status: BayStatus;
}

interface CameraSlot {
  state: CameraState;
  at: number;
  /** Incremented each time the camera goes from stale to trusted. */
  epoch: number;
  trustedSince: number;
}

interface Counter {
  total: number;
  occupied: number;
  free: number;
  unknown: number;
  available: number;
}

const TRUSTED_FROM_THE_START: Omit<CameraSlot, 'state' | 'at'> = { epoch: 0, trustedSince: -Infinity };

export class Occupancy {
  private tree: ZoneTree;
  private bays = new Map<string, BaySlot>();
  private readonly cameras = new Map<string, CameraSlot>();
  private readonly closedZones = new Set<string>();
  private readonly plates = new Map<string, string>(); // normalized plate -> bayId
  private counters: Counter[] = [];
  private closedEff: boolean[] = [];

  constructor(topology: ParkingTopology) {
    this.tree = new ZoneTree(topology);
    for (const node of this.tree.bays()) this.bays.set(node.def.id, { node, epoch: -1, status: 'UNKNOWN' });
    this.recount();
  }

  /** A BAY_OCCUPANCY report. Unknown bays, another camera's reports and out-of-order reports change nothing. */
  bayReport(report: BayReport): OccupancyChanged[] {
    const at = checkTime(report.at);
    const bay = this.bays.get(report.bayId);
    if (!bay) return [];
    if (report.cameraId !== undefined && report.cameraId !== bay.node.def.cameraId) return [];
    if (bay.reportedAt !== undefined && at < bay.reportedAt) return [];
    const cam = this.camera(bay.node.def.cameraId);

    bay.reportedAt = at;
    bay.epoch = !isStaleCameraState(cam.state) && at >= cam.trustedSince ? cam.epoch : -1;
    this.applyPlate(bay, report.occupied, report.plate === undefined ? undefined : normalizePlate(report.plate), at);
    bay.occupied = report.occupied;

    const before = this.snapshots();
    this.restatus(bay, before);
    return before.changes(at);
  }

  /** The health state of a guidance camera (from the device health tracker). */
  cameraState(cameraId: string, state: CameraState, at: number): OccupancyChanged[] {
    checkTime(at);
    const cam = this.cameras.get(cameraId);
    if (cam && at < cam.at) return [];
    const wasStale = cam ? isStaleCameraState(cam.state) : false;
    const next: CameraSlot = cam ?? { state, at, ...TRUSTED_FROM_THE_START };
    next.state = state;
    next.at = at;
    if (wasStale && !isStaleCameraState(state)) {
      next.epoch += 1;
      next.trustedSince = at;
    }
    this.cameras.set(cameraId, next);

    const before = this.snapshots();
    for (const bayId of this.tree.baysOfCamera(cameraId)) {
      const bay = this.bays.get(bayId);
      if (bay) this.restatus(bay, before);
    }
    return before.changes(at);
  }

  /** Admin: close (or reopen) a zone. Closing a zone closes every zone below it. */
  closeZone(zoneId: string, closed: boolean, at: number): OccupancyChanged[] {
    checkTime(at);
    if (this.tree.indexOf(zoneId) === undefined) throw new ParkingError('not-found', `unknown zone ${zoneId}`, { zoneId });
    if (closed === this.closedZones.has(zoneId)) return [];
    if (closed) this.closedZones.add(zoneId);
    else this.closedZones.delete(zoneId);
    const before = this.snapshots();
    before.touchAll();
    this.recount();
    return before.changes(at);
  }

  /**
   * Replaces the topology (e.g. after `PUT /topology`). Bays that keep their id and camera keep
   * their state and plate; a bay moved to another camera starts UNKNOWN. Closures of zones that
   * still exist are kept. Returns changes for every zone whose counts differ, and every new zone.
   */
  setTopology(topology: ParkingTopology, at: number): OccupancyChanged[] {
    checkTime(at);
    const tree = new ZoneTree(topology);
    const before = new Map(this.zones().map((z) => [z.zoneId, z]));
    const old = this.bays;
    this.tree = tree;
    this.bays = new Map();
    this.plates.clear();
    for (const node of tree.bays()) {
      const prev = old.get(node.def.id);
      const slot: BaySlot =
        prev && prev.node.def.cameraId === node.def.cameraId ? { ...prev, node } : { node, epoch: -1, status: 'UNKNOWN' };
      this.bays.set(node.def.id, slot);
      if (slot.plate !== undefined) this.plates.set(slot.plate, node.def.id);
    }
    for (const z of [...this.closedZones]) if (tree.indexOf(z) === undefined) this.closedZones.delete(z);
    this.recount();
    return this.zones()
      .filter((z) => !sameOccupancy(before.get(z.zoneId), z))
      .map((z) => changed(z, at));
  }

  // ---- read model ------------------------------------------------------------------------------

  zone(zoneId: string): ZoneOccupancy | undefined {
    const i = this.tree.indexOf(zoneId);
    return i === undefined ? undefined : this.view(i);
  }

  /** Every zone, in topology order. */
  zones(): ZoneOccupancy[] {
    return this.tree.zones.map((z) => this.view(z.index));
  }

  bay(bayId: string): BayView | undefined {
    const b = this.bays.get(bayId);
    if (!b) return undefined;
    const def = b.node.def;
    return {
      bayId: def.id,
      zoneId: def.zoneId,
      cameraId: def.cameraId,
      status: b.status,
      ...(b.occupied !== undefined && b.reportedAt !== undefined ? { lastReported: { occupied: b.occupied, at: b.reportedAt } } : {}),
      ...(b.plate !== undefined ? { plate: b.plate, plateSince: b.plateSince } : {}),
    };
  }

  cameraStateOf(cameraId: string): CameraState | undefined {
    return this.cameras.get(cameraId)?.state;
  }

  isClosed(zoneId: string): boolean {
    const i = this.tree.indexOf(zoneId);
    return i !== undefined && this.closedEff[i];
  }

  /** Where is the car with this plate (normalized before lookup)? */
  locate(plate: string): CarLocation | undefined {
    const p = normalizePlate(plate);
    const bayId = this.plates.get(p);
    const b = bayId === undefined ? undefined : this.bays.get(bayId);
    if (!b || b.plateSince === undefined) return undefined;
    const zoneId = b.node.def.zoneId;
    const levelId = this.tree.nearest(zoneId, 'LEVEL');
    const carParkId = this.tree.nearest(zoneId, 'CAR_PARK');
    return {
      plate: p,
      bayId: b.node.def.id,
      zoneId,
      ...(levelId !== undefined ? { levelId } : {}),
      ...(carParkId !== undefined ? { carParkId } : {}),
      since: b.plateSince,
      stale: b.status === 'UNKNOWN',
    };
  }

  // ---- internals -------------------------------------------------------------------------------

  private snapshots(): Snapshots {
    return new Snapshots((i) => this.view(i), this.tree.zones.length);
  }

  private view(i: number): ZoneOccupancy {
    const z = this.tree.zones[i].def;
    const c = this.counters[i];
    return {
      zoneId: z.id,
      zoneKind: z.kind,
      total: c.total,
      occupied: c.occupied,
      free: c.free,
      unknown: c.unknown,
      available: c.available,
      closed: this.closedEff[i],
    };
  }

  private camera(cameraId: string): CameraSlot {
    return this.cameras.get(cameraId) ?? { state: 'UNKNOWN', at: -Infinity, ...TRUSTED_FROM_THE_START };
  }

  private statusOf(bay: BaySlot): BayStatus {
    if (bay.occupied === undefined) return 'UNKNOWN';
    const cam = this.camera(bay.node.def.cameraId);
    if (isStaleCameraState(cam.state) || bay.epoch !== cam.epoch) return 'UNKNOWN';
    return bay.occupied ? 'OCCUPIED' : 'FREE';
  }

  /** Recomputes one bay's status and moves it between buckets along its zone chain. */
  private restatus(bay: BaySlot, before: Snapshots): void {
    const next = this.statusOf(bay);
    if (next === bay.status) return;
    const open = !bay.node.chain.some((i) => this.closedEff[i]);
    for (const i of bay.node.chain) {
      before.touch(i);
      const c = this.counters[i];
      bump(c, bay.status, -1, open);
      bump(c, next, +1, open);
    }
    bay.status = next;
  }

  private applyPlate(bay: BaySlot, occupied: boolean, plate: string | undefined, at: number): void {
    const bayId = bay.node.def.id;
    if (!occupied) {
      this.dropPlate(bay);
      return;
    }
    if (plate === undefined || !isReadablePlate(plate)) {
      // Occupied without a (readable) plate: the car already there keeps its plate; a car that
      // arrives in a free or never-reported bay has none.
      if (bay.occupied !== true) this.dropPlate(bay);
      return;
    }
    if (bay.plate === plate) return;
    this.dropPlate(bay);
    const elsewhere = this.plates.get(plate);
    if (elsewhere !== undefined && elsewhere !== bayId) {
      const other = this.bays.get(elsewhere);
      if (other) {
        other.plate = undefined;
        other.plateSince = undefined;
      }
    }
    bay.plate = plate;
    bay.plateSince = at;
    this.plates.set(plate, bayId);
  }

  private dropPlate(bay: BaySlot): void {
    if (bay.plate !== undefined && this.plates.get(bay.plate) === bay.node.def.id) this.plates.delete(bay.plate);
    bay.plate = undefined;
    bay.plateSince = undefined;
  }

  private recount(): void {
    const zones = this.tree.zones;
    this.closedEff = zones.map((z) => z.chain.some((i) => this.closedZones.has(zones[i].def.id)));
    this.counters = zones.map(() => ({ total: 0, occupied: 0, free: 0, unknown: 0, available: 0 }));
    for (const bay of this.bays.values()) {
      bay.status = this.statusOf(bay);
      const open = !bay.node.chain.some((i) => this.closedEff[i]);
      for (const i of bay.node.chain) {
        this.counters[i].total += 1;
        bump(this.counters[i], bay.status, +1, open);
      }
    }
  }
}

function bump(c: Counter, status: BayStatus, by: number, open: boolean): void {
  switch (status) {
    case 'OCCUPIED':
      c.occupied += by;
      break;
    case 'FREE':
      c.free += by;
      if (open) c.available += by;
      break;
    case 'UNKNOWN':
      c.unknown += by;
      break;
  }
}

/** Zone views captured before a change, so that only zones that really changed are reported. */
class Snapshots {
  private readonly saved = new Map<number, ZoneOccupancy>();

  constructor(
    private readonly view: (zoneIndex: number) => ZoneOccupancy,
    private readonly zoneCount: number,
  ) {}

  touch(i: number): void {
    if (!this.saved.has(i)) this.saved.set(i, this.view(i));
  }

  touchAll(): void {
    for (let i = 0; i < this.zoneCount; i++) this.touch(i);
  }

  changes(at: number): OccupancyChanged[] {
    const out: OccupancyChanged[] = [];
    for (const i of [...this.saved.keys()].sort((a, b) => a - b)) {
      const now = this.view(i);
      if (!sameOccupancy(this.saved.get(i), now)) out.push(changed(now, at));
    }
    return out;
  }
}

function sameOccupancy(a: ZoneOccupancy | undefined, b: ZoneOccupancy): boolean {
  return (
    a !== undefined &&
    a.zoneKind === b.zoneKind &&
    a.total === b.total &&
    a.occupied === b.occupied &&
    a.free === b.free &&
    a.unknown === b.unknown &&
    a.available === b.available &&
    a.closed === b.closed
  );
}

function changed(z: ZoneOccupancy, at: number): OccupancyChanged {
  return { kind: 'OCCUPANCY_CHANGED', ...z, at };
}

function checkTime(at: number): number {
  if (!Number.isFinite(at)) throw new RangeError(`at must be a finite epoch ms, got ${at}`);
  return at;
}
