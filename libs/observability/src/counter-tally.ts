import type { Counter, LabelValues } from 'prom-client';

/**
 * Counts by one label for a hot path, published into a prom-client Counter when the registry is
 * read (the counter's collect() hook: /metrics, getMetricsAsJSON, counter.get()).
 *
 * `Counter.inc({ label })` hashes and validates the labels on every call (~0.5 µs); the STOMP
 * gateway counts every frame in and out, so it bumps a plain number here instead. collect() adds
 * what accumulated since the previous read rather than resetting the counter to a total: the
 * counter stays monotonic, and inc() calls made on it directly are kept. A label value shows up
 * in the exposition from the first read after its first count, as it did after its first inc().
 */
export class CounterTally<L extends string> {
  private readonly pending = new Map<string, number>();

  constructor(private readonly label: L) {}

  add(value: string): void {
    this.pending.set(value, (this.pending.get(value) ?? 0) + 1);
  }

  /** For the counter's collect(): moves the counts into it (entries stay, at 0, for the next read). */
  flushInto(counter: Counter<L>): void {
    for (const [value, count] of this.pending) {
      if (count === 0) continue;
      counter.inc({ [this.label]: value } as LabelValues<L>, count);
      this.pending.set(value, 0);
    }
  }
}
