/** Settings of the parking adapter; every field has a default (the README of the domain gives the rules). */
export interface ParkingModuleOptions {
  /** Plate reads below this confidence are flagged for review; default 0.8. */
  readonly minConfidence?: number;
  /** The same plate at the same lane within this window is one passage read twice; default 30 s. */
  readonly repeatWindowMs?: number;
  /** Minimum time between two DISPLAY_MESSAGEs to one sign; default 2000 ms. */
  readonly signMinIntervalMs?: number;
  /** An event naming an unknown bay, lane or device reloads the topology at most this often; default 1000 ms. */
  readonly lazyReloadMinIntervalMs?: number;
  /** ...and the same unknown name at most once per this window; default 30 s. */
  readonly unknownRetryMs?: number;
  /** Full topology resync period (registry changes that publish no event, e.g. a lane's kind); 0 = off; default 300 s. */
  readonly resyncIntervalMs?: number;
}

export const PARKING_OPTIONS = Symbol('PARKING_OPTIONS');

export type ResolvedParkingOptions = Required<Omit<ParkingModuleOptions, 'minConfidence' | 'repeatWindowMs' | 'signMinIntervalMs'>> &
  Pick<ParkingModuleOptions, 'minConfidence' | 'repeatWindowMs' | 'signMinIntervalMs'>;

export function resolveParkingOptions(o: ParkingModuleOptions = {}): ResolvedParkingOptions {
  return {
    ...o,
    lazyReloadMinIntervalMs: o.lazyReloadMinIntervalMs ?? 1000,
    unknownRetryMs: o.unknownRetryMs ?? 30_000,
    resyncIntervalMs: o.resyncIntervalMs ?? 300_000,
  };
}
