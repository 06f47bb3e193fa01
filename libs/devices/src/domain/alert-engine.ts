import {
  ALERT_KINDS,
  AlertLifecycleError,
  HEALTH_ALERT_KINDS,
  type Alert,
  type AlertAction,
  type AlertActionType,
  type AlertKind,
  type Resolution,
  type Suppression,
} from './alert';
import { severityOf } from './alert-severity';
import { DeadlineWheel } from './deadline-wheel';
import type { DeviceDirectory } from './device-directory';
import { isReportedState, type FlappingSignal, type HealthEvent, type HealthState, type Transition, type TransitionReason } from './health-state';

/** SPEC §5: an alert still OPEN this long after it was notified is escalated once. */
export const ESCALATE_AFTER_S = 300;
/**
 * After a parent (or the device itself) comes back from OFFLINE/MAINTENANCE, its children get
 * this long to report before their still-open suppressed alerts are notified: children usually
 * return seconds after their switch, and notifying them at once would be the storm suppression
 * exists to prevent. Default: one default tolerance window (5 s × 3).
 */
export const SUPPRESSION_REVIEW_S = 15;
/** Guard against a cyclic or absurd topology. */
const MAX_TOPOLOGY_DEPTH = 16;

export interface AlertEngineOptions {
  /** Injected so ids are deterministic in tests and unique (e.g. UUIDv7) in production. */
  readonly newId: () => string;
  readonly escalateAfterS?: number;
  readonly suppressionReviewS?: number;
}

type MutableAlert = { -readonly [K in keyof Alert]: Alert[K] };

interface Slot {
  readonly alert: MutableAlert;
  escalateAt: number | undefined;
  reviewAt: number | undefined;
  /** Restored after a restart and not yet touched: the first repeat raise is the same condition, not news. */
  carriedOver: boolean;
}

const NO_IDS: ReadonlySet<string> = new Set();

/**
 * Turns health events into alert actions (SPEC §5). Pure: time comes in as `now` (or the event's
 * `at`), ids from the injected generator. Holds only open alerts; a resolved alert is handed out
 * in its RESOLVE action and forgotten.
 *
 * Rules:
 *  - at most one open alert per (device, kind); a repeat raise is REOCCUR (occurrences + 1);
 *  - -> OFFLINE/FAULT/DEGRADED raises that kind; -> ONLINE resolves all three (RECOVERED);
 *    -> DEGRADED resolves OFFLINE and FAULT, -> FAULT resolves OFFLINE and DEGRADED (the device
 *    is talking again and its own report is current); -> OFFLINE keeps FAULT/DEGRADED open;
 *  - suppression: while the device is in MAINTENANCE or an ancestor is OFFLINE/MAINTENANCE,
 *    alerts are recorded with notify=false; a parent going down also suppresses its
 *    descendants' open alerts (SUPPRESS), and coming back reviews them after
 *    {@link SUPPRESSION_REVIEW_S} (UNSUPPRESS if still open);
 *  - flapping: one FLAPPING alert per episode; health raises during it fold into it (REOCCUR,
 *    not notified); when the episode ends it is resolved (STABLE) and the state the device
 *    settled on raises its alert as usual;
 *  - restart: alerts restored with {@link restore} absorb their first repeat (a device still
 *    OFFLINE after the restart grace raises nothing new); devices back in time resolve them; a
 *    restored FLAPPING alert ends with the device's first transition outside an episode.
 */
export class AlertEngine {
  private readonly byKey = new Map<string, Slot>();
  private readonly byId = new Map<string, Slot>();
  private readonly states = new Map<string, HealthState>();
  /** Open suppressed alerts, so a device coming back reviews only these. */
  private readonly suppressed = new Set<Slot>();
  private readonly timers = new DeadlineWheel();
  private readonly newId: () => string;
  private readonly escalateAfterMs: number;
  private readonly reviewMs: number;
  private batchOffline: ReadonlySet<string> = NO_IDS;
  private out: AlertAction[] = [];

