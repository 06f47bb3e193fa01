import { SignDebouncer, type SignCounts } from '../sign-debouncer';
import { L1_BAYS, T0, World, sec } from './fixtures';

const SIGN = { signId: 'sign-P1-L1', zoneId: 'P1-L1' };
/** 100 bays, all known, `available` free. */
const free = (available: number): SignCounts => ({ total: 100, unknown: 0, available, closed: false });

describe('scenario: a burst of occupancy changes reaches a sign as one send now and the latest at the interval end', () => {
  it('first change is sent at once; changes inside the interval are held; the latest is sent when it ends', () => {
    const s = new SignDebouncer(); // 2000 ms
    expect(s.onCounts(SIGN, free(10), sec(0))).toEqual({ type: 'SEND', signId: SIGN.signId, zoneId: 'P1-L1', text: 'FREE 10', at: sec(0) });
    expect(s.onCounts(SIGN, free(9), sec(0.3))).toEqual({ type: 'SCHEDULED', signId: SIGN.signId, zoneId: 'P1-L1', text: 'FREE 9', scheduleAt: sec(2) });
    expect(s.onCounts(SIGN, free(8), sec(1))).toMatchObject({ type: 'SCHEDULED', text: 'FREE 8', scheduleAt: sec(2) });
    expect(s.onCounts(SIGN, free(7), sec(1.9))).toMatchObject({ type: 'SCHEDULED', text: 'FREE 7', scheduleAt: sec(2) });
    expect(s.next()).toBe(sec(2));
    expect(s.due(sec(1.99))).toEqual([]);
    expect(s.due(sec(2))).toEqual([{ signId: SIGN.signId, zoneId: 'P1-L1', text: 'FREE 7', at: sec(2) }]);
    expect(s.next()).toBeUndefined();
    expect(s.displayed(SIGN.signId)).toEqual({ text: 'FREE 7', at: sec(2) });
  });

  it('a change right after a trailing send waits for the next interval end', () => {
    const s = new SignDebouncer();
    s.onCounts(SIGN, free(10), sec(0));
    s.onCounts(SIGN, free(9), sec(1));
    s.due(sec(2));
    expect(s.onCounts(SIGN, free(8), sec(2.5))).toMatchObject({ type: 'SCHEDULED', scheduleAt: sec(4) });
    // A quiet sign sends at once again.
    s.due(sec(4));
    expect(s.onCounts(SIGN, free(7), sec(10))).toMatchObject({ type: 'SEND', text: 'FREE 7', at: sec(10) });
  });

  it('no send when unchanged; a pending change that returns to the displayed text is dropped', () => {
    const s = new SignDebouncer();
    s.onCounts(SIGN, free(10), sec(0));
    expect(s.onCounts(SIGN, free(10), sec(0.5))).toEqual({ type: 'UNCHANGED', signId: SIGN.signId, text: 'FREE 10' });
    s.onCounts(SIGN, free(9), sec(1)); // pending
    expect(s.onCounts(SIGN, free(10), sec(1.5))).toMatchObject({ type: 'UNCHANGED' }); // a car left and another came
    expect(s.next()).toBeUndefined();
    expect(s.due(sec(5))).toEqual([]);
  });

  it('signs are debounced independently; due() returns every sign due, earliest first', () => {
    const s = new SignDebouncer({ minIntervalMs: 5000 });
    const a = { signId: 'a', zoneId: 'P1' };
    const b = { signId: 'b', zoneId: 'P1-L1' };
    s.onCounts(a, free(5), sec(0));
    s.onCounts(b, free(5), sec(1));
    s.onCounts(b, free(4), sec(2)); // due at 6
    s.onCounts(a, free(4), sec(3)); // due at 5
    expect(s.next()).toBe(sec(5));
    expect(s.due(sec(7)).map((x) => `${x.signId} ${x.text} @${(x.at - T0) / 1000}s`)).toEqual(['a FREE 4 @7s', 'b FREE 4 @7s']);
  });

  it('a late timer: a newer change after the due time is sent at once instead of the stale pending text', () => {
    const s = new SignDebouncer();
    s.onCounts(SIGN, free(10), sec(0));
    s.onCounts(SIGN, free(9), sec(1));
    expect(s.onCounts(SIGN, free(8), sec(3))).toMatchObject({ type: 'SEND', text: 'FREE 8', at: sec(3) });
    expect(s.due(sec(3))).toEqual([]);
  });

  it('forget(): a sign that lost its display gets the current text at once', () => {
    const s = new SignDebouncer();
    s.onCounts(SIGN, free(10), sec(0));
    s.forget(SIGN.signId);
    expect(s.onCounts(SIGN, free(10), sec(0.5))).toMatchObject({ type: 'SEND', text: 'FREE 10' });
  });

  it('end to end: four cars park within a second: the level sign shows FREE 3 at once, then FULL when the interval ends', () => {
    const w = new World();
    w.reportAll(L1_BAYS, false);
    w.startSigns();
    w.runUntil(10);
    expect(w.sentTo('sign-P1-L1')).toEqual(['FREE 1 @0s', 'FREE 4 @2s']);
    for (const [i, bay] of L1_BAYS.entries()) {
      w.now = sec(20 + i * 0.25);
      w.report(bay, true);
    }
    w.runUntil(30);
    expect(w.sentTo('sign-P1-L1').slice(2)).toEqual(['FREE 3 @20s', 'FULL @22s']);
  });
});
