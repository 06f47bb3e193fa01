/**
 * Property tests: random interleavings of heartbeats, connects, disconnects, ticks, maintenance,
 * acknowledgements, admin resolutions and control-service restarts over a small topology, checked
 * against the rules of SPEC §5 (not against a second implementation).
 */
import fc from 'fast-check';
import type { AlertAction } from '../alert';
import { AlertEngine } from '../alert-engine';
import { isAllowedTransition, type HealthEvent, type HealthState, type HeartbeatStatus, type Transition } from '../health-state';
import { DISCONNECT_GRACE_S, HealthTracker, type DeviceConfig } from '../health-tracker';
import { T0 } from './fixtures';

/** A slow gate (10 s × 3) with two children (one fast: 2 s × 2) and an independent kiosk (3 s × 1). */
const DEVICES: ReadonlyArray<{ id: string; config: DeviceConfig }> = [
  { id: 'p', config: { type: 'GATE', intervalS: 10 } },
  { id: 'c1', config: { type: 'LPR_CAMERA', parentId: 'p' } },
  { id: 'c2', config: { type: 'VEHICLE_DETECTOR', parentId: 'p', intervalS: 2, missTolerance: 2 } },
  { id: 'k', config: { type: 'PAYMENT_KIOSK', intervalS: 3, missTolerance: 1 } },
];
const WINDOW_MS: Record<string, number> = { p: 30_000, c1: 15_000, c2: 4_000, k: 3_000 };
const GRACE_MS = DISCONNECT_GRACE_S * 1000;

type Op =
  | { kind: 'hb'; dev: number; status: HeartbeatStatus; dt: number }
  | { kind: 'connect' | 'disconnect'; dev: number; dt: number }
  | { kind: 'maintenance'; dev: number; on: boolean; dt: number }
  | { kind: 'tick' | 'restart'; dt: number }
  | { kind: 'ack' | 'resolve'; pick: number; dt: number };

/** An input mix: how often devices speak, and how far apart (in 250 ms steps) inputs may be. */
function opsArb(hbWeight: number, maxSteps: number, longGapSteps = 0, restarts = true): fc.Arbitrary<Op> {
  const short = fc.integer({ min: 0, max: maxSteps }).map((n) => n * 250);
  // Optionally, now and then a long gap: bursts separated by silences.
  const dt = longGapSteps === 0 ? short : fc.oneof({ weight: 6, arbitrary: short }, { weight: 1, arbitrary: fc.integer({ min: 0, max: longGapSteps }).map((n) => n * 250) });
  const dev = fc.integer({ min: 0, max: DEVICES.length - 1 });
  return fc.oneof(
    { weight: hbWeight, arbitrary: fc.record({ kind: fc.constant('hb' as const), dev, status: fc.constantFrom<HeartbeatStatus>('OK', 'OK', 'OK', 'DEGRADED', 'FAULT'), dt }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('connect' as const, 'disconnect' as const), dev, dt }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('maintenance' as const), dev, on: fc.boolean(), dt }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('tick' as const), dt }) },
    { weight: restarts ? 1 : 0, arbitrary: fc.record({ kind: fc.constant('restart' as const), dt }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('ack' as const, 'resolve' as const), pick: fc.nat(), dt }) },
  );
}

interface Contact {
  readonly at: number;
  readonly kind: 'hb' | 'connect' | 'disconnect';
}

/** What the test knows from its own inputs and the outputs it has seen. */
class Model {
  state = new Map<string, HealthState>(DEVICES.map((d) => [d.id, 'UNKNOWN']));
  lastHb = new Map<string, number>();
  /** Start of a watch the spec guarantees: restart, end of maintenance. */
  watch = new Map<string, number>();
  contacts = new Map<string, Contact[]>(DEVICES.map((d) => [d.id, []]));
  maintenance = new Set<string>();
  openAlerts = new Map<string, string>(); // "device/kind" -> alert id
  escalated = new Set<string>();
  lastAt = -Infinity;
  flappingStarted = 0;
  flappingEnded = 0;
}

