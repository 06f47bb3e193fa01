import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { principalSeesZone } from '@landside/auth';
import { MessageBus, type Unsubscribe } from '@landside/bus';
import {
  DOMAIN_CHANNELS,
  DomainError,
  GATEWAY_CHANNELS,
  INGRESS_CHANNELS,
  type CommandRequested,
  type DeviceEventReceived,
  type DeviceStateChangedEvent,
  type DeviceType,
  type Principal,
  type TopicEnvelope,
  type UserEnvelope,
} from '@landside/contracts';
import { recordAudit, type AuditEntry } from '@landside/persistence';
import {
  BAY_ZONE_KINDS,
  isReadablePlate,
  isStaleCameraState,
  normalizePlate,
  Occupancy,
  ParkingError,
  ParkingSessions,
  SignDebouncer,
  type CarLocation,
  type LaneKind,
  type OccupancyChanged,
  type ParkingSession,
  type ParkingTopology,
  type SessionClosed,
  type SignSend,
  type ZoneKind,
  type ZoneOccupancy,
} from './domain';
import { asRegistryDevice, asRegistryZone, isCameraState, parseTime, REGISTRY_CHANNELS } from './inputs';
import { restoreBayStates } from './occupancy-restore';
import { ParkingMetrics } from './parking.metrics';
import { PARKING_OPTIONS, resolveParkingOptions, type ParkingModuleOptions, type ResolvedParkingOptions } from './parking.options';
import { ParkingRepository, type LockedSession, type SessionWrite, type StoredBayState, type TopologyRows } from './parking.repository';

/** The principal parking's sign commands are issued as (audited as role SYSTEM by the command service). */
export const PARKING_PRINCIPAL = 'system:parking';
export const OCCUPANCY_DESTINATION = '/topic/occupancy';

/** `/topic/occupancy` body (SPEC §4: each event names its kind, the entity and `at`). */
export interface OccupancyEvent {
  readonly kind: 'occupancy.changed';
  readonly zoneId: string;
  readonly zoneKind: ZoneKind;
  readonly total: number;
  readonly occupied: number;
  readonly free: number;
  readonly unknown: number;
  readonly available: number;
  readonly closed: boolean;
  readonly at: string;
}

/** `POST /api/parking/sessions/{id}/close`: an operator ends a session (a flagged or stuck one). */
export interface OperatorClose {
  /** The PARK_EXIT lane the vehicle left by, when the operator knows it. */
  readonly exitLaneId?: string;
  /** Why, for the audit log. */
  readonly note?: string;
}

/** Who asks, and from where (the audit row's actor, role and source address). */
export interface ParkingActor {
  readonly principal: Principal;
  readonly sourceAddress: string | null;
}

export const SESSION_CLOSED_ACTION = 'parking.session-closed';

interface DeviceInfo {
  readonly type: DeviceType;
  readonly zoneId: string | null;
  readonly laneId: string | null;
}

/** The registry topology as parking indexes it (the domain's ZoneTree is internal to Occupancy). */
interface Topo {
  readonly zones: ReadonlyMap<string, { readonly kind: ZoneKind; readonly parentId: string | null }>;
  readonly bays: ReadonlyMap<string, { readonly zoneId: string; readonly cameraId: string }>;
  readonly baysByCamera: ReadonlyMap<string, readonly string[]>;
  readonly children: ReadonlyMap<string, readonly string[]>;
}

type Input =
  | { readonly kind: 'event'; readonly e: DeviceEventReceived; readonly retried: boolean }
  | { readonly kind: 'state'; readonly e: DeviceStateChangedEvent }
  | { readonly kind: 'zone'; readonly payload: unknown }
  | { readonly kind: 'device'; readonly channel: 'registered' | 'updated' | 'removed'; readonly payload: unknown }
  | { readonly kind: 'reload'; readonly trigger: string }
  /** Work that must see no input applied while it runs (an operator's close); never rejects. */
  | { readonly kind: 'exclusive'; readonly run: () => Promise<void>; readonly cancel: (error: Error) => void };
type EventInput = Extract<Input, { kind: 'event' }>;

/**
 * What applying an input asks for: a topology reload first (then, optionally, the input again),
 * or exclusive work; either pauses the inbox until it is done.
 */
type Outcome = undefined | { readonly reload: string; readonly retry?: Input } | { readonly exclusive: () => Promise<void> };

interface Batch {
  /** Bays whose stored state may differ from memory. */
  readonly bays: Set<string>;
  readonly sessions: SessionWrite[];
  /** Latest change per zone, in first-change order. */
  readonly changes: Map<string, OccupancyChanged>;
  /** Signs whose text must be (re)evaluated: newly bound, or back after an outage. */
  readonly signs: Set<string>;
}

const emptyBatch = (): Batch => ({ bays: new Set(), sessions: [], changes: new Map(), signs: new Set() });
const EMPTY_TOPO: Topo = { zones: new Map(), bays: new Map(), baysByCamera: new Map(), children: new Map() };
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const MAX_BAY_PLATE_LENGTH = 32;

