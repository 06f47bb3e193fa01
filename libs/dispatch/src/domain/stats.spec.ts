import { matchesPerMinute, percentile, waitStats } from './stats';

describe('statistics helpers', () => {
  it('nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
  });

  it('waits and match rate over a half-open window (at − window, at]', () => {
    const samples = [
      { at: 1000, waitMs: 10 },
      { at: 2000, waitMs: 30 },
      { at: 3000, waitMs: 20 },
    ];
    expect(waitStats(samples, 3000, 2000)).toEqual({ count: 2, p50Ms: 20, p95Ms: 30 });
    expect(waitStats(samples, 3000, 60_000)).toEqual({ count: 3, p50Ms: 20, p95Ms: 30 });
    expect(waitStats(samples, 10_000, 1000)).toEqual({ count: 0 });
    expect(matchesPerMinute([0, 30_000, 60_000, 90_000], 120_000, 120_000)).toBe(1.5); // 0 is outside (0, 120 s]
    expect(matchesPerMinute([0, 30_000], 120_000, 0)).toBe(0);
  });
});
