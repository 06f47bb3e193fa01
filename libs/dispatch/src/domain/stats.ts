import type { WaitSample } from './state';

/**
 * Nearest-rank percentile (p in [0, 100]) of unsorted values; undefined for none.
 * p50 of [1,2,3,4] is 2, p95 of 1..100 is 95.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length));
  return sorted[rank - 1];
}

export interface WaitStats {
  /** Samples in the window. */
  readonly count: number;
  readonly p50Ms?: number;
  readonly p95Ms?: number;
}

/** Waits sampled in (at − windowMs, at]. */
export function waitStats(samples: readonly WaitSample[], at: number, windowMs: number): WaitStats {
  const waits = samples.filter((s) => s.at > at - windowMs && s.at <= at).map((s) => s.waitMs);
  const p50Ms = percentile(waits, 50);
  const p95Ms = percentile(waits, 95);
  return { count: waits.length, ...(p50Ms === undefined ? {} : { p50Ms }), ...(p95Ms === undefined ? {} : { p95Ms }) };
}

/** Matches made in (at − windowMs, at], per minute of window. */
export function matchesPerMinute(matchTimes: readonly number[], at: number, windowMs: number): number {
  if (windowMs <= 0) return 0;
  const n = matchTimes.filter((t) => t > at - windowMs && t <= at).length;
  return n / (windowMs / 60_000);
}