function run(inputs: Op[]): void {
  // Every run ends with 10 minutes of silence and a tick: whatever happened has to settle.
  const ops: Op[] = [...inputs, { kind: 'tick', dt: 600_000 }];
  let now = T0;
  let seq = 0;
  const newId = (): string => `a${seq++}`;
  let tracker = new HealthTracker();
  let engine = new AlertEngine(tracker, { newId });
  const m = new Model();
  let inMaintenanceAtStart = new Set<string>();
  const movedSinceRestart = new Set<string>();

  const checkEvents = (events: readonly HealthEvent[], op: Op): void => {
    for (const e of events) {
      expect(e.at).toBeGreaterThanOrEqual(m.lastAt); // time order, across devices too
      expect(e.at).toBeLessThanOrEqual(now);
      m.lastAt = e.at;
      if (e.type === 'FLAPPING_STARTED') m.flappingStarted++;
      if (e.type === 'FLAPPING_ENDED') m.flappingEnded++;
      if (e.type !== 'TRANSITION') continue;
      checkTransition(e, op);
      m.state.set(e.deviceId, e.to);
      movedSinceRestart.add(e.deviceId);
    }
  };

  const checkTransition = (t: Transition, op: Op): void => {
    const ctx = `${JSON.stringify(t)} during ${JSON.stringify(op)}`;
    expect([ctx, t.from]).toEqual([ctx, m.state.get(t.deviceId)]);
    expect([ctx, isAllowedTransition(t.from, t.to, t.reason)]).toEqual([ctx, true]);
    if (t.from === 'MAINTENANCE') expect([ctx, op.kind === 'maintenance' && !op.on]).toEqual([ctx, true]);
    if (t.to === 'MAINTENANCE') expect([ctx, (op.kind === 'maintenance' && op.on) || op.kind === 'restart']).toEqual([ctx, true]);
    if (t.to !== 'OFFLINE') return;
    const window = WINDOW_MS[t.deviceId];
    const hb = m.lastHb.get(t.deviceId);
    if (t.reason === 'DISCONNECTED') {
      // A disconnect exactly one grace earlier, and no contact since.
      const contacts = m.contacts.get(t.deviceId) ?? [];
      const i = contacts.findIndex((c) => c.kind === 'disconnect' && c.at === t.at - GRACE_MS);
      expect([ctx, i >= 0 && contacts.slice(i + 1).every((c) => c.kind === 'disconnect')]).toEqual([ctx, true]);
    } else {
      // Silence: never before lastHeartbeat + interval × tolerance (nor before a watch start + window).
      if (hb !== undefined) expect([ctx, t.at >= hb + window]).toEqual([ctx, true]);
      const watch = m.watch.get(t.deviceId);
      if (watch !== undefined) expect([ctx, t.at >= watch + window]).toEqual([ctx, true]);
    }
  };

  const checkActions = (actions: readonly AlertAction[]): void => {
    for (const a of actions) {
      const k = `${a.alert.deviceId}/${a.alert.kind}`;
      const ctx = `${a.type} ${k} ${a.alert.id}`;
      // News (not lifecycle updates of something already shown) is only ever about unsuppressed alerts.
      const news = a.type === 'RAISE' || a.type === 'REOCCUR' || a.type === 'ESCALATE' || a.type === 'UNSUPPRESS';
      if (news && a.notify) expect([ctx, a.alert.suppressed]).toEqual([ctx, false]);
      // Lifecycle updates are published only for alerts operators have seen.
      if (!news && a.notify) expect([ctx, a.alert.notified]).toEqual([ctx, true]);
      if (a.type === 'RAISE') {
        expect([ctx, m.openAlerts.get(k)]).toEqual([ctx, undefined]); // never two open per (device, kind)
        m.openAlerts.set(k, a.alert.id);
      } else {
        expect([ctx, m.openAlerts.get(k)]).toEqual([ctx, a.alert.id]);
        if (a.type === 'RESOLVE') m.openAlerts.delete(k);
        if (a.type === 'ESCALATE') {
          expect([ctx, m.escalated.has(a.alert.id)]).toEqual([ctx, false]);
          m.escalated.add(a.alert.id);
        }
      }
      // A device in maintenance throughout the op is never the subject of a notified occurrence.
      if ((a.type === 'RAISE' || a.type === 'REOCCUR') && a.notify && inMaintenanceAtStart.has(a.alert.deviceId)) {
        expect([ctx, tracker.stateOf(a.alert.deviceId)]).not.toEqual([ctx, 'MAINTENANCE']);
      }
    }
  };

  /** The latest time the tracker was told about (ack/resolve do not reach it). */
  let trackerNow = now;
  const apply = (events: readonly HealthEvent[], op: Op): void => {
    trackerNow = now;
    checkEvents(events, op);
    checkActions(engine.consume(events));
  };

  for (const d of DEVICES) apply(tracker.register(d.id, d.config, now), { kind: 'tick', dt: 0 });

  for (const op of ops) {
    now += op.dt;
    inMaintenanceAtStart = new Set(DEVICES.filter((d) => m.state.get(d.id) === 'MAINTENANCE').map((d) => d.id));
    switch (op.kind) {
      case 'hb': {
        const id = DEVICES[op.dev].id;
        apply(tracker.heartbeat(id, op.status, now), op);
        m.lastHb.set(id, now);
        m.contacts.get(id)?.push({ at: now, kind: 'hb' });
        break;
      }
      case 'connect':
      case 'disconnect': {
        const id = DEVICES[op.dev].id;
        apply(op.kind === 'connect' ? tracker.connected(id, now) : tracker.disconnected(id, now), op);
        m.contacts.get(id)?.push({ at: now, kind: op.kind });
        break;
      }
      case 'maintenance': {
        const id = DEVICES[op.dev].id;
        const wasIn = tracker.stateOf(id) === 'MAINTENANCE';
        apply(tracker.setMaintenance(id, op.on, now), op);
        if (op.on) m.maintenance.add(id);
        else m.maintenance.delete(id);
        if (wasIn && !op.on) m.watch.set(id, now);
        break;
      }
      case 'tick':
        apply(tracker.tick(now), op);
        checkActions(engine.tick(now));
        break;
      case 'restart': {
        // A new process: configuration (with the maintenance flag) and open alerts come from the database.
        const open = engine.openAlerts();
        tracker = new HealthTracker();
        engine = new AlertEngine(tracker, { newId });
        engine.restore(open);
        for (const d of DEVICES) m.state.set(d.id, 'UNKNOWN');
        movedSinceRestart.clear();
        for (const d of DEVICES) apply(tracker.register(d.id, { ...d.config, maintenance: m.maintenance.has(d.id) }, now), op);
        apply(
          tracker.startAfterRestart(
            DEVICES.map((d) => d.id),
            now,
          ),
          op,
        );
        for (const d of DEVICES) if (!m.maintenance.has(d.id)) m.watch.set(d.id, now);
        break;
      }
      case 'ack':
      case 'resolve': {
        const open = engine.openAlerts();
        if (open.length === 0) break;
        const alert = open[op.pick % open.length];
        if (op.kind === 'resolve') checkActions(engine.resolve(alert.id, 'admin', now));
        else if (alert.status === 'OPEN') checkActions(engine.acknowledge(alert.id, 'op', 'seen', now));
        else expect(() => engine.acknowledge(alert.id, 'op', 'again', now)).toThrow();
        break;
      }
    }

    // The tracker's state is the last transition's `to`.
    for (const d of DEVICES) expect([d.id, tracker.stateOf(d.id)]).toEqual([d.id, m.state.get(d.id)]);
    // A silent device is OFFLINE by its deadline: no device stays "up" past lastHeartbeat/watch + window
    // (as of the last time the tracker was called: between calls the adapter's timer does that).
    for (const d of DEVICES) {
      const state = tracker.stateOf(d.id);
      if (state === 'OFFLINE' || state === 'MAINTENANCE') continue;
      const anchors = [m.lastHb.get(d.id), m.watch.get(d.id)].filter((x): x is number => x !== undefined);
      if (anchors.length === 0) continue;
      expect([d.id, state, trackerNow < Math.max(...anchors) + WINDOW_MS[d.id]]).toEqual([d.id, state, true]);
    }
    // A FLAPPING alert is open only while the tracker says the device is flapping (once the device
    // has moved since a restart: a restored FLAPPING alert ends with its first transition).
    for (const a of engine.openAlerts()) {
      if (a.kind === 'FLAPPING' && movedSinceRestart.has(a.deviceId)) expect([a.deviceId, tracker.snapshot(a.deviceId)?.flapping]).toEqual([a.deviceId, true]);
    }
    // The engine's open alerts: unique per (device, kind), and exactly those the actions say are open.
    const open = engine.openAlerts();
    expect(new Set(open.map((a) => `${a.deviceId}/${a.kind}`)).size).toBe(open.length);
    expect(new Map(open.map((a) => [`${a.deviceId}/${a.kind}`, a.id]))).toEqual(m.openAlerts);
  }

  // After the silence: no episode lasts forever, and no FLAPPING alert outlives it (unless the
  // device never moved since a restart and so never had the chance to end a restored one).
  for (const d of DEVICES) {
    expect([d.id, tracker.snapshot(d.id)?.flapping]).toEqual([d.id, false]);
    if (movedSinceRestart.has(d.id)) expect([d.id, engine.openFor(d.id, 'FLAPPING')]).toEqual([d.id, undefined]);
  }
  stats.ended += m.flappingEnded;
  stats.started += m.flappingStarted;
}

