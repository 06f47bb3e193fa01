/**
 * Fault injection, scheduled or at a rate, and the ground-truth log of every fault and recovery.
 *
 * Each fault names what the server should record (`expect`) and by when (`deadline`): silence is
 * due at the device's last heartbeat + interval × tolerance (SPEC §5, plus its one second), a
 * reported FAULT/DEGRADED at the heartbeat that reports it, flapping at the fifth change. The
 * picker keeps faults apart so that each expectation is unambiguous: one fault per device at a
 * time, never on a device related (parent/child) to one under a fault, never on a device with a
 * command in flight, and never so many state changes on one device within a minute that the
 * server would rightly call it flapping when that is not the fault injected.
 */
import type { DeviceType } from '@landside/contracts';
import type { Airport } from './airport';
import type { SimDevice } from './device';
import type { Random } from './random';
import { FAULT_KINDS, type Expectation, type FaultEntry, type FaultKind, type TruthLog } from './truth';

export interface FaultRequest {
  readonly fault: FaultKind;
  /** A given device; otherwise picked at random among the eligible ones. */
  readonly deviceId?: string;
  /** How many devices (picked), default 1. Ignored by RECONNECT_STORM (every device). */
  readonly count?: number;
  /** Pick only devices of this type. */
  readonly deviceType?: DeviceType;
  /** How long the fault lasts; default the plan's. Silence faults last at least window + 2 s. */
  readonly durationMs?: number;
}

export interface ScheduledFault extends FaultRequest {
  /** Milliseconds after every device is first online. */
  readonly atMs: number;
}

export interface FaultPlan {
  readonly schedule?: readonly ScheduledFault[];
  /** Random faults per minute (Poisson arrivals), of `kinds`. */
  readonly ratePerMin?: number;
  readonly kinds?: readonly FaultKind[];
  /** Default duration, 20 s. */
  readonly durationMs?: number;
  /** FLAPPING: time between status changes, default 1 s (5 changes in 5 s). */
  readonly flapPeriodMs?: number;
}

/** SPEC §5: more than 4 state changes within 60 s is flapping. */
const FLAP_MAX_CHANGES = 4;
const FLAP_WINDOW_MS = 60_000;

interface Active {
  readonly ids: string[];
  readonly timers: NodeJS.Timeout[];
  recover(): void;
}

