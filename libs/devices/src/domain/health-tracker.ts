import type { DeviceType } from '../../../contracts/src/roles';
import { DeadlineWheel } from './deadline-wheel';
import type { DeviceDirectory, DeviceInfo } from './device-directory';
import {
  HEARTBEAT_OUTCOME,
  type FlappingSignal,
  type HealthEvent,
  type HealthState,
  type HeartbeatStatus,
  type Transition,
  type TransitionReason,
} from './health-state';

/** SPEC §5 defaults. */
export const DEFAULT_INTERVAL_S = 5;
export const DEFAULT_MISS_TOLERANCE = 3;
export const DISCONNECT_GRACE_S = 10;
/** "More than 4 changes in 60 s" is flapping; the episode ends after 60 s without a change. */
export const FLAP_MAX_CHANGES = 4;
export const FLAP_WINDOW_S = 60;

/** Per-device configuration; omitted values fall back to the type's defaults. */
export interface DeviceConfig {
  readonly type: DeviceType;
  readonly intervalS?: number;
  readonly missTolerance?: number;
  readonly parentId?: string;
  /** Persisted admin flag: a device registered in maintenance starts (and stays) MAINTENANCE. */
  readonly maintenance?: boolean;
}

/** A change of configuration; `parentId: null` removes the parent. */
export interface DeviceConfigPatch {
  readonly type?: DeviceType;
  readonly intervalS?: number;
  readonly missTolerance?: number;
  readonly parentId?: string | null;
  readonly maintenance?: boolean;
}

export interface HealthTrackerOptions {
  /** Heartbeat interval per type, seconds; types not named use {@link DEFAULT_INTERVAL_S}. */
  readonly intervalByType?: Partial<Record<DeviceType, number>>;
  readonly missTolerance?: number;
  readonly disconnectGraceS?: number;
  readonly flapMaxChanges?: number;
  readonly flapWindowS?: number;
}

/** A device's health as the tracker sees it now (for REST reads and dashboards). */
export interface DeviceHealth {
  readonly deviceId: string;
  readonly type: DeviceType;
  readonly state: HealthState;
  /** When the current state began; undefined if the device has not changed state since registration. */
  readonly since?: number;
  readonly lastHeartbeatAt?: number;
  readonly flapping: boolean;
  readonly intervalS: number;
  readonly missTolerance: number;
  readonly parentId?: string;
}

export class UnknownDeviceError extends Error {
  constructor(readonly deviceId: string) {
    super(`device ${deviceId} is not registered`);
    this.name = 'UnknownDeviceError';
  }
}

/** Mutable per-device liveness; one per registered device, allocated once at registration. */
class DeviceRecord {
  state: HealthState = 'UNKNOWN';
  since: number | undefined = undefined;
  lastHeartbeatAt: number | undefined = undefined;
  /** Start of a watch without a heartbeat (connect of a never-heard device, restart, end of maintenance). */
  watchSince: number | undefined = undefined;
  /** Transport lost at this instant and not back yet. */
  disconnectedAt: number | undefined = undefined;
  /** Not heard since a control-service restart: a silence-OFFLINE names RESTART_GRACE. */
  restartGrace = false;
  flapping = false;
  flapEndsAt = 0;
  /** Ring of the last (flapMaxChanges + 1) counted change instants, allocated on the first change. */
  changes: number[] | undefined = undefined;
  changeHead = 0;
  changeCount = 0;
  /** What the wheel holds for this device: never later than its earliest real deadline. */
  scheduledAt: number | undefined = undefined;
  windowMs: number;

  constructor(
    readonly id: string,
    public type: DeviceType,
    public intervalS: number,
    public missTolerance: number,
    public parentId: string | undefined,
  ) {
    this.windowMs = intervalS * missTolerance * 1000;
  }
}

const NONE: readonly HealthEvent[] = Object.freeze([]);

/**
 * In-memory liveness of every device (SPEC §5). Pure: no timers, no I/O; every input carries
 * `now` (epoch ms) and returns the events it caused. Each call first processes every deadline
 * that fell due up to `now` (for any device), so the result does not depend on how often the
 * adapter calls {@link tick}: a late timer yields the same transitions, stamped with the instant
 * they became true. Time never runs backwards: an earlier `now` is read as the latest seen.
 *
 * Deadlines (silence, disconnect grace, end of flapping) live in one {@link DeadlineWheel} entry
 * per device, at the earliest of them. A heartbeat that changes nothing does not touch the wheel:
 * it only records the time, and the entry, now early, is moved when it fires (lazy rescheduling),
 * so the hot path is O(1) and allocates nothing.
 */
export class HealthTracker implements DeviceDirectory {
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly wheel = new DeadlineWheel();
  private readonly intervalByType: Partial<Record<DeviceType, number>>;
  private readonly missTolerance: number;
  private readonly graceMs: number;
  private readonly flapMaxChanges: number;
  private readonly flapWindowMs: number;
  private clock = -Infinity;
  private out: HealthEvent[] | undefined = undefined;

