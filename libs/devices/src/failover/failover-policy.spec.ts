import type { HealthState } from '../domain';
import { FailoverGroup, type FailoverGroupSpec } from './failover-policy';

const spec = (over: Partial<FailoverGroupSpec> = {}): FailoverGroupSpec => ({
  id: 'g1',
  zoneId: 'T1',
  members: ['cam-a', 'cam-b', 'cam-c'],
  failback: 'MANUAL',
  fallbackCommand: { type: 'TICKET_MODE', deviceId: 'gate-1' },
  ...over,
});

function world(initial: Record<string, HealthState>): { set(id: string, s: HealthState): void; stateOf(id: string): HealthState | undefined } {
  const states = new Map(Object.entries(initial));
  return { set: (id, s) => states.set(id, s), stateOf: (id) => states.get(id) };
}

describe('failover group', () => {
  it('activates the first healthy member initially', () => {
    const w = world({ 'cam-a': 'OFFLINE', 'cam-b': 'ONLINE', 'cam-c': 'ONLINE' });
    const g = new FailoverGroup(spec(), null, 60);
    expect(g.evaluate(w.stateOf, 0)).toEqual([{ kind: 'ACTIVATED', groupId: 'g1', from: null, to: 'cam-b', reason: 'INITIAL' }]);
  });

  it('fails over to the next healthy member by priority when the active one goes OFFLINE or FAULT', () => {
    const w = world({ 'cam-a': 'ONLINE', 'cam-b': 'OFFLINE', 'cam-c': 'DEGRADED' });
    const g = new FailoverGroup(spec(), 'cam-a', 60);
    expect(g.evaluate(w.stateOf, 0)).toEqual([]);
    w.set('cam-a', 'FAULT');
    expect(g.evaluate(w.stateOf, 1000)).toEqual([{ kind: 'ACTIVATED', groupId: 'g1', from: 'cam-a', to: 'cam-c', reason: 'FAILOVER' }]);
    expect(g.activeMember).toBe('cam-c');
    // a standby's own trouble changes nothing while the active one is fine
    w.set('cam-b', 'FAULT');
    expect(g.evaluate(w.stateOf, 2000)).toEqual([]);
  });

  it('with no healthy member sends the fallback once, and reports restoration', () => {
    const w = world({ 'cam-a': 'ONLINE', 'cam-b': 'OFFLINE', 'cam-c': 'UNKNOWN' });
    const g = new FailoverGroup(spec(), 'cam-a', 60);
    w.set('cam-a', 'OFFLINE');
    expect(g.evaluate(w.stateOf, 0)).toEqual([
      { kind: 'NO_STANDBY', groupId: 'g1', failed: 'cam-a', fallback: { type: 'TICKET_MODE', deviceId: 'gate-1' } },
    ]);
    expect(g.evaluate(w.stateOf, 10)).toEqual([]);
    w.set('cam-b', 'ONLINE');
    expect(g.evaluate(w.stateOf, 20)).toEqual([{ kind: 'ACTIVATED', groupId: 'g1', from: 'cam-a', to: 'cam-b', reason: 'FAILOVER' }]);
  });

  it('restores when the exhausted active member itself comes back', () => {
    const w = world({ 'cam-a': 'ONLINE', 'cam-b': 'OFFLINE', 'cam-c': 'OFFLINE' });
    const g = new FailoverGroup(spec(), 'cam-a', 60);
    w.set('cam-a', 'OFFLINE');
    g.evaluate(w.stateOf, 0);
    w.set('cam-a', 'ONLINE');
    expect(g.evaluate(w.stateOf, 5)).toEqual([{ kind: 'RESTORED', groupId: 'g1', to: 'cam-a' }]);
    expect(g.noStandby).toBe(false);
  });

  it('AUTO failback returns to the first member only after it was healthy for stableS', () => {
    const w = world({ 'cam-a': 'ONLINE', 'cam-b': 'ONLINE', 'cam-c': 'ONLINE' });
    const g = new FailoverGroup(spec({ failback: 'AUTO' }), 'cam-a', 60);
    w.set('cam-a', 'OFFLINE');
    g.evaluate(w.stateOf, 0);
    expect(g.activeMember).toBe('cam-b');
    w.set('cam-a', 'ONLINE');
    expect(g.evaluate(w.stateOf, 10_000)).toEqual([]);
    expect(g.nextCheckAt()).toBe(70_000);
    // flaps back down: the stability clock restarts
    w.set('cam-a', 'OFFLINE');
    g.evaluate(w.stateOf, 20_000);
    w.set('cam-a', 'ONLINE');
    g.evaluate(w.stateOf, 30_000);
    expect(g.evaluate(w.stateOf, 89_999)).toEqual([]);
    expect(g.evaluate(w.stateOf, 90_000)).toEqual([{ kind: 'ACTIVATED', groupId: 'g1', from: 'cam-b', to: 'cam-a', reason: 'FAILBACK' }]);
    expect(g.nextCheckAt()).toBeUndefined();
  });

  it('MANUAL failback stays on the standby', () => {
    const w = world({ 'cam-a': 'ONLINE', 'cam-b': 'ONLINE', 'cam-c': 'ONLINE' });
    const g = new FailoverGroup(spec(), 'cam-a', 60);
    w.set('cam-a', 'OFFLINE');
    g.evaluate(w.stateOf, 0);
    w.set('cam-a', 'ONLINE');
    expect(g.evaluate(w.stateOf, 1_000_000)).toEqual([]);
    expect(g.activeMember).toBe('cam-b');
    expect(g.nextCheckAt()).toBeUndefined();
  });
});