  constructor(
    private readonly directory: DeviceDirectory,
    options: AlertEngineOptions,
  ) {
    this.newId = options.newId;
    this.escalateAfterMs = nonNegative('escalateAfterS', options.escalateAfterS ?? ESCALATE_AFTER_S) * 1000;
    this.reviewMs = nonNegative('suppressionReviewS', options.suppressionReviewS ?? SUPPRESSION_REVIEW_S) * 1000;
  }

  /** Open (OPEN or ACKNOWLEDGED) alerts, as snapshots. */
  openAlerts(): Alert[] {
    return Array.from(this.byId.values(), (s) => snapshot(s.alert));
  }

  get(alertId: string): Alert | undefined {
    const slot = this.byId.get(alertId);
    return slot && snapshot(slot.alert);
  }

  openFor(deviceId: string, kind: AlertKind): Alert | undefined {
    const slot = this.byKey.get(key(deviceId, kind));
    return slot && snapshot(slot.alert);
  }

  /** Earliest escalation or suppression review (epoch ms): arm a timer and call {@link tick}. */
  next(): number | undefined {
    return this.timers.next();
  }

  /**
   * Loads the open alerts persisted before a restart. Call before consuming any event of the
   * new process. Escalation clocks continue from `notifiedAt`.
   */
  restore(alerts: Iterable<Alert>): void {
    for (const a of alerts) {
      if (a.status === 'RESOLVED' || this.byId.has(a.id)) continue;
      const k = key(a.deviceId, a.kind);
      if (this.byKey.has(k)) continue; // a second open alert of one (device, kind) cannot be honoured
      const slot: Slot = { alert: { ...a }, escalateAt: undefined, reviewAt: undefined, carriedOver: true };
      if (a.status === 'OPEN' && a.notified && !a.suppressed && !a.escalated) {
        slot.escalateAt = (a.notifiedAt ?? a.openedAt) + this.escalateAfterMs;
      }
      this.byKey.set(k, slot);
      this.byId.set(a.id, slot);
      if (a.suppressed) this.suppressed.add(slot);
      this.updateTimer(slot);
    }
  }

  /** Consumes what a {@link HealthTracker} call returned, in order. */
  consume(events: readonly HealthEvent[]): AlertAction[] {
    if (events.length === 0) return [];
    // A parent that goes OFFLINE anywhere in this batch suppresses its children's alerts in the
    // batch too: after a restart or a switch failure, deadlines of a parent and its children
    // fall at the same instant and their order within it says nothing.
    const offline = events.filter((e): e is Transition => e.type === 'TRANSITION' && e.to === 'OFFLINE');
    this.batchOffline = offline.length === 0 ? NO_IDS : new Set(offline.map((e) => e.deviceId));
    try {
      for (const e of events) {
        switch (e.type) {
          case 'TRANSITION':
            this.onTransition(e);
            break;
          case 'FLAPPING_STARTED':
            this.flappingSlot(e.deviceId, e.at, undefined);
            break;
          case 'FLAPPING_ENDED':
            this.onFlappingEnded(e);
            break;
        }
      }
    } finally {
      this.batchOffline = NO_IDS;
    }
    return this.flush();
  }

  /**
   * Raises an alert that does not come from a transition (FAILOVER, NO_STANDBY from the failover
   * engine), with the same dedup and suppression rules.
   */
  raise(deviceId: string, kind: AlertKind, now: number, detail?: string): AlertAction[] {
    this.raiseOrReoccur(deviceId, kind, now, undefined, detail);
    return this.flush();
  }

  /** Resolves the open alert of (device, kind), if any, because its cause went away (CLEARED). */
  clear(deviceId: string, kind: AlertKind, now: number): AlertAction[] {
    const slot = this.byKey.get(key(deviceId, kind));
    if (slot) this.close(slot, now, 'CLEARED', undefined);
    return this.flush();
  }

  /** OPEN -> ACKNOWLEDGED by an operator, with a note; stops escalation. */
  acknowledge(alertId: string, by: string, note: string, now: number): AlertAction[] {
    const slot = this.openSlot(alertId);
    const a = slot.alert;
    if (a.status === 'ACKNOWLEDGED') {
      throw new AlertLifecycleError('ALREADY_ACKNOWLEDGED', alertId, `alert ${alertId} is already acknowledged`);
    }
    a.status = 'ACKNOWLEDGED';
    a.acknowledgedBy = by;
    a.acknowledgedAt = now;
    a.note = note;
    slot.escalateAt = undefined;
    slot.carriedOver = false;
    this.updateTimer(slot);
    this.emit('ACKNOWLEDGE', slot, now, a.notified);
    return this.flush();
  }

