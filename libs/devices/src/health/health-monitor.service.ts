import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MessageBus, type Unsubscribe } from '@landside/bus';
import {
  DOMAIN_CHANNELS,
  DomainError,
  GATEWAY_CHANNELS,
  INGRESS_CHANNELS,
  type TopicEnvelope,
  type DeviceHeartbeatReceived,
  type DeviceSessionChanged,
  type DeviceType,
} from '@landside/contracts';
import type { AuditEntry } from '@landside/persistence';
import {
  AlertEngine,
  AlertLifecycleError,
  HealthTracker,
  UnknownDeviceError,
  type Alert,
  type AlertAction,
  type DeviceHealth,
  type HealthEvent,
  type Transition,
} from '../domain';
import { FAILOVER_COMMANDS, FailoverRepository, type FailoverCommands } from '../failover';
import { FailoverCoordinator, type FailoverEvent } from './failover-coordinator';
import { HealthMetrics } from './health.metrics';
import { HealthRepository, type DeviceRow } from './health.repository';
import { HEALTH_OPTIONS, type HealthModuleOptions } from './health.options';
import { alertEvent, stateChangedEvent } from './health.topics';

/** Registry events this adapter follows (published by the device registry). */
export interface RegistryDeviceView {
  readonly id: string;
  readonly type: DeviceType;
  readonly zoneId?: string | null;
  readonly parentId?: string | null;
  readonly heartbeatIntervalS?: number | null;
  readonly missTolerance?: number | null;
  readonly maintenance?: boolean;
}
export const REGISTRY_CHANNELS = { registered: 'device.registered', updated: 'device.updated', removed: 'device.removed' } as const;
/** Published by the registry when a failover group is created or changed. */
export const FAILOVER_GROUP_CHANNEL = 'failover-group.changed';

interface PendingWrite {
  readonly transitions: Transition[];
  readonly actions: AlertAction[];
  readonly audit: AuditEntry[];
}

/**
 * The adapter around the pure HealthTracker and AlertEngine (libs/devices/src/domain): feeds them
 * bus events (heartbeats, sessions, registry changes), drives their deadlines with ONE real timer
 * armed at the earliest deadline (no periodic sweep), and turns what they decide into database
 * rows and topic messages — persisted first, published after commit, so a dashboard never shows
 * what the database does not hold.
 *
 * A heartbeat touches no database row: liveness stays in memory; `last_seen_at` is flushed in
 * bulk every `lastSeenFlushS`. Writes are batched per turn of the event loop, so a burst of
 * transitions (a switch taking 40 cameras down) is one transaction.
 */