/**
 * The adapter around the pure parking domain (libs/parking/src/domain, SPEC §5b): feeds it bus
 * events (BAY_OCCUPANCY, PLATE_READ, guidance-camera health, registry changes), persists what
 * changed in one transaction per event-loop turn, then publishes `/topic/occupancy` and sends
 * guidance signs their text as DISPLAY_MESSAGE commands (`command.requested`, role SYSTEM), so
 * every sign update is a visible, audited command. One timer serves every sign's debounce.
 *
 * Inputs are applied strictly in arrival order through one inbox. A topology reload (registry
 * event, an event naming a bay/lane/device parking has not loaded, the periodic resync) pauses
 * the inbox until it is done, so no input ever sees a half-loaded topology, and the input that
 * asked for it is applied again once (then ignored if still unknown). An operator's close of a
 * session (REST) takes its turn in the same inbox and pauses it the same way while it commits.
 */
@Injectable()
export class ParkingService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Parking');
  private readonly options: ResolvedParkingOptions;
  private occupancy = new Occupancy({ zones: [], bays: [] });
  private readonly sessions: ParkingSessions;
  private readonly signs: SignDebouncer;
  private topo: Topo = EMPTY_TOPO;
  private devices = new Map<string, DeviceInfo>();
  private lanes = new Map<string, LaneKind>();
  private readonly closedSelf = new Set<string>();
  private readonly signZone = new Map<string, string>();
  private signsByZone = new Map<string, string[]>();
  /** Signature of each bay's row as last written (or loaded). */
  private readonly persisted = new Map<string, string>();

  private readonly inbox: Input[] = [];
  private busy = true;
  private reloadQueued = false;
  /** The reload or exclusive work the inbox is paused for. */
  private pausedFor: Promise<void> = Promise.resolve();
  private lastLazyReloadAt = -Infinity;
  private readonly lazyKeys = new Map<string, number>();

  private batch: Batch = emptyBatch();
  private flushScheduled = false;
  private flushing: Promise<void> = Promise.resolve();
  private signTimer: NodeJS.Timeout | undefined;
  private signTimerAt: number | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribes: Unsubscribe[] = [];
  private started = false;
  private stopped = false;

  constructor(
    private readonly repository: ParkingRepository,
    private readonly bus: MessageBus,
    private readonly metrics: ParkingMetrics,
    @Optional() @Inject(PARKING_OPTIONS) options?: ParkingModuleOptions,
  ) {
    this.options = resolveParkingOptions(options);
    this.sessions = new ParkingSessions({
      minConfidence: this.options.minConfidence,
      repeatWindowMs: this.options.repeatWindowMs,
      newId: randomUUID,
    });
    this.signs = new SignDebouncer({ minIntervalMs: this.options.signMinIntervalMs });
  }

  async onApplicationBootstrap(): Promise<void> {
    // Subscribe first: what arrives while loading waits in the inbox (busy) and is applied after.
    this.unsubscribes.push(
      await this.bus.subscribe<DeviceEventReceived>(INGRESS_CHANNELS.event, (e) => this.enqueue({ kind: 'event', e, retried: false })),
      await this.bus.subscribe<DeviceStateChangedEvent>(DOMAIN_CHANNELS.deviceStateChanged, (e) => this.enqueue({ kind: 'state', e })),
      await this.bus.subscribe<unknown>(REGISTRY_CHANNELS.zoneChanged, (payload) => this.enqueue({ kind: 'zone', payload })),
      await this.bus.subscribe<unknown>(REGISTRY_CHANNELS.deviceRegistered, (payload) => this.enqueue({ kind: 'device', channel: 'registered', payload })),
      await this.bus.subscribe<unknown>(REGISTRY_CHANNELS.deviceUpdated, (payload) => this.enqueue({ kind: 'device', channel: 'updated', payload })),
      await this.bus.subscribe<unknown>(REGISTRY_CHANNELS.deviceRemoved, (payload) => this.enqueue({ kind: 'device', channel: 'removed', payload })),
      await this.bus.subscribe<UserEnvelope>(GATEWAY_CHANNELS.user, (env) => this.onUserMessage(env)),
    );
    const rows = await this.repository.loadTopology();
    const stored = await this.repository.loadBayStates();
    const open = await this.repository.loadOpenSessions();
    this.applyInitial(rows, stored, open);
    this.metrics.bindZones(() => this.occupancy.zones());
    this.started = true;
    this.busy = false;
    if (this.options.resyncIntervalMs > 0) {
      this.resyncTimer = setInterval(() => this.requestReload('resync'), this.options.resyncIntervalMs);
      this.resyncTimer.unref();
    }
    this.drain();
    this.scheduleFlush();
    this.logger.log(`tracking ${this.topo.bays.size} bays in ${this.topo.zones.size} zones, ${this.signZone.size} signs, ${open.length} open sessions`);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.signTimer);
    clearInterval(this.resyncTimer);
    // Inputs not yet applied are dropped; an operator waiting on one is told so.
    for (const input of this.inbox.splice(0)) if (input.kind === 'exclusive') input.cancel(new Error('parking is shutting down'));
    await Promise.all(this.unsubscribes.map((u) => u()));
    await this.pausedFor;
    // What was decided is written before the database goes away (nothing is published any more).
    this.flushing = this.flushing.then(() => this.flush());
    await this.flushing;
  }

  // ---- reads (REST) ---------------------------------------------------------------------------

  /** Resolves once every input received so far is applied to memory (not waiting for a reload in progress). */
  async applied(): Promise<void> {
    for (let i = 0; i < 400 && (this.busy || this.inbox.length > 0); i++) await new Promise((r) => setTimeout(r, 5));
  }

  /** Resolves once every input received so far is applied and written (read-your-writes for REST). */
  async settled(): Promise<void> {
    for (let i = 0; i < 400 && (this.busy || this.inbox.length > 0 || this.flushScheduled); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await this.flushing;
  }

  /** A zone's counts and those of its child levels; undefined for a zone parking does not know. */
  zoneOccupancy(zoneId: string): { zone: ZoneOccupancy; levels: ZoneOccupancy[] } | undefined {
    const zone = this.occupancy.zone(zoneId);
    if (!zone) return undefined;
    const levels: ZoneOccupancy[] = [];
    for (const child of this.topo.children.get(zoneId) ?? []) {
      const c = this.occupancy.zone(child);
      if (c && c.zoneKind === 'LEVEL') levels.push(c);
    }
    return { zone, levels };
  }

  /** Find-my-car: the bay where a guidance camera last read the plate (normalized first). */
  locate(plate: string): CarLocation | undefined {
    return this.occupancy.locate(plate);
  }

  /** The text a sign was last sent (for diagnostics and tests). */
  signText(signId: string): string | undefined {
    return this.signs.displayed(signId)?.text;
  }

  // ---- operator actions (REST) ----------------------------------------------------------------

  /**
   * An operator closes a session (`ParkingSessions.closeByOperator`: `SESSION_CLOSED{closedBy:
   * 'OPERATOR', review: true}`), e.g. after reviewing a flagged read. Runs in inbox order with no
   * other input applied meanwhile: the batch so far is written first (the session's own row may
   * be in it), then one transaction locks the row, writes the close and the audit row
   * `parking.session-closed`. Memory changes with it: the domain closes the session inside the
   * transaction and gets it back if the transaction does not commit.
   *
   * Refusals: `not-found` for an unknown session or one outside the principal's zones (its lanes'
   * zones, as in `GET /api/parking/sessions`); `conflict` when it is already closed (audited with
   * outcome `conflict`); `invalid` for an exit lane that is not a PARK_EXIT lane in the
   * principal's zones. Nothing is published: a close is a row (and a metric), like an exit read's.
   */
  async closeByOperator(sessionId: string, close: OperatorClose, actor: ParkingActor): Promise<void> {
    // An unscoped principal sees every session (as in the list), even one whose lane is gone.
    const sees = (zoneId: string | null): boolean => principalSeesZone(actor.principal, zoneId ?? undefined);
    await this.exclusive(async () => {
      await this.flushNow();
      let closed: SessionClosed | undefined;
      let zoneId: string | null = null;
      try {
        await this.repository.transaction(async (m) => {
          const stored = await this.repository.lockSession(m, sessionId);
          if (!stored || !(sees(stored.entryZoneId) || sees(stored.exitZoneId))) throw new DomainError('not-found', `no parking session ${sessionId}`);
          zoneId = stored.entryZoneId;
          if (stored.status !== 'OPEN') throw new DomainError('conflict', `parking session ${sessionId} is already closed`);
          if (close.exitLaneId !== undefined) {
            const lane = await this.repository.lane(m, close.exitLaneId);
            if (!lane || lane.kind !== 'PARK_EXIT' || !sees(lane.zoneId)) {
              const message = `exitLaneId must name a PARK_EXIT lane in your zones`;
              throw new DomainError('invalid', message, { fields: { exitLaneId: [message] } });
            }
          }
          this.holdInMemory(stored);
          closed = this.sessions.closeByOperator(sessionId, Date.now(), actor.principal.sub, close.exitLaneId);
          await this.repository.writeSessionEvents(m, [{ event: closed }]);
          await recordAudit(m, this.closeAudit(actor, sessionId, 'ok', { zoneId, ...closeDetails(closed, close) }, new Date(closed.at)));
        });
      } catch (error) {
        // Not committed: the domain holds the session open again, as the database does.
        if (closed !== undefined) this.sessions.restore([closed.session]);
        if (error instanceof DomainError && error.code === 'conflict') await this.auditRefusal(actor, sessionId, { zoneId, note: close.note ?? null, reason: error.message });
        throw error;
      }
      this.metrics.sessionEvents.inc({ type: 'SESSION_CLOSED' });
    });
  }

  // ---- the inbox ------------------------------------------------------------------------------

  private enqueue(input: Input): void {
    if (this.stopped) return;
    this.inbox.push(input);
    if (!this.busy) this.drain();
  }

  private drain(): void {
    while (!this.busy && !this.stopped && this.inbox.length > 0) {
      const input = this.inbox.shift()!;
      let outcome: Outcome;
      try {
        outcome = this.apply(input);
      } catch (error) {
        this.logger.error(`parking input ${input.kind} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        outcome = undefined;
      }
      if (outcome === undefined) continue;
      if ('exclusive' in outcome) this.pause(outcome.exclusive);
      else this.pause(() => this.reload(outcome.reload), outcome.retry);
    }
    this.scheduleFlush();
  }

  /** Applies no input until `work` (which never rejects) is done, then `retry` first if given. */
  private pause(work: () => Promise<void>, retry?: Input): void {
    this.busy = true;
    this.pausedFor = work().finally(() => {
      this.busy = false;
      if (retry !== undefined) this.inbox.unshift(retry);
      this.drain();
    });
  }

  private requestReload(trigger: string): void {
    if (this.reloadQueued) return;
    this.reloadQueued = true;
    this.enqueue({ kind: 'reload', trigger });
  }

  private apply(input: Input): Outcome {
    switch (input.kind) {
      case 'event':
        return this.onDeviceEvent(input);
      case 'state':
        this.onStateChanged(input.e);
        return undefined;
      case 'zone':
        return this.onZoneChanged(input.payload);
      case 'device':
        return this.onDeviceChanged(input.channel, input.payload);
      case 'reload':
        this.reloadQueued = false;
        return { reload: input.trigger };
      case 'exclusive':
        return { exclusive: input.run };
    }
  }

  /** Runs `work` in inbox order, with no other input applied while it runs. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new Error('parking is shutting down'));
    return new Promise<T>((resolve, reject) => {
      this.enqueue({ kind: 'exclusive', run: () => work().then(resolve, reject), cancel: reject });
    });
  }

  // ---- device events --------------------------------------------------------------------------

  private onDeviceEvent(input: EventInput): Outcome {
    const { e } = input;
    if (!isRecord(e) || typeof e.deviceId !== 'string' || !isRecord(e.event)) return this.ignore('invalid');
    switch (e.event.type) {
      case 'BAY_OCCUPANCY':
        return this.onBayOccupancy(input);
      case 'PLATE_READ':
        return this.onPlateRead(input);
      case 'VEHICLE_DETECTED':
      case 'GATE_STATE':
      case 'PAYMENT':
        return undefined;
      default:
        return this.ignore('invalid');
    }
  }

  private onBayOccupancy(input: EventInput): Outcome {
    const { e } = input;
    const ev = e.event;
    const bayId = ev.bayId;
    if (typeof bayId !== 'string' || typeof ev.occupied !== 'boolean') return this.ignore('invalid');
    const bay = this.topo.bays.get(bayId);
    // A bay added (or moved to another camera) without a registry event: reload once, then judge.
    if (!bay) return this.lazy(`bay:${bayId}`, input, 'unknown-bay');
    if (bay.cameraId !== e.deviceId) return this.lazy(`bay:${bayId}:${e.deviceId}`, input, 'not-bay-camera');
    const type = this.devices.get(e.deviceId)?.type ?? e.deviceType;
    if (type !== 'GUIDANCE_CAMERA') return this.ignore('not-guidance-camera');

    let plate: string | undefined;
    if (ev.plate !== undefined) {
      if (typeof ev.plate === 'string' && ev.plate.length <= MAX_BAY_PLATE_LENGTH && isReadablePlate(normalizePlate(ev.plate))) plate = ev.plate;
      else this.metrics.ignored.inc({ reason: 'invalid-plate' }); // the occupancy still counts, the plate does not
    }
    const previousBay = plate !== undefined ? this.occupancy.locate(plate)?.bayId : undefined;
    const changes = this.occupancy.bayReport({
      bayId,
      occupied: ev.occupied,
      ...(plate !== undefined ? { plate } : {}),
      cameraId: e.deviceId,
      at: serverTime(e.receivedAt),
    });
    this.batch.bays.add(bayId);
    if (previousBay !== undefined) this.batch.bays.add(previousBay);
    this.addChanges(changes);
    return undefined;
  }

  private onPlateRead(input: EventInput): Outcome {
    const { e } = input;
    const ev = e.event;
    if (typeof ev.plate !== 'string' || typeof ev.confidence !== 'number') return this.ignore('invalid');
    const device = this.devices.get(e.deviceId);
    const laneId = typeof ev.laneId === 'string' && ev.laneId !== '' ? ev.laneId : (device?.laneId ?? undefined);
    if (laneId === undefined) return device ? this.ignore('no-lane') : this.lazy(`device:${e.deviceId}`, input, 'unknown-device');
    const laneKind = this.lanes.get(laneId);
    if (laneKind === undefined) return this.lazy(`lane:${laneId}`, input, 'unknown-lane');
    if (laneKind !== 'PARK_ENTRY' && laneKind !== 'PARK_EXIT') return undefined; // taxi lot, curb: not parking's

    // The passage time is the camera's (durations are between two reads), never later than receipt.
    const receivedAt = serverTime(e.receivedAt);
    const at = Math.min(parseTime(ev.at) ?? receivedAt, receivedAt);
    const read = { deviceId: e.deviceId, confidence: ev.confidence };
    for (const event of this.sessions.read({ plate: ev.plate, confidence: ev.confidence, laneId, laneKind, at, deviceId: e.deviceId })) {
      this.batch.sessions.push({ event, read });
    }
    return undefined;
  }

  // ---- health and registry --------------------------------------------------------------------

  private onStateChanged(e: DeviceStateChangedEvent): void {
    if (!isRecord(e) || typeof e.deviceId !== 'string' || !isCameraState(e.to)) return;
    const type = e.deviceType ?? this.devices.get(e.deviceId)?.type;
    const at = parseTime(e.at) ?? Date.now();
    const bays = this.topo.baysByCamera.get(e.deviceId);
    if (type === 'GUIDANCE_CAMERA' || bays !== undefined) {
      const before = this.occupancy.cameraStateOf(e.deviceId);
      this.addChanges(this.occupancy.cameraState(e.deviceId, e.to, at));
      for (const bayId of bays ?? []) this.batch.bays.add(bayId);
      if (before !== undefined && isStaleCameraState(before) && this.occupancy.cameraStateOf(e.deviceId) === e.to && !isStaleCameraState(e.to)) {
        this.recountReportsAfterRecovery(bays ?? [], e.deviceId, at);
      }
    }
    if (type === 'GUIDANCE_SIGN' && this.signZone.has(e.deviceId) && e.to !== 'UNKNOWN' && !isStaleCameraState(e.to)) {
      // Back from an outage (or first heard after a restart): the text queued for it may have
      // expired undelivered, so it is sent its current text again.
      if (isCameraState(e.from) && (e.from === 'UNKNOWN' || isStaleCameraState(e.from))) {
        this.signs.forget(e.deviceId);
        this.batch.signs.add(e.deviceId);
      }
    }
  }

  /**
   * A recovered camera's bays stay UNKNOWN until re-reported after the recovery (domain rule). The
   * recovery reaches parking only after the health monitor has committed it, so a camera that
   * heartbeats and reports at once has its first reports applied *before* the recovery, as
   * outage reports. Those timestamped at or after the recovery are re-reports by the rule's own
   * words: they are applied again now, with their original time, and count.
   */
  private recountReportsAfterRecovery(bayIds: readonly string[], cameraId: string, recoveredAt: number): void {
    for (const bayId of bayIds) {
      const bay = this.occupancy.bay(bayId);
      if (!bay || bay.status !== 'UNKNOWN' || bay.lastReported === undefined || bay.lastReported.at < recoveredAt) continue;
      const { occupied, at } = bay.lastReported;
      this.addChanges(this.occupancy.bayReport({ bayId, occupied, ...(occupied && bay.plate !== undefined ? { plate: bay.plate } : {}), cameraId, at }));
    }
  }

  private onZoneChanged(payload: unknown): Outcome {
    const zone = asRegistryZone(payload);
    if (!zone) return undefined;
    const known = this.topo.zones.get(zone.id);
    if (!known || known.kind !== zone.kind || known.parentId !== zone.parentId) return { reload: 'zone.changed' };
    this.setClosed(zone.id, zone.closed, Date.now());
    return undefined;
  }

  private onDeviceChanged(channel: 'registered' | 'updated' | 'removed', payload: unknown): Outcome {
    const device = asRegistryDevice(payload);
    if (!device) return undefined;
    if (channel === 'removed' || device.disabled) {
      this.devices.delete(device.id);
      this.rebindSigns();
      return undefined;
    }
    const known = this.devices.get(device.id);
    this.devices.set(device.id, { type: device.type, zoneId: device.zoneId, laneId: device.laneId });
    this.rebindSigns();
    // A new device usually comes with new bays or lanes (PUT /topology), which have no events.
    const unknownRefs = (device.zoneId !== null && !this.topo.zones.has(device.zoneId)) || (device.laneId !== null && !this.lanes.has(device.laneId));
    if (known === undefined || unknownRefs) return { reload: `device.${channel}` };
    return undefined;
  }

  // ---- topology -------------------------------------------------------------------------------

  private applyInitial(rows: TopologyRows, stored: readonly StoredBayState[], open: readonly ParkingSession[]): void {
    const built = buildTopology(rows);
    try {
      this.occupancy = new Occupancy(built.topology);
      this.topo = built.topo;
    } catch (error) {
      this.logger.error(`parking topology refused, counting nothing until it is fixed: ${String(error)}`);
    }
    restoreBayStates(this.occupancy, (bayId) => this.topo.bays.get(bayId)?.cameraId, stored);
    for (const s of stored) this.persisted.set(s.bayId, signature(s));
    const now = Date.now();
    for (const z of rows.zones) if (z.closed && this.topo.zones.has(z.id)) this.setClosed(z.id, true, now);
    this.batch.changes.clear(); // nobody has subscribed yet: the initial counts are not news
    this.applyStoredCameraStates(rows);
    this.batch.changes.clear();
    this.setRegistry(rows);
    this.sessions.restore(open);
    for (const bayId of this.topo.bays.keys()) this.batch.bays.add(bayId);
  }

  private async reload(trigger: string): Promise<void> {
    if (this.stopped) return;
    this.metrics.reloads.inc({ trigger });
    let rows: TopologyRows;
    try {
      rows = await this.repository.loadTopology();
    } catch (error) {
      this.logger.error(`parking topology reload (${trigger}) failed: ${String(error)}`);
      return;
    }
    if (this.stopped) return;
    const built = buildTopology(rows);
    const now = Date.now();
    try {
      this.addChanges(this.occupancy.setTopology(built.topology, now));
      this.topo = built.topo;
    } catch (error) {
      this.logger.error(`parking topology reload (${trigger}) refused, keeping the previous one: ${String(error)}`);
      return;
    }
    for (const z of [...this.closedSelf]) if (!this.topo.zones.has(z)) this.closedSelf.delete(z);
    for (const z of rows.zones) if (this.topo.zones.has(z.id)) this.setClosed(z.id, z.closed, now);
    this.applyStoredCameraStates(rows);
    this.setRegistry(rows);
    for (const bayId of this.topo.bays.keys()) this.batch.bays.add(bayId);
    this.scheduleFlush();
  }

  /**
   * The stored states of guidance cameras (written by the health monitor): at start, and on each
   * reload in case a transition was missed. The domain ignores a state older than the one it has.
   */
  private applyStoredCameraStates(rows: TopologyRows): void {
    for (const d of rows.devices) {
      if (d.type !== 'GUIDANCE_CAMERA' || d.stateSince === null || !isCameraState(d.state)) continue;
      this.addChanges(this.occupancy.cameraState(d.id, d.state, d.stateSince));
      for (const bayId of this.topo.baysByCamera.get(d.id) ?? []) this.batch.bays.add(bayId);
    }
  }

  private setRegistry(rows: TopologyRows): void {
    this.devices = new Map(rows.devices.map((d) => [d.id, { type: d.type, zoneId: d.zoneId, laneId: d.laneId }]));
    this.lanes = new Map(rows.lanes.map((l) => [l.id, l.kind]));
    this.rebindSigns();
  }

  private setClosed(zoneId: string, closed: boolean, at: number): void {
    if (closed === this.closedSelf.has(zoneId)) return;
    this.addChanges(this.occupancy.closeZone(zoneId, closed, at));
    if (closed) this.closedSelf.add(zoneId);
    else this.closedSelf.delete(zoneId);
  }

  /** Signs = GUIDANCE_SIGN devices whose zone is a LEVEL or a CAR_PARK. */
  private rebindSigns(): void {
    const desired = new Map<string, string>();
    for (const [id, d] of this.devices) {
      if (d.type !== 'GUIDANCE_SIGN' || d.zoneId === null) continue;
      const kind = this.topo.zones.get(d.zoneId)?.kind;
      if (kind !== undefined && BAY_ZONE_KINDS.includes(kind)) desired.set(id, d.zoneId);
    }
    for (const [id, zoneId] of [...this.signZone]) {
      if (desired.get(id) === zoneId) continue;
      this.signs.forget(id);
      this.signZone.delete(id);
    }
    for (const [id, zoneId] of desired) {
      if (this.signZone.has(id)) continue;
      this.signZone.set(id, zoneId);
      this.batch.signs.add(id);
    }
    const byZone = new Map<string, string[]>();
    for (const [id, zoneId] of this.signZone) {
      const list = byZone.get(zoneId);
      if (list) list.push(id);
      else byZone.set(zoneId, [id]);
    }
    this.signsByZone = byZone;
  }

  private lazy(key: string, input: EventInput, reason: string): Outcome {
    const now = Date.now();
    const allowed =
      !input.retried &&
      now - this.lastLazyReloadAt >= this.options.lazyReloadMinIntervalMs &&
      now - (this.lazyKeys.get(key) ?? -Infinity) >= this.options.unknownRetryMs;
    if (!allowed) return this.ignore(reason);
    this.lastLazyReloadAt = now;
    if (this.lazyKeys.size >= 10_000) this.lazyKeys.clear();
    this.lazyKeys.set(key, now);
    return { reload: reason, retry: { ...input, retried: true } };
  }

  private ignore(reason: string): undefined {
    this.metrics.ignored.inc({ reason });
    return undefined;
  }

  private addChanges(changes: readonly OccupancyChanged[]): void {
    for (const c of changes) this.batch.changes.set(c.zoneId, c);
  }

  /**
   * The domain must hold the stored open session it is asked to close. It does, unless a batch
   * that closed it in memory failed to be written (the database still says OPEN): then it is taken
   * back from the row, unless the plate has another open session in memory (409).
   */
  private holdInMemory({ session }: LockedSession): void {
    if (this.sessions.session(session.id) !== undefined) return;
    try {
      this.sessions.restore([session]);
    } catch (error) {
      if (!(error instanceof ParkingError)) throw error;
      throw new DomainError('conflict', `parking session ${session.id} cannot be closed: plate ${session.plate} has a newer open session`);
    }
  }

  private closeAudit(actor: ParkingActor, sessionId: string, outcome: string, details: Record<string, unknown>, at?: Date): AuditEntry {
    return {
      actor: actor.principal.sub,
      role: actor.principal.role,
      action: SESSION_CLOSED_ACTION,
      target: sessionId,
      sourceAddress: actor.sourceAddress,
      outcome,
      details,
      ...(at !== undefined ? { at } : {}),
    };
  }

  /** A refused close is recorded on its own (outcome `conflict`); a failure to record is logged. */
  private async auditRefusal(actor: ParkingActor, sessionId: string, details: Record<string, unknown>): Promise<void> {
    try {
      await this.repository.transaction((m) => recordAudit(m, this.closeAudit(actor, sessionId, 'conflict', details)));
    } catch (error) {
      this.logger.error(`could not audit a refused ${SESSION_CLOSED_ACTION} of ${sessionId}: ${String(error)}`);
    }
  }

  // ---- persistence, then publication ----------------------------------------------------------

  /** Writes (and publishes) what the inbox has applied so far, now. */
  private flushNow(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flush());
    return this.flushing;
  }

  private scheduleFlush(): void {
    const b = this.batch;
    if (this.flushScheduled || (b.bays.size === 0 && b.sessions.length === 0 && b.changes.size === 0 && b.signs.size === 0)) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushing = this.flushing.then(() => this.flush());
    });
  }

  /** Never rejects. */
  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = emptyBatch();
    try {
      const rows: StoredBayState[] = [];
      for (const bayId of batch.bays) {
        const row = this.bayRow(bayId);
        if (row && this.persisted.get(bayId) !== signature(row)) rows.push(row);
      }
      if (rows.length > 0 || batch.sessions.length > 0) {
        if (!(await this.write(rows, batch.sessions))) {
          // Bay states, counts and sign texts go with the next batch; session events are dropped
          // (logged above): retrying a batch the database refuses would block every later one.
          for (const bayId of batch.bays) this.batch.bays.add(bayId);
          for (const [zoneId, change] of batch.changes) if (!this.batch.changes.has(zoneId)) this.batch.changes.set(zoneId, change);
          for (const signId of batch.signs) this.batch.signs.add(signId);
          this.logger.error(`parking session events not written: ${JSON.stringify(batch.sessions.map((s) => s.event))}`);
          return;
        }
        for (const r of rows) this.persisted.set(r.bayId, signature(r));
        for (const s of batch.sessions) this.metrics.sessionEvents.inc({ type: s.event.type });
      }
      if (this.stopped || !this.started) return;
      for (const change of batch.changes.values()) await this.publish(GATEWAY_CHANNELS.topic, occupancyEnvelope(change));

      const now = Date.now();
      const sends: SignSend[] = [];
      const evaluate = (signId: string, zoneId: string, counts: ZoneOccupancy): void => {
        const decision = this.signs.onCounts({ signId, zoneId }, counts, now);
        if (decision.type === 'SEND') sends.push(decision);
      };
      for (const change of batch.changes.values()) for (const signId of this.signsByZone.get(change.zoneId) ?? []) evaluate(signId, change.zoneId, change);
      for (const signId of batch.signs) {
        const zoneId = this.signZone.get(signId);
        const counts = zoneId === undefined ? undefined : this.occupancy.zone(zoneId);
        if (zoneId !== undefined && counts) evaluate(signId, zoneId, counts);
      }
      await this.sendSigns(sends);
      this.armSignTimer();
    } catch (error) {
      this.logger.error(`parking flush failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  private async write(rows: readonly StoredBayState[], sessions: readonly SessionWrite[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.repository.persist(rows, sessions);
        return true;
      } catch (error) {
        this.metrics.writeFailures.inc();
        this.logger.error(`writing ${rows.length} bay states, ${sessions.length} session events failed (attempt ${attempt}): ${String(error)}`);
        if (this.stopped || attempt >= 5) return false;
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
  }

  private bayRow(bayId: string): StoredBayState | undefined {
    const v = this.occupancy.bay(bayId);
    if (!v) return undefined;
    return {
      bayId,
      status: v.status,
      occupied: v.lastReported?.occupied ?? null,
      plate: v.plate ?? null,
      since: v.plateSince ?? null,
      reportedAt: v.lastReported?.at ?? null,
    };
  }

  // ---- guidance signs -------------------------------------------------------------------------

  private armSignTimer(): void {
    const next = this.stopped ? undefined : this.signs.next();
    if (next === this.signTimerAt) return;
    clearTimeout(this.signTimer);
    this.signTimerAt = next;
    if (next === undefined) return;
    this.signTimer = setTimeout(() => this.onSignTimer(), Math.max(0, next - Date.now()));
    this.signTimer.unref();
  }

  private onSignTimer(): void {
    this.signTimerAt = undefined;
    if (this.stopped) return;
    const sends = this.signs.due(Date.now());
    this.flushing = this.flushing.then(() => this.sendSigns(sends));
    this.armSignTimer();
  }

  /** Each send is a DISPLAY_MESSAGE request to the command service (validated, audited, superseding). */
  private async sendSigns(sends: readonly SignSend[]): Promise<void> {
    for (const s of sends) {
      const request: CommandRequested = {
        requestId: randomUUID(),
        request: { deviceId: s.signId, type: 'DISPLAY_MESSAGE', params: { text: s.text } },
        requestedBy: { sub: PARKING_PRINCIPAL, role: 'SYSTEM' },
        sourceAddress: '',
        replyTo: { user: PARKING_PRINCIPAL },
        receivedAt: Date.now(),
      };
      this.metrics.signUpdates.inc();
      await this.publish(INGRESS_CHANNELS.commandRequested, request);
    }
  }

  /** The command service answers refusals on the requester's errors queue: for parking, a log line. */
  private onUserMessage(env: UserEnvelope): void {
    if (!isRecord(env) || env.user !== PARKING_PRINCIPAL || env.destination !== '/user/queue/errors') return;
    this.metrics.signRefusals.inc();
    this.logger.warn(`sign command refused: ${JSON.stringify(env.payload)}`);
  }

  private async publish(channel: string, payload: unknown): Promise<void> {
    try {
      await this.bus.publish(channel, payload);
    } catch (error) {
      this.logger.error(`publishing ${channel} failed: ${String(error)}`);
    }
  }
}

function buildTopology(rows: TopologyRows): { topology: ParkingTopology; topo: Topo } {
  const zones = new Map(rows.zones.map((z) => [z.id, { kind: z.kind, parentId: z.parentId }]));
  const children = new Map<string, string[]>();
  for (const z of rows.zones) {
    if (z.parentId === null) continue;
    const list = children.get(z.parentId);
    if (list) list.push(z.id);
    else children.set(z.parentId, [z.id]);
  }
  const bays = new Map<string, { zoneId: string; cameraId: string }>();
  const baysByCamera = new Map<string, string[]>();
  for (const b of rows.bays) {
    // A bay without a camera cannot be reported; a bay outside a level or car park is not counted.
    const kind = zones.get(b.zoneId)?.kind;
    if (b.cameraId === null || b.cameraId === '' || kind === undefined || !BAY_ZONE_KINDS.includes(kind)) continue;
    bays.set(b.id, { zoneId: b.zoneId, cameraId: b.cameraId });
    const list = baysByCamera.get(b.cameraId);
    if (list) list.push(b.id);
    else baysByCamera.set(b.cameraId, [b.id]);
  }
  return {
    topology: {
      zones: rows.zones.map((z) => ({ id: z.id, kind: z.kind, ...(z.parentId !== null ? { parentId: z.parentId } : {}) })),
      bays: [...bays].map(([id, b]) => ({ id, zoneId: b.zoneId, cameraId: b.cameraId })),
    },
    topo: { zones, bays, baysByCamera, children },
  };
}

function closeDetails(e: SessionClosed, close: OperatorClose): Record<string, unknown> {
  return {
    plate: e.session.plate,
    entryAt: new Date(e.session.entryAt).toISOString(),
    exitLaneId: e.exitLaneId ?? null,
    durationS: e.durationS,
    note: close.note ?? null,
  };
}

function signature(s: StoredBayState): string {
  return `${s.status}|${String(s.occupied)}|${s.plate ?? ''}|${String(s.since)}|${String(s.reportedAt)}`;
}

function serverTime(receivedAt: unknown): number {
  return typeof receivedAt === 'number' && Number.isFinite(receivedAt) ? receivedAt : Date.now();
}

export function occupancyEvent(c: OccupancyChanged): OccupancyEvent {
  return {
    kind: 'occupancy.changed',
    zoneId: c.zoneId,
    zoneKind: c.zoneKind,
    total: c.total,
    occupied: c.occupied,
    free: c.free,
    unknown: c.unknown,
    available: c.available,
    closed: c.closed,
    at: new Date(c.at).toISOString(),
  };
}

function occupancyEnvelope(c: OccupancyChanged): TopicEnvelope {
  return { destination: OCCUPANCY_DESTINATION, payload: occupancyEvent(c), zoneId: c.zoneId, conflationKey: `occupancy:${c.zoneId}` };
}
