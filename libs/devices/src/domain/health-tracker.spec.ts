import { HealthTracker, UnknownDeviceError } from './health-tracker';

const T0 = Date.UTC(2025, 0, 1);
const s = (seconds: number): number => T0 + seconds * 1000;

describe('HealthTracker mechanics', () => {
  it('a heartbeat does not move the wheel entry: the early entry is moved when it fires (lazy rescheduling)', () => {
    const t = new HealthTracker();
    t.register('g', { type: 'GATE' }, s(0));
    t.heartbeat('g', 'OK', s(0));
    expect(t.next()).toBe(s(15));
    t.heartbeat('g', 'OK', s(5));
    expect(t.next()).toBe(s(15)); // untouched by the hot path
    expect(t.tick(s(15))).toEqual([]); // fires early, finds the real deadline later
    expect(t.next()).toBe(s(20));
  });

  it('defaults: 5 s per type unless overridden, 3 misses; per-device overrides win', () => {
    const t = new HealthTracker({ intervalByType: { GUIDANCE_SIGN: 30 }, missTolerance: 2 });
    t.register('sign', { type: 'GUIDANCE_SIGN' }, s(0));
    t.register('gate', { type: 'GATE', missTolerance: 4 }, s(0));
    expect(t.snapshot('sign')).toMatchObject({ intervalS: 30, missTolerance: 2 });
    expect(t.snapshot('gate')).toMatchObject({ intervalS: 5, missTolerance: 4 });
  });

  it('refuses bad configuration and unknown devices before changing anything', () => {
    const t = new HealthTracker();
    expect(() => t.register('x', { type: 'GATE', intervalS: 0 }, s(0))).toThrow(RangeError);
    expect(() => t.register('x', { type: 'GATE', missTolerance: 1.5 }, s(0))).toThrow(RangeError);
    expect(t.size).toBe(0);
    t.register('x', { type: 'GATE' }, s(0));
    expect(() => t.register('x', { type: 'GATE' }, s(0))).toThrow(/already registered/);
    expect(() => t.heartbeat('nope', 'OK', s(1))).toThrow(UnknownDeviceError);
    expect(() => t.tick(Number.NaN)).toThrow(RangeError);
  });

  it('shrinking the window of a silent device makes it OFFLINE at the change, never back-dated', () => {
    const t = new HealthTracker();
    t.register('g', { type: 'GATE' }, s(0));
    t.heartbeat('g', 'OK', s(0));
    const out = t.configure('g', { intervalS: 1, missTolerance: 2 }, s(10));
    expect(out).toEqual([expect.objectContaining({ to: 'OFFLINE', reason: 'HEARTBEAT_MISSED', at: s(10) })]);
  });

  it('growing the window postpones the deadline of the current silence', () => {
    const t = new HealthTracker();
    t.register('g', { type: 'GATE' }, s(0));
    t.heartbeat('g', 'OK', s(0));
    t.configure('g', { intervalS: 10 }, s(10));
    expect(t.tick(s(29))).toEqual([]);
    expect(t.tick(s(30))).toEqual([expect.objectContaining({ to: 'OFFLINE', at: s(30) })]);
  });

  it('configure can set maintenance and re-parent', () => {
    const t = new HealthTracker();
    t.register('g', { type: 'GATE' }, s(0));
    t.register('c', { type: 'LPR_CAMERA', parentId: 'g' }, s(0));
    expect(t.describe('c')).toEqual({ type: 'LPR_CAMERA', parentId: 'g' });
    t.configure('c', { parentId: null }, s(1));
    expect(t.describe('c')).toEqual({ type: 'LPR_CAMERA', parentId: undefined });
    expect(t.configure('g', { maintenance: true }, s(2))).toEqual([expect.objectContaining({ to: 'MAINTENANCE' })]);
  });

  it('time never runs backwards: an earlier now is read as the latest seen', () => {
    const t = new HealthTracker();
    t.register('g', { type: 'GATE' }, s(0));
    t.heartbeat('g', 'OK', s(10));
    expect(t.heartbeat('g', 'FAULT', s(5))).toEqual([expect.objectContaining({ to: 'FAULT', at: s(10) })]);
  });

  it('unregister forgets the device and its deadlines', () => {
    const t = new HealthTracker();
    t.register('g', { type: 'GATE' }, s(0));
    t.heartbeat('g', 'OK', s(0));
    expect(t.unregister('g')).toBe(true);
    expect(t.unregister('g')).toBe(false);
    expect(t.next()).toBeUndefined();
    expect(t.tick(s(100))).toEqual([]);
  });
});