@Injectable()
export class HealthMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HealthMonitor');
  private readonly tracker: HealthTracker;
  private readonly engine: AlertEngine;
  private readonly zones = new Map<string, string | null>();
  private readonly types = new Map<string, DeviceType>();
  private readonly lastSeen = new Map<string, number>();
  private pending: PendingWrite = { transitions: [], actions: [], audit: [] };
  private pendingFailovers: FailoverEvent[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private armedAt: number | undefined;
  private lastSeenTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribes: Unsubscribe[] = [];
  private readonly failover: FailoverCoordinator;
  private started = false;
  private stopped = false;

  constructor(
    @Inject(HEALTH_OPTIONS) private readonly options: HealthModuleOptions,
    private readonly repository: HealthRepository,
    private readonly bus: MessageBus,
    private readonly metrics: HealthMetrics,
    private readonly failoverGroups: FailoverRepository,
    @Optional() @Inject(FAILOVER_COMMANDS) commands?: FailoverCommands,
  ) {
    this.tracker = new HealthTracker({ disconnectGraceS: options.disconnectGraceS });
    this.engine = new AlertEngine(this.tracker, { newId: randomUUID, escalateAfterS: options.escalateAfterS });
    this.failover = new FailoverCoordinator(
      this.engine,
      {
        stateOf: (id) => this.tracker.stateOf(id),
        alerts: (actions) => this.enqueue([], actions),
        publish: (event) => this.publishFailover(event),
        setActive: (groupId, member) => this.failoverGroups.setActive(groupId, member),
      },
      commands,
      options.failbackStableS,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const now = Date.now();
    // Restart order (domain/README of the engine): restore open alerts, register devices, then
    // give every device one tolerance window before any OFFLINE — no alert storm after restart.
    const [devices, alerts, groups] = await Promise.all([
      this.repository.loadDevices(),
      this.repository.loadOpenAlerts(),
      this.failoverGroups.load(),
    ]);
    this.failover.load(groups);
    await this.repository.markRestart(now);
    this.engine.restore(alerts);
    const events: HealthEvent[] = [];
    for (const device of devices) events.push(...this.register(device, now));
    events.push(...this.tracker.startAfterRestart(devices.map((d) => d.id), now));
    this.unsubscribes.push(
      await this.bus.subscribe<DeviceHeartbeatReceived>(INGRESS_CHANNELS.heartbeat, (e) => this.onHeartbeat(e)),
      await this.bus.subscribe<DeviceSessionChanged>(INGRESS_CHANNELS.connected, (e) => this.guard(e.deviceId, (t) => this.tracker.connected(e.deviceId, t))),
      await this.bus.subscribe<DeviceSessionChanged>(INGRESS_CHANNELS.disconnected, (e) => {
        // Another session of the device is still open (the newest replaced an older one).
        if (e.remainingSessions > 0) return;
        this.guard(e.deviceId, (t) => this.tracker.disconnected(e.deviceId, t));
      }),
      await this.bus.subscribe<RegistryDeviceView>(REGISTRY_CHANNELS.registered, (d) => this.onRegistered(d)),
      await this.bus.subscribe<RegistryDeviceView>(REGISTRY_CHANNELS.updated, (d) => this.onUpdated(d)),
      await this.bus.subscribe<RegistryDeviceView>(REGISTRY_CHANNELS.removed, (d) => this.onRemoved(d.id)),
      await this.bus.subscribe<{ id: string }>(FAILOVER_GROUP_CHANNEL, (g) => void this.onGroupChanged(g.id)),
    );
    this.started = true;
    this.metrics.bindFleet(() => this.fleetSnapshot(), () => this.engine.openAlerts());
    this.handle(events, now);
    this.lastSeenTimer = setInterval(() => void this.flushLastSeen(), this.options.lastSeenFlushS * 1000);
    this.lastSeenTimer.unref();
    this.logger.log(`tracking ${devices.length} devices, ${alerts.length} open alerts restored`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.lastSeenTimer);
    await Promise.all(this.unsubscribes.map((u) => u()));
    await this.flushing;
    await this.flushLastSeen();
  }

  // ---- reads ------------------------------------------------------------------------------

  health(deviceId: string): DeviceHealth | undefined {
    return this.tracker.snapshot(deviceId);
  }

  openAlerts(): Alert[] {
    return this.engine.openAlerts();
  }

  /** Resolves once everything decided so far is committed (and published). */
  async settled(): Promise<void> {
    while (this.flushScheduled || this.pending.transitions.length > 0 || this.pending.actions.length > 0) {
      await new Promise((r) => setImmediate(r));
      await this.flushing;
    }
    await this.flushing;
  }

  // ---- operator actions -------------------------------------------------------------------

  async acknowledge(alertId: string, by: { sub: string; role: string }, note: string, sourceAddress?: string): Promise<Alert> {
    return this.lifecycle(alertId, by, sourceAddress, 'alert.acknowledged', (now) => this.engine.acknowledge(alertId, by.sub, note, now));
  }

  async resolve(alertId: string, by: { sub: string; role: string }, sourceAddress?: string): Promise<Alert> {
    return this.lifecycle(alertId, by, sourceAddress, 'alert.resolved', (now) => this.engine.resolve(alertId, by.sub, now));
  }

  private async lifecycle(
    alertId: string,
    by: { sub: string; role: string },
    sourceAddress: string | undefined,
    action: string,
    run: (now: number) => AlertAction[],
  ): Promise<Alert> {
    if (!this.engine.get(alertId)) throw new DomainError('not-found', `no open alert ${alertId}`);
    let actions: AlertAction[];
    try {
      actions = run(Date.now());
    } catch (error) {
      if (error instanceof AlertLifecycleError) throw new DomainError('conflict', error.message, { reason: error.code });
      throw error;
    }
    this.pending.audit.push({ actor: by.sub, role: by.role, action, target: alertId, sourceAddress, outcome: 'ok' });
    this.enqueue([], actions);
    await this.settled();
    return actions[actions.length - 1]!.alert;
  }

  // ---- inputs -----------------------------------------------------------------------------

  private onHeartbeat(e: DeviceHeartbeatReceived): void {
    this.lastSeen.set(e.deviceId, e.receivedAt);
    this.guard(e.deviceId, (now) => this.tracker.heartbeat(e.deviceId, e.heartbeat.status, now));
  }

  /**
   * Runs a tracker input for a known device; inputs from unregistered ids (a device deleted while
   * its token is still valid) are counted and ignored — checked up front, because building an
   * UnknownDeviceError per frame (a stack trace each) cost a fifth of the gateway's main thread
   * when such a device sent 10 frames/s (bench/RESULTS.md).
   */
  private guard(deviceId: string, input: (now: number) => readonly HealthEvent[]): void {
    if (!this.started || this.stopped) return;
    if (this.tracker.stateOf(deviceId) === undefined) {
      this.metrics.unknownDevice.inc();
      return;
    }
    const now = Date.now();
    let events: readonly HealthEvent[];
    try {
      events = input(now);
    } catch (error) {
      if (error instanceof UnknownDeviceError) {
        this.metrics.unknownDevice.inc();
        return;
      }
      throw error;
    }
    if (events.length > 0) this.handle(events, now);
    else this.arm();
  }

  private register(device: DeviceRow | RegistryDeviceView, now: number): readonly HealthEvent[] {
    const row = toRow(device);
    this.zones.set(row.id, row.zoneId);
    this.types.set(row.id, row.type);
    return this.tracker.register(
      row.id,
      {
        type: row.type,
        intervalS: row.intervalS ?? undefined,
        missTolerance: row.missTolerance ?? undefined,
        parentId: row.parentId ?? undefined,
        maintenance: row.maintenance,
      },
      now,
    );
  }

  private onRegistered(view: RegistryDeviceView): void {
    if (!this.started) return;
    if (this.tracker.stateOf(view.id) !== undefined) return this.onUpdated(view);
    const now = Date.now();
    this.handle(this.register(view, now), now);
  }

  private onUpdated(view: RegistryDeviceView): void {
    if (!this.started) return;
    if (this.tracker.stateOf(view.id) === undefined) return this.onRegistered(view);
    const row = toRow(view);
    this.zones.set(row.id, row.zoneId);
    this.types.set(row.id, row.type);
    const now = Date.now();
    const events = this.tracker.configure(
      row.id,
      {
        type: row.type,
        intervalS: row.intervalS ?? undefined,
        missTolerance: row.missTolerance ?? undefined,
        parentId: row.parentId ?? null,
        maintenance: row.maintenance,
      },
      now,
    );
    this.handle(events, now);
  }

  private onRemoved(deviceId: string): void {
    if (!this.started || this.tracker.stateOf(deviceId) === undefined) return;
    const now = Date.now();
    const actions = this.engine.removeDevice(deviceId, now);
    this.tracker.unregister(deviceId);
    this.lastSeen.delete(deviceId);
    this.enqueue([], actions);
    this.arm();
  }

  // ---- deadlines --------------------------------------------------------------------------

  private arm(): void {
    if (this.stopped) return;
    let next: number | undefined;
    for (const at of [this.tracker.next(), this.engine.next(), this.failover.next()]) {
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    if (next === this.armedAt) return;
    clearTimeout(this.timer);
    this.armedAt = next;
    if (next === undefined) return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - Date.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.armedAt = undefined;
    if (this.stopped) return;
    const now = Date.now();
    // Order matters: the tracker's events first, then the engine's own deadlines (escalation).
    this.handle(this.tracker.tick(now), now, () => this.engine.tick(now));
    this.failover.tick(now);
    this.arm();
  }

  private handle(events: readonly HealthEvent[], now: number, after?: () => AlertAction[]): void {
    const transitions = events.filter((e): e is Transition => e.type === 'TRANSITION');
    const actions = events.length > 0 ? this.engine.consume(events) : [];
    if (after) actions.push(...after());
    for (const t of transitions) this.metrics.transition(t, now);
    this.enqueue(transitions, actions);
    if (transitions.length > 0) this.failover.onTransitions(transitions, now);
    this.arm();
  }

  // ---- persistence then publication -------------------------------------------------------

  private enqueue(transitions: Transition[], actions: AlertAction[]): void {
    if (transitions.length === 0 && actions.length === 0 && this.pending.audit.length === 0 && this.pendingFailovers.length === 0) return;
    this.pending.transitions.push(...transitions);
    this.pending.actions.push(...actions);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushing = this.flushing.then(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = { transitions: [], actions: [], audit: [] };
    if (batch.transitions.length === 0 && batch.actions.length === 0 && batch.audit.length === 0 && this.pendingFailovers.length === 0) return;
    // The latest snapshot per alert wins within a batch; every notifying action is published.
    const latest = new Map<string, Alert>();
    for (const action of batch.actions) latest.set(action.alert.id, action.alert);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.repository.persist(batch.transitions, [...latest.values()], (id) => this.zones.get(id) ?? null, batch.audit);
        break;
      } catch (error) {
        this.metrics.writeFailures.inc();
        this.logger.error(`writing ${batch.transitions.length} transitions, ${latest.size} alerts failed (attempt ${attempt}): ${String(error)}`);
        if (this.stopped || attempt >= 5) return;
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
    const publishedAt = Date.now();
    for (const t of batch.transitions) {
      const zoneId = this.zones.get(t.deviceId) ?? undefined;
      const payload = stateChangedEvent(t, this.types.get(t.deviceId), zoneId);
      // For other services (parking counts a camera's bays as unknown while it is down).
      await this.bus.publish(DOMAIN_CHANNELS.deviceStateChanged, payload);
      await this.publishTopic({ destination: '/topic/devices', payload, zoneId, conflationKey: `device:${t.deviceId}` });
      if (zoneId) await this.publishTopic({ destination: `/topic/zones/${zoneId}/devices`, payload, zoneId, conflationKey: `device:${t.deviceId}` });
      if (t.to === 'OFFLINE') this.metrics.detectionLatency.observe({ reason: t.reason }, (publishedAt - t.at) / 1000);
    }
    const failovers = this.pendingFailovers;
    this.pendingFailovers = [];
    for (const event of failovers) await this.publishTopic({ destination: '/topic/failovers', payload: event, zoneId: event.zoneId });
    for (const action of batch.actions) {
      if (!action.notify) continue;
      const zoneId = this.zones.get(action.alert.deviceId) ?? undefined;
      await this.publishTopic({ destination: '/topic/alerts', payload: alertEvent(action, zoneId, this.types.get(action.alert.deviceId)), zoneId });
    }
  }

  private async onGroupChanged(groupId: string): Promise<void> {
    const group = await this.failoverGroups.loadOne(groupId);
    if (!group) {
      this.failover.remove(groupId);
      return;
    }
    this.failover.upsert(group);
    this.failover.evaluate(groupId, Date.now());
    this.arm();
  }

  /** Failover events follow the alerts they raise: published after the same batch commits. */
  private publishFailover(event: FailoverEvent): void {
    this.pendingFailovers.push(event);
    this.enqueue([], []);
  }

  private publishTopic(envelope: TopicEnvelope): Promise<void> {
    return this.bus.publish(GATEWAY_CHANNELS.topic, envelope);
  }

  private async flushLastSeen(): Promise<void> {
    if (this.lastSeen.size === 0) return;
    const seen = new Map(this.lastSeen);
    this.lastSeen.clear();
    try {
      await this.repository.flushLastSeen(seen);
    } catch (error) {
      this.logger.warn(`last_seen flush failed: ${String(error)}`);
      for (const [id, at] of seen) if (!this.lastSeen.has(id)) this.lastSeen.set(id, at);
    }
  }

  private fleetSnapshot(): Array<{ type: DeviceType; state: string }> {
    const out: Array<{ type: DeviceType; state: string }> = [];
    for (const id of this.tracker.ids()) {
      const s = this.tracker.snapshot(id);
      if (s) out.push({ type: s.type, state: s.state });
    }
    return out;
  }
}

function toRow(device: DeviceRow | RegistryDeviceView): DeviceRow {
  if ('intervalS' in device) return device;
  return {
    id: device.id,
    type: device.type,
    zoneId: device.zoneId ?? null,
    parentId: device.parentId ?? null,
    intervalS: device.heartbeatIntervalS ?? null,
    missTolerance: device.missTolerance ?? null,
    maintenance: device.maintenance ?? false,
  };
}