  /** OPEN/ACKNOWLEDGED -> RESOLVED by an admin. */
  resolve(alertId: string, by: string, now: number): AlertAction[] {
    this.close(this.openSlot(alertId), now, 'ADMIN', by);
    return this.flush();
  }

  /** Resolves every open alert of a deleted device and forgets its state. */
  removeDevice(deviceId: string, now: number): AlertAction[] {
    for (const slot of this.slotsOf(deviceId)) this.close(slot, now, 'DEVICE_REMOVED', undefined);
    this.states.delete(deviceId);
    return this.flush();
  }

  /** Escalations and suppression reviews due at or before `now`, each stamped with its due time. */
  tick(now: number): AlertAction[] {
    for (let id = this.timers.popDue(now); id !== undefined; id = this.timers.popDue(now)) {
      const slot = this.byId.get(id);
      if (!slot) continue;
      if (slot.reviewAt !== undefined && slot.reviewAt <= now) this.review(slot, slot.reviewAt);
      if (slot.escalateAt !== undefined && slot.escalateAt <= now) this.escalate(slot, slot.escalateAt);
      this.updateTimer(slot);
    }
    return this.flush();
  }

  private onTransition(tr: Transition): void {
    const id = tr.deviceId;
    this.states.set(id, tr.to);
    if (!tr.flapping) {
      // Not (or no longer) in an episode: a FLAPPING alert still open is over. This is the
      // normal end after a restart, where the new tracker has no episode to end.
      const flapping = this.byKey.get(key(id, 'FLAPPING'));
      if (flapping) this.close(flapping, tr.at, 'STABLE', undefined);
    }
    switch (tr.to) {
      case 'ONLINE':
        this.recover(id, HEALTH_ALERT_KINDS, tr.at);
        break;
      case 'DEGRADED':
        this.recover(id, ['OFFLINE', 'FAULT'], tr.at);
        this.raiseHealth(id, 'DEGRADED', tr);
        break;
      case 'FAULT':
        this.recover(id, ['OFFLINE', 'DEGRADED'], tr.at);
        this.raiseHealth(id, 'FAULT', tr);
        break;
      case 'OFFLINE':
        this.raiseHealth(id, 'OFFLINE', tr);
        this.suppressOpen(id, tr.at);
        break;
      case 'MAINTENANCE':
        this.suppressOpen(id, tr.at);
        break;
      case 'UNKNOWN':
        break;
    }
    // Back from maintenance, or reporting again after being down or unknown (e.g. a parent
    // back after a restart): review the suppressed alerts it explained.
    if (tr.from === 'MAINTENANCE' || (isReportedState(tr.to) && !isReportedState(tr.from))) this.scheduleReview(id, tr.at);
    // The device's first move after a restart ends the carried-over grace of its alerts.
    for (const slot of this.slotsOf(id)) slot.carriedOver = false;
  }

  private onFlappingEnded(signal: FlappingSignal): void {
    const slot = this.byKey.get(key(signal.deviceId, 'FLAPPING'));
    if (slot) this.close(slot, signal.at, 'STABLE', undefined);
    // The state it settled on deserves its own alert, which flapping folded away.
    switch (signal.state) {
      case 'OFFLINE':
      case 'FAULT':
      case 'DEGRADED':
        this.raiseOrReoccur(signal.deviceId, signal.state, signal.at, undefined, undefined);
        break;
      case 'UNKNOWN':
      case 'ONLINE':
      case 'MAINTENANCE':
        break;
    }
  }