  constructor(options: HealthTrackerOptions = {}) {
    this.intervalByType = { ...options.intervalByType };
    for (const v of Object.values(this.intervalByType)) positive('intervalS', v);
    this.missTolerance = tolerance(options.missTolerance ?? DEFAULT_MISS_TOLERANCE);
    this.graceMs = nonNegative('disconnectGraceS', options.disconnectGraceS ?? DISCONNECT_GRACE_S) * 1000;
    this.flapMaxChanges = tolerance(options.flapMaxChanges ?? FLAP_MAX_CHANGES);
    this.flapWindowMs = positive('flapWindowS', options.flapWindowS ?? FLAP_WINDOW_S) * 1000;
  }

  get size(): number {
    return this.devices.size;
  }

  ids(): IterableIterator<string> {
    return this.devices.keys();
  }

  /** The earliest pending deadline (epoch ms): arm one real timer for it and call {@link tick}. */
  next(): number | undefined {
    return this.wheel.next();
  }

  stateOf(deviceId: string): HealthState | undefined {
    return this.devices.get(deviceId)?.state;
  }

  describe(deviceId: string): DeviceInfo | undefined {
    const d = this.devices.get(deviceId);
    return d && { type: d.type, parentId: d.parentId };
  }

  snapshot(deviceId: string): DeviceHealth | undefined {
    const d = this.devices.get(deviceId);
    if (!d) return undefined;
    return {
      deviceId: d.id,
      type: d.type,
      state: d.state,
      since: d.since,
      lastHeartbeatAt: d.lastHeartbeatAt,
      flapping: d.flapping,
      intervalS: d.intervalS,
      missTolerance: d.missTolerance,
      parentId: d.parentId,
    };
  }

  /**
   * Adds a device, UNKNOWN and unwatched: a device nobody has heard from yet raises nothing until
   * it connects or heartbeats. Registered in maintenance, it moves UNKNOWN -> MAINTENANCE at once
   * (a transition, so the alert engine learns it too).
   */
  register(deviceId: string, config: DeviceConfig, now: number): readonly HealthEvent[] {
    if (this.devices.has(deviceId)) throw new Error(`device ${deviceId} is already registered`);
    const intervalS = positive('intervalS', config.intervalS ?? this.intervalByType[config.type] ?? DEFAULT_INTERVAL_S);
    const missTolerance = tolerance(config.missTolerance ?? this.missTolerance);
    const t = this.advance(now);
    const d = new DeviceRecord(deviceId, config.type, intervalS, missTolerance, config.parentId);
    this.devices.set(deviceId, d);
    if (config.maintenance === true) this.applyMaintenance(d, true, t);
    return this.flush();
  }

  /** Forgets a device and its deadlines; no transition (the device no longer exists). */
  unregister(deviceId: string): boolean {
    const d = this.devices.get(deviceId);
    if (!d) return false;
    this.wheel.cancel(deviceId);
    this.devices.delete(deviceId);
    return true;
  }

  /**
   * Changes a device's configuration. A new window applies to the current silence too; if it
   * has already elapsed the device goes OFFLINE now (never back-dated before the change).
   */
  configure(deviceId: string, patch: DeviceConfigPatch, now: number): readonly HealthEvent[] {
    const d = this.device(deviceId);
    const intervalS = positive('intervalS', patch.intervalS ?? d.intervalS);
    const missTolerance = tolerance(patch.missTolerance ?? d.missTolerance);
    const t = this.advance(now);
    if (patch.type !== undefined) d.type = patch.type;
    if (patch.parentId !== undefined) d.parentId = patch.parentId ?? undefined;
    if (intervalS !== d.intervalS || missTolerance !== d.missTolerance) {
      d.intervalS = intervalS;
      d.missTolerance = missTolerance;
      d.windowMs = d.intervalS * d.missTolerance * 1000;
      const live = this.livenessDeadline(d);
      if (live !== undefined && live < t) d.watchSince = t - d.windowMs;
      this.reschedule(d);
    }
    if (patch.maintenance !== undefined) this.applyMaintenance(d, patch.maintenance, t);
    this.advance(t);
    return this.flush();
  }

