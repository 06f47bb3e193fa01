import type { StandOptions } from './domain';

/** Settings of the dispatch adapter; every field has a default. */
export interface DispatchModuleOptions {
  /** SPEC `NO_SHOW_S`: a matched side that has not shown after this long is released; default 180. */
  readonly noShowS?: number;
  /** Further options of every Stand (ticket prefix, retention, party sizes, ...); `noShowS` above wins. */
  readonly stand?: Omit<StandOptions, 'noShowS' | 'newMatchId'>;
  /**
   * How often each process re-reads every stand's version and no-show deadline (inputs applied by
   * other dispatch processes: metrics, timers) and prunes old bus-input keys; 0 = never; default 15 s.
   */
  readonly refreshIntervalMs?: number;
  /** Arm no-show timers (tests that drive time by hand turn them off); default true. */
  readonly timers?: boolean;
  /** Bus-input keys (applied-once records) are kept this long; default 1 h. */
  readonly inputKeyRetentionMs?: number;
  /** The time source, epoch ms (tests); default Date.now. */
  readonly clock?: () => number;
}

export const DISPATCH_OPTIONS = Symbol('DISPATCH_OPTIONS');

export interface ResolvedDispatchOptions {
  readonly standOptions: StandOptions;
  readonly refreshIntervalMs: number;
  readonly timers: boolean;
  readonly inputKeyRetentionMs: number;
  readonly clock: () => number;
}

export function resolveDispatchOptions(o: DispatchModuleOptions = {}): ResolvedDispatchOptions {
  return {
    standOptions: { ...o.stand, ...(o.noShowS === undefined ? {} : { noShowS: o.noShowS }) },
    refreshIntervalMs: o.refreshIntervalMs ?? 15_000,
    timers: o.timers ?? true,
    inputKeyRetentionMs: o.inputKeyRetentionMs ?? 3_600_000,
    clock: o.clock ?? Date.now,
  };
}
