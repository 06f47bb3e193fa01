/**
 * Scenario fixtures: a small airport lane and a World that drives a HealthTracker and an
 * AlertEngine the way the adapter will: one "real timer" armed for the earlier of their next()
 * deadlines, every tracker output fed to the engine, time injected.
 */
import type { AlertAction, AlertKind } from '../alert';
import { AlertEngine, type AlertEngineOptions } from '../alert-engine';
import type { HealthEvent, HeartbeatStatus, Transition, FlappingSignal } from '../health-state';
import { HealthTracker, type DeviceConfig, type HealthTrackerOptions } from '../health-tracker';

/** 2025-01-01T06:00:00Z; scenarios speak in seconds after it. */
export const T0 = Date.UTC(2025, 0, 1, 6, 0, 0);
export const sec = (seconds: number): number => T0 + Math.round(seconds * 1000);

export interface DeviceFixture {
  readonly id: string;
  readonly config: DeviceConfig;
}

/** Entry lane P1-E1: the gate controller is the parent of its LPR camera and loop detector. */
export const GATE: DeviceFixture = { id: 'gate-P1-E1', config: { type: 'GATE' } };
export const LPR: DeviceFixture = { id: 'lpr-P1-E1', config: { type: 'LPR_CAMERA', parentId: GATE.id } };
export const LOOP: DeviceFixture = { id: 'loop-P1-E1', config: { type: 'VEHICLE_DETECTOR', parentId: GATE.id } };
/** A pay-on-foot kiosk in terminal 1, no parent. */
export const KIOSK: DeviceFixture = { id: 'kiosk-T1-1', config: { type: 'PAYMENT_KIOSK' } };
/** A guidance sign with its own cadence: every 10 s, 2 misses tolerated (window 20 s). */
export const SIGN: DeviceFixture = { id: 'sign-P1-L2', config: { type: 'GUIDANCE_SIGN', intervalS: 10, missTolerance: 2 } };

export const LANE: readonly DeviceFixture[] = [GATE, LPR, LOOP];
export const AIRPORT: readonly DeviceFixture[] = [GATE, LPR, LOOP, KIOSK, SIGN];

export interface WorldOptions {
  readonly tracker?: HealthTrackerOptions;
  readonly engine?: Omit<AlertEngineOptions, 'newId'>;
}

export class World {
  tracker: HealthTracker;
  engine: AlertEngine;
  /** Current time, epoch ms. */
  now = T0;
  readonly events: HealthEvent[] = [];
  readonly actions: AlertAction[] = [];
  private nextId = 1;
  private readonly configs = new Map<string, DeviceConfig>();
  private readonly maintenance = new Set<string>();

  constructor(
    devices: readonly DeviceFixture[] = AIRPORT,
    private readonly options: WorldOptions = {},
  ) {
    this.tracker = new HealthTracker(options.tracker);
    this.engine = this.newEngine();
    for (const d of devices) {
      this.configs.set(d.id, d.config);
      if (d.config.maintenance === true) this.maintenance.add(d.id);
      this.feed(this.tracker.register(d.id, d.config, this.now));
    }
  }

  get transitions(): Transition[] {
    return this.events.filter((e): e is Transition => e.type === 'TRANSITION');
  }

  get signals(): FlappingSignal[] {
    return this.events.filter((e): e is FlappingSignal => e.type !== 'TRANSITION');
  }

  transitionsOf(deviceId: string): Transition[] {
    return this.transitions.filter((t) => t.deviceId === deviceId);
  }

  actionsOf(deviceId: string, kind?: AlertKind): AlertAction[] {
    return this.actions.filter((a) => a.alert.deviceId === deviceId && (kind === undefined || a.alert.kind === kind));
  }

  /** What operators were told: actions with notify=true. */
  get notified(): AlertAction[] {
    return this.actions.filter((a) => a.notify);
  }

  state(deviceId: string): string | undefined {
    return this.tracker.stateOf(deviceId);
  }