  /**
   * The hot path. OK -> ONLINE (RECOVERED), DEGRADED -> DEGRADED (REPORTED_DEGRADED),
   * FAULT -> FAULT (REPORTED_FAULT); a heartbeat also proves the transport is back. In
   * MAINTENANCE the time is recorded and nothing else happens. O(1), no allocation unless the
   * state changes or the device had no deadline.
   */
  heartbeat(deviceId: string, status: HeartbeatStatus, now: number): readonly HealthEvent[] {
    const d = this.device(deviceId);
    const t = this.advance(now);
    d.lastHeartbeatAt = t;
    d.disconnectedAt = undefined;
    if (d.state === 'MAINTENANCE') return this.flush();
    d.restartGrace = false;
    const outcome = HEARTBEAT_OUTCOME[status];
    if (outcome.state !== d.state) this.change(d, outcome.state, outcome.reason, t);
    // The wheel entry may stay earlier than the new deadline (it is moved when it fires), but
    // never later: only schedule when there is no entry or it lies beyond the new deadline.
    const deadline = t + d.windowMs;
    if (d.scheduledAt === undefined || d.scheduledAt > deadline) this.scheduleAt(d, deadline);
    return this.flush();
  }

  /**
   * A transport session opened. Never makes a device ONLINE (only heartbeats do); it cancels a
   * pending disconnect grace, and for a device never heard from it starts the silence watch, so
   * an open transport without heartbeats goes OFFLINE after one window.
   */
  connected(deviceId: string, now: number): readonly HealthEvent[] {
    const d = this.device(deviceId);
    const t = this.advance(now);
    d.disconnectedAt = undefined;
    if (d.state === 'UNKNOWN' && d.lastHeartbeatAt === undefined && d.watchSince === undefined) d.watchSince = t;
    this.reschedule(d);
    return this.flush();
  }

  /**
   * The device's last transport session closed. Unless it reconnects or heartbeats within the
   * disconnect grace it goes OFFLINE (DISCONNECTED), or earlier if its silence window ends first.
   */
  disconnected(deviceId: string, now: number): readonly HealthEvent[] {
    const d = this.device(deviceId);
    const t = this.advance(now);
    if (d.state !== 'OFFLINE' && d.state !== 'MAINTENANCE' && d.disconnectedAt === undefined) {
      d.disconnectedAt = t;
      this.reschedule(d);
    }
    return this.flush();
  }

  /**
   * Admin maintenance. Entering: -> MAINTENANCE, all liveness deadlines off. Leaving:
   * -> UNKNOWN until the next heartbeat, with a fresh silence window from now.
   */
  setMaintenance(deviceId: string, on: boolean, now: number): readonly HealthEvent[] {
    const d = this.device(deviceId);
    this.applyMaintenance(d, on, this.advance(now));
    return this.flush();
  }

  /**
   * After a control-service restart: every listed device not in maintenance becomes UNKNOWN
   * (a transition with reason RESTART_GRACE if it was anything else) and gets one tolerance
   * window from `now` to be heard before it goes OFFLINE, with reason RESTART_GRACE.
   */
  startAfterRestart(deviceIds: Iterable<string>, now: number): readonly HealthEvent[] {
    const devices = Array.from(deviceIds, (id) => this.device(id));
    const t = this.advance(now);
    for (const d of devices) {
      if (d.state === 'MAINTENANCE') continue;
      d.watchSince = t;
      d.restartGrace = true;
      d.disconnectedAt = undefined;
      if (d.state !== 'UNKNOWN') this.change(d, 'UNKNOWN', 'RESTART_GRACE', t);
      this.reschedule(d);
    }
    return this.flush();
  }

  /** Processes every deadline due at or before `now`. */
  tick(now: number): readonly HealthEvent[] {
    this.advance(now);
    return this.flush();
  }

  private device(deviceId: string): DeviceRecord {
    const d = this.devices.get(deviceId);
    if (!d) throw new UnknownDeviceError(deviceId);
    return d;
  }

  private advance(now: number): number {
    if (!Number.isFinite(now)) throw new RangeError(`now must be a finite epoch ms, got ${now}`);
    const t = now > this.clock ? now : this.clock;
    this.clock = t;
    for (let entry = this.wheel.next(); entry !== undefined && entry <= t; entry = this.wheel.next()) {
      // The entry stays in the heap and is moved in place: one sift instead of a pop and a push.
      const d = this.devices.get(this.wheel.peek() as string) as DeviceRecord;
      const due = this.nextDeadline(d);
      if (due === undefined) {
        this.wheel.cancel(d.id);
        d.scheduledAt = undefined;
      } else if (due > entry) {
        // A stale (early) entry left by a heartbeat: move it to the real deadline. Firing only
        // when entry === real deadline keeps the output in time order across devices.
        this.scheduleAt(d, due);
      } else {
        this.fire(d, due);
        const next = this.nextDeadline(d);
        if (next !== undefined && next <= due) throw new Error(`health tracker: deadline ${due} of ${d.id} was not consumed`);
        this.reschedule(d);
      }
    }
    return t;
  }