  private raiseHealth(deviceId: string, kind: AlertKind, tr: Transition): void {
    if (!tr.flapping) {
      this.raiseOrReoccur(deviceId, kind, tr.at, tr.reason, undefined);
      return;
    }
    // One alert for the episode: count the change on the FLAPPING alert, quietly.
    const existed = this.byKey.has(key(deviceId, 'FLAPPING'));
    const slot = this.flappingSlot(deviceId, tr.at, tr.reason);
    if (!existed || slot.carriedOver) {
      slot.carriedOver = false;
      return;
    }
    slot.alert.occurrences++;
    slot.alert.lastOccurredAt = tr.at;
    this.emit('REOCCUR', slot, tr.at, false);
  }

  /** The open FLAPPING alert of the device, raised if there is none. */
  private flappingSlot(deviceId: string, at: number, reason: TransitionReason | undefined): Slot {
    return this.byKey.get(key(deviceId, 'FLAPPING')) ?? this.create(deviceId, 'FLAPPING', at, reason, undefined);
  }

  private raiseOrReoccur(deviceId: string, kind: AlertKind, at: number, reason: TransitionReason | undefined, detail: string | undefined): void {
    const slot = this.byKey.get(key(deviceId, kind));
    if (!slot) {
      this.create(deviceId, kind, at, reason, detail);
      return;
    }
    if (slot.carriedOver) {
      slot.carriedOver = false;
      return;
    }
    const a = slot.alert;
    a.occurrences++;
    a.lastOccurredAt = at;
    if (reason !== undefined) a.reason = reason;
    if (detail !== undefined) a.detail = detail;
    const suppression = this.suppressionOf(deviceId);
    this.applySuppression(slot, suppression, at);
    this.emit('REOCCUR', slot, at, suppression === undefined);
  }

  private create(deviceId: string, kind: AlertKind, at: number, reason: TransitionReason | undefined, detail: string | undefined): Slot {
    const suppression = this.suppressionOf(deviceId);
    const alert: MutableAlert = {
      id: this.newId(),
      deviceId,
      kind,
      severity: severityOf(kind, this.directory.describe(deviceId)?.type),
      status: 'OPEN',
      openedAt: at,
      lastOccurredAt: at,
      occurrences: 1,
      suppressed: false,
      notified: false,
      escalated: false,
    };
    if (reason !== undefined) alert.reason = reason;
    if (detail !== undefined) alert.detail = detail;
    const slot: Slot = { alert, escalateAt: undefined, reviewAt: undefined, carriedOver: false };
    this.byKey.set(key(deviceId, kind), slot);
    this.byId.set(alert.id, slot);
    this.applySuppression(slot, suppression, at);
    this.emit('RAISE', slot, at, suppression === undefined);
    return slot;
  }

  /** Sets the suppression of an open alert; lifting it means the alert is notified from now on. */
  private applySuppression(slot: Slot, suppression: Suppression | undefined, at: number): void {
    const a = slot.alert;
    if (suppression !== undefined) {
      a.suppressed = true;
      a.suppressedBy = suppression;
      slot.escalateAt = undefined;
      this.suppressed.add(slot);
    } else {
      a.suppressed = false;
      delete a.suppressedBy;
      this.suppressed.delete(slot);
      if (!a.notified) {
        a.notified = true;
        a.notifiedAt = at;
      }
      // The escalation clock runs from when operators could first see it.
      if (a.status === 'OPEN' && !a.escalated && slot.escalateAt === undefined) slot.escalateAt = at + this.escalateAfterMs;
    }
    this.updateTimer(slot);
  }

  private recover(deviceId: string, kinds: readonly AlertKind[], at: number): void {
    for (const kind of kinds) {
      const slot = this.byKey.get(key(deviceId, kind));
      if (slot) this.close(slot, at, 'RECOVERED', undefined);
    }
  }

  /** `downId` went OFFLINE or into MAINTENANCE: its own (maintenance) and its descendants' open alerts are now explained. */
  private suppressOpen(downId: string, at: number): void {
    for (const slot of this.byId.values()) {
      const deviceId = slot.alert.deviceId;
      if (deviceId !== downId && !this.isBelow(deviceId, downId)) continue;
      const suppression = this.suppressionOf(deviceId);
      if (suppression === undefined) continue; // e.g. the device itself OFFLINE: that is not suppression
      const wasSuppressed = slot.alert.suppressed;
      this.applySuppression(slot, suppression, at);
      if (!wasSuppressed) this.emit('SUPPRESS', slot, at, slot.alert.notified);
    }
  }

