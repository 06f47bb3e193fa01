/**
 * Property tests of the sign debouncer: random bursts of counts for a few signs, with the adapter's
 * single timer firing at next(). Checked: never two sends to a sign within the interval, never a
 * send of the text the sign already shows, and once things are quiet every sign shows the text of
 * its latest counts.
 */
import fc from 'fast-check';
import { SignDebouncer, signText, type SignCounts, type SignSend } from '../sign-debouncer';
import { T0 } from './fixtures';

const SIGNS = ['s1', 's2', 's3'];
const INTERVAL = 2000;

interface Input {
  readonly sign: number;
  readonly counts: SignCounts;
  readonly dt: number;
}

const countsArb: fc.Arbitrary<SignCounts> = fc
  .record({ total: fc.constantFrom(0, 3), unknown: fc.integer({ min: 0, max: 3 }), available: fc.integer({ min: 0, max: 3 }), closed: fc.boolean() })
  .filter((c) => c.unknown + c.available <= c.total);
const inputArb: fc.Arbitrary<Input> = fc.record({
  sign: fc.integer({ min: 0, max: SIGNS.length - 1 }),
  counts: countsArb,
  dt: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 700 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 6000 }) }),
});

function run(inputs: readonly Input[]): void {
  const d = new SignDebouncer({ minIntervalMs: INTERVAL });
  const sends: SignSend[] = [];
  const latest = new Map<string, string>();
  const shown = new Map<string, string>();
  let now = T0;

  const record = (s: SignSend): void => {
    expect(s.text).not.toBe(shown.get(s.signId)); // never a no-op send
    const prev = sends.filter((x) => x.signId === s.signId).at(-1);
    if (prev) expect(s.at - prev.at).toBeGreaterThanOrEqual(INTERVAL);
    shown.set(s.signId, s.text);
    sends.push(s);
  };
  /** The adapter's timer: fire every due deadline up to `t`, exactly at the deadline. */
  const advance = (t: number): void => {
    for (let next = d.next(); next !== undefined && next <= t; next = d.next()) {
      expect(next).toBeGreaterThanOrEqual(now);
      now = next;
      d.due(now).forEach(record);
    }
    now = t;
  };

  for (const input of inputs) {
    advance(now + input.dt);
    const signId = SIGNS[input.sign];
    const decision = d.onCounts({ signId, zoneId: 'Z' }, input.counts, now);
    latest.set(signId, signText(input.counts));
    switch (decision.type) {
      case 'SEND':
        record(decision);
        break;
      case 'SCHEDULED':
        expect(decision.scheduleAt).toBeGreaterThan(now);
        expect(decision.scheduleAt).toBeLessThanOrEqual(now + INTERVAL);
        break;
      case 'UNCHANGED':
        expect(decision.text).toBe(shown.get(signId));
        break;
    }
  }
  advance(now + 10 * INTERVAL);
  expect(d.next()).toBeUndefined();
  for (const [signId, text] of latest) expect([signId, shown.get(signId)]).toEqual([signId, text]);
}

describe('properties of the sign debouncer', () => {
  it('at most one send per interval per sign, no no-op sends, converges on the latest text', () => {
    fc.assert(
      fc.property(fc.array(inputArb, { minLength: 1, maxLength: 100, size: 'max' }), (inputs) => run(inputs)),
      { numRuns: 500 },
    );
  });
});
