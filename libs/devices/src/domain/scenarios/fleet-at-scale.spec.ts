import { HealthTracker } from '../health-tracker';
import { T0, sec } from './fixtures';

describe('scenario: 100,000 devices on the hot path', () => {
  const n = 100_000;
  const ids = Array.from({ length: n }, (_, i) => `det-${i}`);

  it('steady heartbeats change nothing and all return the one shared empty result (no allocation)', () => {
    const tracker = new HealthTracker();
    for (const id of ids) tracker.register(id, { type: 'VEHICLE_DETECTOR' }, T0);
    // First heartbeats: UNKNOWN -> ONLINE, spread over one interval.
    for (let i = 0; i < n; i++) tracker.heartbeat(ids[i], 'OK', T0 + Math.floor((i * 5000) / n));
    const quiet = tracker.heartbeat(ids[0], 'OK', sec(5));
    expect(quiet).toEqual([]);

    // Ten more rounds (1M heartbeats) at the 5 s cadence: every result is the same shared empty array.
    let same = true;
    for (let round = 1; round <= 10; round++) {
      for (let i = 0; i < n; i++) {
        if (tracker.heartbeat(ids[i], 'OK', T0 + round * 5000 + Math.floor((i * 5000) / n)) !== quiet) same = false;
      }
    }
    expect(same).toBe(true);
    for (const id of ids) if (tracker.stateOf(id) !== 'ONLINE') throw new Error(`${id} not ONLINE`);
  });

  it('the whole fleet falls silent: every device OFFLINE at its own exact deadline, in time order, in one late tick', () => {
    const tracker = new HealthTracker();
    for (const id of ids) tracker.register(id, { type: 'VEHICLE_DETECTOR' }, T0);
    const last = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const at = T0 + Math.floor((i * 5000) / n);
      tracker.heartbeat(ids[i], 'OK', at);
      tracker.heartbeat(ids[i], 'OK', at + 5000); // a second beat leaves a stale (early) heap entry behind
      last.set(ids[i], at + 5000);
    }
    const out = tracker.tick(sec(120));
    const offline = out.filter((e) => e.type === 'TRANSITION' && e.to === 'OFFLINE');
    expect(offline).toHaveLength(n);
    let exact = true;
    let ordered = true;
    let prev = -Infinity;
    for (const e of offline) {
      if (e.at !== (last.get(e.deviceId) as number) + 15_000) exact = false;
      if (e.at < prev) ordered = false;
      prev = e.at;
    }
    expect(exact).toBe(true);
    expect(ordered).toBe(true);
    expect(tracker.next()).toBeUndefined();
  });
});
