import fc from 'fast-check';
import { DeadlineWheel } from './deadline-wheel';

describe('DeadlineWheel', () => {
  it('returns due ids earliest first and removes them', () => {
    const w = new DeadlineWheel();
    w.schedule('c', 30);
    w.schedule('a', 10);
    w.schedule('b', 20);
    expect(w.next()).toBe(10);
    expect(w.due(20)).toEqual(['a', 'b']);
    expect(w.due(20)).toEqual([]);
    expect(w.next()).toBe(30);
    expect(w.size).toBe(1);
  });

  it('ties fire in scheduling order', () => {
    const w = new DeadlineWheel();
    for (const id of ['x', 'y', 'z', 'w']) w.schedule(id, 5);
    expect(w.due(5)).toEqual(['x', 'y', 'z', 'w']);
  });

  it('scheduling an existing id moves it, earlier or later', () => {
    const w = new DeadlineWheel();
    w.schedule('a', 10);
    w.schedule('b', 20);
    w.schedule('a', 30);
    expect(w.deadlineOf('a')).toBe(30);
    expect(w.due(25)).toEqual(['b']);
    w.schedule('a', 1);
    expect(w.next()).toBe(1);
    expect(w.size).toBe(1);
  });

  it('cancel removes an entry and reports whether there was one', () => {
    const w = new DeadlineWheel();
    w.schedule('a', 10);
    w.schedule('b', 20);
    expect(w.cancel('a')).toBe(true);
    expect(w.cancel('a')).toBe(false);
    expect(w.has('a')).toBe(false);
    expect(w.next()).toBe(20);
  });

  it('popDue takes one at a time and nothing that is not due', () => {
    const w = new DeadlineWheel();
    w.schedule('a', 10);
    expect(w.popDue(9)).toBeUndefined();
    expect(w.popDue(10)).toBe('a');
    expect(w.next()).toBeUndefined();
  });

  it('refuses a non-finite deadline (it would corrupt the heap order)', () => {
    const w = new DeadlineWheel();
    expect(() => w.schedule('a', Number.NaN)).toThrow(RangeError);
    expect(() => w.schedule('a', Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('behaves like a sorted map under any sequence of operations (model-based)', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('schedule' as const), id: fc.integer({ min: 0, max: 20 }), at: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({ op: fc.constant('cancel' as const), id: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ op: fc.constant('due' as const), now: fc.integer({ min: 0, max: 1000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const w = new DeadlineWheel();
        const model = new Map<string, { at: number; seq: number }>();
        let seq = 0;
        for (const o of ops) {
          switch (o.op) {
            case 'schedule':
              w.schedule(`d${o.id}`, o.at);
              model.set(`d${o.id}`, { at: o.at, seq: seq++ });
              break;
            case 'cancel':
              expect(w.cancel(`d${o.id}`)).toBe(model.delete(`d${o.id}`));
              break;
            case 'due': {
              const expected = [...model.entries()]
                .filter(([, v]) => v.at <= o.now)
                .sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq)
                .map(([id]) => id);
              expect(w.due(o.now)).toEqual(expected);
              for (const id of expected) model.delete(id);
              break;
            }
          }
          expect(w.size).toBe(model.size);
          const min = Math.min(...[...model.values()].map((v) => v.at));
          expect(w.next()).toBe(model.size === 0 ? undefined : min);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('100,000 devices: schedule, reschedule every one, drain in order, in deadline order (speed is measured in bench/, not asserted here)', () => {
    const n = 100_000;
    const w = new DeadlineWheel();
    let x = 12345;
    const rand = (): number => (x = (x * 1103515245 + 12345) % 2147483648) % 15_000;
    const ids = Array.from({ length: n }, (_, i) => `dev-${i}`);
    const final = new Map<string, number>();

    for (const id of ids) w.schedule(id, rand());

    for (const id of ids) {
      const at = 15_000 + rand();
      final.set(id, at);
      w.schedule(id, at);
    }
    expect(w.size).toBe(n);
    let min = Infinity;
    for (const at of final.values()) min = Math.min(min, at);
    expect(w.next()).toBe(min);

    const drained = w.due(Number.MAX_SAFE_INTEGER);

    expect(drained).toHaveLength(n);
    expect(new Set(drained).size).toBe(n);
    let ordered = true;
    for (let i = 1; i < n; i++) if ((final.get(drained[i - 1]) as number) > (final.get(drained[i]) as number)) ordered = false;
    expect(ordered).toBe(true);
    expect(w.size).toBe(0);
  });
});
