/**
 * Restores the live occupancy after a restart from the stored bay states, through the domain's
 * own inputs (the domain has no "load" API, and must not grow one for a single adapter):
 *
 *  - a bay stored as OCCUPIED or FREE is replayed as a report at its stored time, so it counts
 *    again at once (guidance cameras report changes, not a steady stream: waiting for re-reports
 *    would leave every sign at `---` after each restart);
 *  - a bay stored as UNKNOWN *with* a last value (its camera was down, or recovered without
 *    re-reporting it) must stay UNKNOWN yet keep its value and plate (find-my-car answers
 *    `stale: true`). That is replayed as the domain's own story: the camera goes stale, the bay is
 *    reported during the outage, the camera becomes trusted again; the other bays of that camera
 *    are then reported after the recovery. The camera times used are far before any real time,
 *    so every real state later applied (from the database or the bus) is newer.
 *  - `since` (first read of the plate in the bay) is kept by replaying the plate's first read
 *    at `since` before the last report.
 */
import type { Occupancy } from './domain';
import type { StoredBayState } from './parking.repository';

/** Synthetic times of the replayed camera outage: before every real report. */
export const RESTORE_STALE_AT = -2e15;
export const RESTORE_TRUSTED_AT = -1e15;

type Replayable = StoredBayState & { readonly occupied: boolean; readonly reportedAt: number };

export function restoreBayStates(occupancy: Occupancy, cameraOf: (bayId: string) => string | undefined, rows: readonly StoredBayState[]): void {
  const usable = rows.filter((r): r is Replayable => r.occupied !== null && r.reportedAt !== null && cameraOf(r.bayId) !== undefined);
  const stale = usable.filter((r) => r.status === 'UNKNOWN');
  const fresh = usable.filter((r) => r.status !== 'UNKNOWN');
  const byTime = (a: Replayable, b: Replayable): number => a.reportedAt - b.reportedAt;

  const outageCameras = new Set(stale.map((r) => cameraOf(r.bayId)!));
  for (const camera of outageCameras) occupancy.cameraState(camera, 'OFFLINE', RESTORE_STALE_AT);
  for (const r of [...stale].sort(byTime)) replay(occupancy, cameraOf(r.bayId)!, r);
  for (const camera of outageCameras) occupancy.cameraState(camera, 'ONLINE', RESTORE_TRUSTED_AT);
  for (const r of [...fresh].sort(byTime)) replay(occupancy, cameraOf(r.bayId)!, r);
}

function replay(occupancy: Occupancy, cameraId: string, r: Replayable): void {
  const plate = r.occupied && r.plate !== null ? r.plate : undefined;
  if (plate !== undefined && r.since !== null && r.since < r.reportedAt) {
    occupancy.bayReport({ bayId: r.bayId, occupied: true, plate, cameraId, at: r.since });
  }
  occupancy.bayReport({ bayId: r.bayId, occupied: r.occupied, ...(plate !== undefined ? { plate } : {}), cameraId, at: r.reportedAt });
}
