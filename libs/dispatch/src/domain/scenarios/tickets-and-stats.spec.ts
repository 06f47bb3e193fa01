import { DEFAULT_UTC_OFFSET_MIN } from '../types';
import { World, sec } from './fixtures';

describe('scenario: ticket numbers per stand per day; wait percentiles and matches per minute from injected times', () => {
  it('tickets count up per day and restart at local (KST) midnight, skipping numbers still in use', () => {
    expect(DEFAULT_UTC_OFFSET_MIN).toBe(540);
    const w = new World();
    // T0 is 15:00 KST; local midnight is 9 h later.
    w.ask('Gangnam');
    w.ask('Gangnam');
    w.enter('S1');
    w.pickup('S1'); // A0001 served; A0002 still waiting
    w.at(9 * 3600 - 1);
    expect(w.ask('Gangnam')).toBe('A0003');
    w.at(9 * 3600);
    expect(w.ask('Gangnam')).toBe('A0001');
    expect(w.ask('Gangnam')).toBe('A0004'); // A0002 and A0003 still wait from yesterday
    expect(w.waiting('SEOUL')).toEqual(['A0002', 'A0003', 'A0001', 'A0004']);
  });

  it('p50/p95 of passenger waits (ticket to match of those picked up) and matches per minute over a window', () => {
    const w = new World({ mode: 'SINGLE_QUEUE', curbTarget: 1 });
    // Ten passengers, each waiting 10 s longer than the one before (10..100 s), all picked up.
    for (let i = 1; i <= 10; i++) {
      w.at(i * 200);
      w.ask('Gangnam');
      w.at(i * 200 + i * 10);
      w.enter(`S${(i % 4) + 1}`);
      w.pickup(`S${(i % 4) + 1}`);
    }
    const stats = w.stand.stats(sec(2200), 60);
    expect(stats.waits).toEqual({ count: 10, p50Ms: 50_000, p95Ms: 100_000 });
    expect(stats.matchesPerMinute).toBeCloseTo(10 / 60);
    // A 6-minute window, (1840 s, 2200 s], only sees the last two (matched at 1890 s and 2100 s).
    const recent = w.stand.stats(sec(2200), 6);
    expect(recent.waits).toEqual({ count: 2, p50Ms: 90_000, p95Ms: 100_000 });
    expect(recent.matchesPerMinute).toBeCloseTo(2 / 6);
    expect(w.stand.stats(sec(9000), 15)).toEqual({ at: sec(9000), windowMin: 15, waits: { count: 0 }, matchesPerMinute: 0 });
  });
});