export class FaultInjector {
  private seq = 0;
  private readonly active = new Map<string, Active>();
  /** Device id -> instants of the state changes the simulator caused (or will cause). */
  private readonly changes = new Map<string, number[]>();
  private readonly parentOf = new Map<string, string>();
  private readonly childrenOf = new Map<string, string[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly defaultDurationMs: number;
  private readonly flapPeriodMs: number;
  private stopped = false;

  constructor(
    airport: Airport,
    private readonly devices: ReadonlyMap<string, SimDevice>,
    private readonly truth: TruthLog,
    private readonly random: Random,
    private readonly plan: FaultPlan,
    private readonly log: (message: string) => void,
  ) {
    for (const d of airport.devices) {
      if (d.parentId === undefined) continue;
      this.parentOf.set(d.id, d.parentId);
      this.childrenOf.set(d.parentId, [...(this.childrenOf.get(d.parentId) ?? []), d.id]);
    }
    this.defaultDurationMs = plan.durationMs ?? 20_000;
    this.flapPeriodMs = plan.flapPeriodMs ?? 1000;
  }

  /** Starts the schedule and the random faults; call when the devices are online. */
  start(): void {
    const now = Date.now();
    // each device's first heartbeat was a state change (UNKNOWN -> ONLINE)
    for (const id of this.devices.keys()) this.changes.set(id, [now]);
    for (const s of this.plan.schedule ?? []) this.later(s.atMs, () => this.inject(s));
    const rate = this.plan.ratePerMin ?? 0;
    if (rate > 0) {
      const kinds = this.plan.kinds && this.plan.kinds.length > 0 ? this.plan.kinds : FAULT_KINDS.filter((k) => k !== 'RECONNECT_STORM');
      const next = (): void => {
        const gapMs = (-Math.log(1 - this.random.next()) * 60_000) / rate;
        this.later(gapMs, () => {
          this.inject({ fault: this.random.pick(kinds) });
          next();
        });
      };
      next();
    }
  }

  /** Ends every fault in place (recoveries are logged) and stops injecting. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const a of new Set(this.active.values())) a.recover();
  }

  get activeCount(): number {
    return new Set(this.active.values()).size;
  }

  isActive(deviceId: string): boolean {
    return this.active.has(deviceId);
  }

  private later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  /** Injects now; returns the fault entries logged at once (TOKEN_EXPIRY logs later, when it bites). */
  inject(request: FaultRequest): FaultEntry[] {
    if (this.stopped) return [];
    if (request.fault === 'RECONNECT_STORM') return this.storm(request);
    const out: FaultEntry[] = [];
    const wanted = request.count ?? 1;
    const picked = request.deviceId !== undefined ? [request.deviceId] : this.pick(request, wanted);
    if (picked.length < wanted) this.log(`fault ${request.fault}: only ${picked.length} of ${wanted} eligible devices`);
    for (const id of picked) {
      const device = this.devices.get(id);
      if (!device) throw new Error(`fault ${request.fault}: unknown device ${id}`);
      out.push(...this.injectOne(request, device));
    }
    return out;
  }

  private pick(request: FaultRequest, n: number): string[] {
    const now = Date.now();
    const extra = request.fault === 'FLAPPING' ? 0 : 2;
    const ok = (d: SimDevice): boolean => this.eligible(d, now, extra);
    let candidates = [...this.devices.values()].filter((d) => ok(d) && (request.deviceType === undefined || d.type === request.deviceType));
    if (request.fault === 'PARENT_DOWN') {
      candidates = candidates.filter((d) => {
        const kids = this.childrenOf.get(d.id) ?? [];
        return kids.length > 0 && kids.every((k) => ok(this.devices.get(k)!));
      });
    }
    if (request.fault === 'TOKEN_EXPIRY') {
      // the token that expires soonest shows the fault soonest
      candidates.sort((a, b) => a.tokenExpiresAtMs - b.tokenExpiresAtMs);
      const chosen: string[] = [];
      for (const d of candidates) {
        if (chosen.length >= n) break;
        if (chosen.every((c) => !this.related(c, d.id))) chosen.push(d.id);
      }
      return chosen;
    }
    const chosen: string[] = [];
    for (const d of this.random.sample(candidates, candidates.length)) {
      if (chosen.length >= n) break;
      if (chosen.every((c) => !this.related(c, d.id))) chosen.push(d.id);
    }
    return chosen;
  }

  private related(a: string, b: string): boolean {
    return a === b || this.parentOf.get(a) === b || this.parentOf.get(b) === a || (this.parentOf.get(a) !== undefined && this.parentOf.get(a) === this.parentOf.get(b));
  }

  /** Online, not under a fault, no relative under a fault, no command in flight, room for `extra` changes this minute. */
  private eligible(d: SimDevice, now: number, extra: number): boolean {
    if (!d.online || d.faulted || this.active.has(d.id) || d.busy) return false;
    const parent = this.parentOf.get(d.id);
    if (parent !== undefined && this.active.has(parent)) return false;
    if ((this.childrenOf.get(d.id) ?? []).some((c) => this.active.has(c))) return false;
    if (parent !== undefined && (this.childrenOf.get(parent) ?? []).some((c) => this.active.has(c))) return false;
    const recent = (this.changes.get(d.id) ?? []).filter((t) => t > now - FLAP_WINDOW_MS - 2000);
    this.changes.set(d.id, recent);
    return extra === 0 ? recent.length <= 1 : recent.length + extra <= FLAP_MAX_CHANGES;
  }

  private changed(id: string, at: number): void {
    const list = this.changes.get(id) ?? [];
    list.push(at);
    this.changes.set(id, list);
  }

  private entry(device: SimDevice, fault: FaultKind, expect: Expectation, at: number, plannedMs: number, more: Partial<FaultEntry> = {}): FaultEntry {
    const last = device.lastHeartbeatAt;
    const silence = expect === 'OFFLINE' || expect === 'SUPPRESSED';
    const deadline = silence ? (last === undefined ? undefined : last + device.windowMs) : at;
    const e: FaultEntry = {
      event: 'fault',
      at: new Date(at).toISOString(),
      id: `f${++this.seq}`,
      deviceId: device.id,
      fault,
      expect,
      ...(last !== undefined ? { lastHeartbeatAt: new Date(last).toISOString() } : {}),
      ...(deadline !== undefined ? { deadline: new Date(deadline).toISOString() } : {}),
      windowMs: device.windowMs,
      plannedMs,
      ...more,
    };
    this.truth.append(e);
    return e;
  }

  private recovered(e: FaultEntry): void {
    this.truth.append({ event: 'recovery', at: new Date().toISOString(), id: e.id, deviceId: e.deviceId, fault: e.fault });
  }

  /** A silence fault must outlast the device's window, or there is nothing to detect. */
  private silenceDuration(device: SimDevice, requested: number): number {
    return Math.max(requested, device.windowMs + Math.max(2000, device.intervalMs));
  }

  private activate(ids: string[], durationMs: number, recover: () => void): void {
    let done = false;
    const active: Active = {
      ids,
      timers: [],
      recover: () => {
        if (done) return;
        done = true;
        for (const t of active.timers) {
          clearTimeout(t);
          this.timers.delete(t);
        }
        for (const id of ids) this.active.delete(id);
        const now = Date.now();
        for (const id of ids) this.changed(id, now);
        recover();
      },
    };
    for (const id of ids) this.active.set(id, active);
    const t = setTimeout(() => active.recover(), durationMs);
    this.timers.add(t);
    active.timers.push(t);
  }

  private injectOne(request: FaultRequest, device: SimDevice): FaultEntry[] {
    const requested = request.durationMs ?? this.defaultDurationMs;
    const now = Date.now();
    this.changed(device.id, now);
    switch (request.fault) {
      case 'CRASH': {
        const ms = this.silenceDuration(device, requested);
        device.crash();
        const e = this.entry(device, 'CRASH', 'OFFLINE', now, ms);
        this.activate([device.id], ms, () => {
          device.recoverCrash();
          this.recovered(e);
        });
        return [e];
      }
      case 'HANG': {
        const ms = this.silenceDuration(device, requested);
        device.hang(true);
        const e = this.entry(device, 'HANG', 'OFFLINE', now, ms);
        this.activate([device.id], ms, () => {
          device.hang(false);
          this.recovered(e);
        });
        return [e];
      }
      case 'NETWORK_CUT': {
        const ms = this.silenceDuration(device, requested);
        device.setCut(true);
        const e = this.entry(device, 'NETWORK_CUT', 'OFFLINE', now, ms);
        this.activate([device.id], ms, () => {
          device.setCut(false);
          this.recovered(e);
        });
        return [e];
      }
      case 'COMPONENT_DEGRADED':
      case 'COMPONENT_FAULT': {
        const status = request.fault === 'COMPONENT_FAULT' ? 'FAULT' : 'DEGRADED';
        if (!device.setStatus(status)) return [];
        const e = this.entry(device, request.fault, status, Date.now(), requested);
        this.activate([device.id], requested, () => {
          device.setStatus('OK');
          this.recovered(e);
        });
        return [e];
      }
      case 'FLAPPING': {
        const period = this.flapPeriodMs;
        const ms = Math.max(requested, period * (FLAP_MAX_CHANGES + 2));
        // the episode starts at the fifth change: four periods after the first
        const e = this.entry(device, 'FLAPPING', 'FLAPPING', now, ms, { deadline: new Date(now + FLAP_MAX_CHANGES * period).toISOString() });
        device.startFlapping(period, (at) => this.changed(device.id, at));
        this.activate([device.id], ms, () => {
          device.stopFlapping();
          this.recovered(e);
        });
        return [e];
      }
      case 'SLOW_CONSUMER': {
        device.setPaused(true);
        const e = this.entry(device, 'SLOW_CONSUMER', 'NONE', now, requested);
        this.activate([device.id], requested, () => {
          device.setPaused(false);
          this.recovered(e);
        });
        return [e];
      }
      case 'TOKEN_EXPIRY': {
        const ms = this.silenceDuration(device, requested);
        // nothing is logged until the session is closed for the expired token
        this.active.set(device.id, { ids: [device.id], timers: [], recover: () => device.recoverTokenExpiry() });
        device.expireToken((closedAt) => {
          if (this.stopped) return;
          this.changed(device.id, closedAt);
          const e = this.entry(device, 'TOKEN_EXPIRY', 'OFFLINE', closedAt, ms);
          this.active.delete(device.id);
          this.activate([device.id], ms, () => {
            device.recoverTokenExpiry();
            this.recovered(e);
          });
        });
        return [];
      }
      case 'PARENT_DOWN': {
        const children = (this.childrenOf.get(device.id) ?? []).map((id) => this.devices.get(id)!).filter((c) => c.online);
        const ms = Math.max(this.silenceDuration(device, requested), ...children.map((c) => this.silenceDuration(c, requested)));
        // the parent goes first; each child's last word comes after the parent's, so a child's
        // silence ends after its parent's: its alert is the one to be suppressed
        device.crash();
        const parentEntry = this.entry(device, 'PARENT_DOWN', 'OFFLINE', now, ms);
        const entries = [parentEntry];
        for (const child of children) {
          this.changed(child.id, now);
          child.sendHeartbeat();
          child.setCut(true);
          entries.push(this.entry(child, 'PARENT_DOWN', 'SUPPRESSED', Date.now(), ms, { parentId: device.id }));
        }
        this.activate([device.id, ...children.map((c) => c.id)], ms, () => {
          device.recoverCrash();
          for (const child of children) child.setCut(false);
          for (const e of entries) this.recovered(e);
        });
        return entries;
      }
      case 'RECONNECT_STORM':
        return this.storm(request);
    }
  }

  /** Every online device not under another fault drops its connection at once and reconnects. */
  private storm(request: FaultRequest): FaultEntry[] {
    const now = Date.now();
    const targets = [...this.devices.values()].filter((d) => d.online && !this.active.has(d.id) && !d.faulted);
    for (const d of targets) this.changed(d.id, now);
    const windowMs = Math.max(0, ...targets.map((d) => d.windowMs));
    const e: FaultEntry = {
      event: 'fault',
      at: new Date(now).toISOString(),
      id: `f${++this.seq}`,
      deviceId: '*',
      fault: 'RECONNECT_STORM',
      expect: 'NONE',
      windowMs,
      plannedMs: request.durationMs ?? 60_000,
      devices: targets.length,
    };
    this.truth.append(e);
    for (const d of targets) d.dropAndReconnect();
    // over when every one of them is back (or after the planned time)
    const deadline = now + e.plannedMs;
    const poll = (): void => {
      if (this.stopped) return;
      if (targets.every((d) => d.online) || Date.now() > deadline) {
        this.recovered(e);
        return;
      }
      this.later(250, poll);
    };
    this.later(250, poll);
    return [e];
  }
}