  /** Applies every deadline of `d` that falls at `at` (its earliest). */
  private fire(d: DeviceRecord, at: number): void {
    if (d.flapping && d.flapEndsAt <= at) {
      d.flapping = false;
      this.signal('FLAPPING_ENDED', d, d.flapEndsAt);
    }
    const lost = this.disconnectDeadline(d);
    const silent = this.livenessDeadline(d);
    // On a tie the disconnect is the more specific reason.
    if (lost !== undefined && lost <= at && (silent === undefined || lost <= silent)) {
      this.change(d, 'OFFLINE', 'DISCONNECTED', lost);
    } else if (silent !== undefined && silent <= at) {
      this.change(d, 'OFFLINE', d.restartGrace ? 'RESTART_GRACE' : 'HEARTBEAT_MISSED', silent);
    }
  }

  private applyMaintenance(d: DeviceRecord, on: boolean, t: number): void {
    if (on && d.state !== 'MAINTENANCE') {
      d.disconnectedAt = undefined;
      d.restartGrace = false;
      this.change(d, 'MAINTENANCE', 'MAINTENANCE', t);
      this.reschedule(d);
    } else if (!on && d.state === 'MAINTENANCE') {
      d.watchSince = t;
      this.change(d, 'UNKNOWN', 'MAINTENANCE', t);
      this.reschedule(d);
    }
  }

  private change(d: DeviceRecord, to: HealthState, reason: TransitionReason, at: number): void {
    const from = d.state;
    d.state = to;
    d.since = at;
    if (to === 'OFFLINE') {
      d.disconnectedAt = undefined;
      d.restartGrace = false;
    }
    // Admin and restart moves (MAINTENANCE, -> UNKNOWN) are not the device flapping.
    const counted = reason !== 'MAINTENANCE' && to !== 'UNKNOWN';
    const started = counted && this.recordChange(d, at);
    const transition: Transition = { type: 'TRANSITION', deviceId: d.id, from, to, reason, at, flapping: d.flapping };
    this.emit(transition);
    if (started) this.signal('FLAPPING_STARTED', d, at);
  }

  /** Records a counted change; true if it starts a flapping episode. */
  private recordChange(d: DeviceRecord, at: number): boolean {
    const size = this.flapMaxChanges + 1;
    const ring = (d.changes ??= new Array<number>(size).fill(0));
    ring[d.changeHead] = at;
    d.changeHead = (d.changeHead + 1) % size;
    if (d.changeCount < size) d.changeCount++;
    if (d.flapping) {
      d.flapEndsAt = at + this.flapWindowMs;
      return false;
    }
    // After the write, changeHead points at the oldest of the last `size` changes.
    if (d.changeCount === size && at - ring[d.changeHead] <= this.flapWindowMs) {
      d.flapping = true;
      d.flapEndsAt = at + this.flapWindowMs;
      return true;
    }
    return false;
  }

  private signal(type: FlappingSignal['type'], d: DeviceRecord, at: number): void {
    this.emit({ type, deviceId: d.id, at, state: d.state });
  }

  private livenessDeadline(d: DeviceRecord): number | undefined {
    if (d.state === 'OFFLINE' || d.state === 'MAINTENANCE') return undefined;
    const hb = d.lastHeartbeatAt;
    const watch = d.watchSince;
    if (hb === undefined && watch === undefined) return undefined;
    const anchor = hb === undefined ? (watch as number) : watch === undefined ? hb : Math.max(hb, watch);
    return anchor + d.windowMs;
  }

  private disconnectDeadline(d: DeviceRecord): number | undefined {
    if (d.disconnectedAt === undefined || d.state === 'OFFLINE' || d.state === 'MAINTENANCE') return undefined;
    return d.disconnectedAt + this.graceMs;
  }

  private nextDeadline(d: DeviceRecord): number | undefined {
    let next = this.livenessDeadline(d);
    const lost = this.disconnectDeadline(d);
    if (lost !== undefined && (next === undefined || lost < next)) next = lost;
    if (d.flapping && (next === undefined || d.flapEndsAt < next)) next = d.flapEndsAt;
    return next;
  }

  /** Puts the wheel entry exactly at the device's earliest deadline (or removes it). */
  private reschedule(d: DeviceRecord): void {
    const next = this.nextDeadline(d);
    if (next === undefined) {
      if (d.scheduledAt !== undefined) {
        this.wheel.cancel(d.id);
        d.scheduledAt = undefined;
      }
    } else if (next !== d.scheduledAt) {
      this.scheduleAt(d, next);
    }
  }

  private scheduleAt(d: DeviceRecord, at: number): void {
    this.wheel.schedule(d.id, at);
    d.scheduledAt = at;
  }

  private emit(event: HealthEvent): void {
    (this.out ??= []).push(event);
  }

  private flush(): readonly HealthEvent[] {
    const out = this.out;
    this.out = undefined;
    return out ?? NONE;
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number, got ${value}`);
  return value;
}

function tolerance(value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`a count must be a positive integer, got ${value}`);
  return value;
}