/** How often the generators reach flapping at all (a property that never flaps proves little). */
const stats = { started: 0, ended: 0 };

describe('properties of the health tracker and the alert engine under random interleavings', () => {
  it('hold for mixed traffic (inputs up to 20 s apart)', () => {
    fc.assert(
      fc.property(fc.array(opsArb(10, 80), { minLength: 1, maxLength: 150 }), (ops) => run(ops)),
      { numRuns: 400 },
    );
  });

  it('hold for bursts (inputs under 1 s apart: disconnect graces, flapping)', () => {
    fc.assert(
      fc.property(fc.array(opsArb(10, 3), { minLength: 1, maxLength: 200 }), (ops) => run(ops)),
      { numRuns: 200 },
    );
  });

  it('hold for bursts separated by silences, no restarts (flapping episodes that end, parents back before children)', () => {
    fc.assert(
      fc.property(fc.array(opsArb(10, 4, 480, false), { minLength: 1, maxLength: 200 }), (ops) => run(ops)),
      { numRuns: 300 },
    );
  });

  afterAll(() => {
    expect(stats.started).toBeGreaterThan(10);
    expect(stats.ended).toBeGreaterThan(10);
  });

  it('hold for sparse traffic (inputs up to 2 min apart: escalations, end of flapping, suppression reviews)', () => {
    fc.assert(
      fc.property(fc.array(opsArb(6, 480), { minLength: 1, maxLength: 150 }), (ops) => run(ops)),
      { numRuns: 200 },
    );
  });
});