  /** Advances time to `seconds`, firing the single adapter timer at every deadline on the way. */
  runUntil(seconds: number): void {
    const target = sec(seconds);
    for (;;) {
      const due = earliest(this.tracker.next(), this.engine.next());
      if (due === undefined || due > target) break;
      this.now = Math.max(this.now, due);
      this.feed(this.tracker.tick(this.now));
      this.actions.push(...this.engine.tick(this.now));
    }
    this.now = Math.max(this.now, target);
  }

  /** Runs until `untilS`, with the listed devices heartbeating every `everyS` s (from now). */
  keepAlive(deviceIds: readonly string[], untilS: number, everyS = 5, status: HeartbeatStatus = 'OK'): void {
    for (let t = (this.now - T0) / 1000; t <= untilS; t += everyS) {
      this.runUntil(t);
      for (const id of deviceIds) this.heartbeat(id, status);
    }
    this.runUntil(untilS);
  }

  heartbeat(deviceId: string, status: HeartbeatStatus = 'OK'): readonly HealthEvent[] {
    return this.feed(this.tracker.heartbeat(deviceId, status, this.now));
  }

  connect(deviceId: string): readonly HealthEvent[] {
    return this.feed(this.tracker.connected(deviceId, this.now));
  }

  disconnect(deviceId: string): readonly HealthEvent[] {
    return this.feed(this.tracker.disconnected(deviceId, this.now));
  }

  setMaintenance(deviceId: string, on: boolean): readonly HealthEvent[] {
    if (on) this.maintenance.add(deviceId);
    else this.maintenance.delete(deviceId);
    return this.feed(this.tracker.setMaintenance(deviceId, on, this.now));
  }

  raise(deviceId: string, kind: AlertKind, detail?: string): AlertAction[] {
    return this.record(this.engine.raise(deviceId, kind, this.now, detail));
  }

  acknowledge(alertId: string, by: string, note: string): AlertAction[] {
    return this.record(this.engine.acknowledge(alertId, by, note, this.now));
  }

  resolve(alertId: string, by: string): AlertAction[] {
    return this.record(this.engine.resolve(alertId, by, this.now));
  }

  /**
   * A control-service restart: a fresh tracker and engine, devices re-registered from their
   * persisted configuration (maintenance included), open alerts restored, grace started.
   * Everything recorded before stays in `events`/`actions`; `mark` separates before from after.
   */
  restart(): { mark: { events: number; actions: number } } {
    const open = this.engine.openAlerts();
    const mark = { events: this.events.length, actions: this.actions.length };
    this.tracker = new HealthTracker(this.options.tracker);
    this.engine = this.newEngine();
    this.engine.restore(open);
    for (const [id, config] of this.configs) {
      this.feed(this.tracker.register(id, { ...config, maintenance: this.maintenance.has(id) }, this.now));
    }
    this.feed(this.tracker.startAfterRestart(this.configs.keys(), this.now));
    return { mark };
  }

  feed(events: readonly HealthEvent[]): readonly HealthEvent[] {
    this.events.push(...events);
    this.actions.push(...this.engine.consume(events));
    return events;
  }

  record(actions: AlertAction[]): AlertAction[] {
    this.actions.push(...actions);
    return actions;
  }

  private newEngine(): AlertEngine {
    return new AlertEngine(this.tracker, { ...this.options.engine, newId: () => `alert-${this.nextId++}` });
  }
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** A compact view of transitions for readable expectations. */
export function brief(t: Transition): string {
  return `${t.deviceId} ${t.from}->${t.to} ${t.reason} @${(t.at - T0) / 1000}s${t.flapping ? ' flapping' : ''}`;
}

/** A compact view of alert actions for readable expectations. */
export function briefAction(a: AlertAction): string {
  return `${a.type} ${a.alert.deviceId} ${a.alert.kind} ${a.alert.severity} @${(a.at - T0) / 1000}s${a.notify ? ' notify' : ''}`;
}