  private scheduleReview(upId: string, at: number): void {
    for (const slot of this.suppressed) {
      const deviceId = slot.alert.deviceId;
      if (deviceId !== upId && !this.isBelow(deviceId, upId)) continue;
      slot.reviewAt = at + this.reviewMs;
      this.updateTimer(slot);
    }
  }

  private review(slot: Slot, at: number): void {
    slot.reviewAt = undefined;
    if (!slot.alert.suppressed) return;
    const suppression = this.suppressionOf(slot.alert.deviceId);
    this.applySuppression(slot, suppression, at);
    if (suppression === undefined) this.emit('UNSUPPRESS', slot, at, true);
  }

  private escalate(slot: Slot, at: number): void {
    slot.escalateAt = undefined;
    const a = slot.alert;
    if (a.status !== 'OPEN' || a.escalated || a.suppressed) return;
    a.escalated = true;
    a.escalatedAt = at;
    this.emit('ESCALATE', slot, at, true);
  }

  private close(slot: Slot, at: number, resolution: Resolution, by: string | undefined): void {
    const a = slot.alert;
    a.status = 'RESOLVED';
    a.resolvedAt = at;
    a.resolution = resolution;
    if (by !== undefined) a.resolvedBy = by;
    this.byKey.delete(key(a.deviceId, a.kind));
    this.byId.delete(a.id);
    this.suppressed.delete(slot);
    this.timers.cancel(a.id);
    this.emit('RESOLVE', slot, at, a.notified);
  }

  private openSlot(alertId: string): Slot {
    const slot = this.byId.get(alertId);
    if (!slot) throw new AlertLifecycleError('NOT_OPEN', alertId, `alert ${alertId} is not open (unknown or resolved)`);
    return slot;
  }

  private slotsOf(deviceId: string): Slot[] {
    const slots: Slot[] = [];
    for (const kind of ALERT_KINDS) {
      const slot = this.byKey.get(key(deviceId, kind));
      if (slot) slots.push(slot);
    }
    return slots;
  }

  /** Why `deviceId`'s alerts are not notified right now, if they are not. */
  private suppressionOf(deviceId: string): Suppression | undefined {
    if (this.states.get(deviceId) === 'MAINTENANCE') return 'MAINTENANCE';
    let parent = this.directory.describe(deviceId)?.parentId;
    for (let depth = 0; parent !== undefined && depth < MAX_TOPOLOGY_DEPTH; depth++) {
      const state = this.states.get(parent);
      if (state === 'OFFLINE' || this.batchOffline.has(parent)) return 'PARENT_OFFLINE';
      if (state === 'MAINTENANCE') return 'PARENT_MAINTENANCE';
      parent = this.directory.describe(parent)?.parentId;
    }
    return undefined;
  }

  private isBelow(deviceId: string, ancestorId: string): boolean {
    let parent = this.directory.describe(deviceId)?.parentId;
    for (let depth = 0; parent !== undefined && depth < MAX_TOPOLOGY_DEPTH; depth++) {
      if (parent === ancestorId) return true;
      parent = this.directory.describe(parent)?.parentId;
    }
    return false;
  }

  private updateTimer(slot: Slot): void {
    const { escalateAt, reviewAt } = slot;
    const at = escalateAt === undefined ? reviewAt : reviewAt === undefined ? escalateAt : Math.min(escalateAt, reviewAt);
    if (at === undefined) this.timers.cancel(slot.alert.id);
    else this.timers.schedule(slot.alert.id, at);
  }

  private emit(type: AlertActionType, slot: Slot, at: number, notify: boolean): void {
    this.out.push({ type, alert: snapshot(slot.alert), notify, at });
  }

  private flush(): AlertAction[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

function key(deviceId: string, kind: AlertKind): string {
  return `${deviceId}\u0000${kind}`;
}

function snapshot(a: MutableAlert): Alert {
  return Object.freeze({ ...a });
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number, got ${value}`);
  return value;
}
