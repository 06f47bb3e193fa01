import { Occupancy, type ParkingTopology } from './domain';
import { restoreBayStates } from './occupancy-restore';
import type { StoredBayState } from './parking.repository';

const topology: ParkingTopology = {
  zones: [
    { id: 'CP', kind: 'CAR_PARK' },
    { id: 'L1', kind: 'LEVEL', parentId: 'CP' },
  ],
  bays: [
    { id: 'b1', zoneId: 'L1', cameraId: 'c1' },
    { id: 'b2', zoneId: 'L1', cameraId: 'c1' },
    { id: 'b3', zoneId: 'L1', cameraId: 'c2' },
    { id: 'b4', zoneId: 'L1', cameraId: 'c2' },
  ],
};
const cameraOf = (bayId: string): string | undefined => topology.bays.find((b) => b.id === bayId)?.cameraId;
const row = (bayId: string, status: StoredBayState['status'], occupied: boolean | null, reportedAt: number | null, plate: string | null = null, since: number | null = null): StoredBayState => ({
  bayId,
  status,
  occupied,
  plate,
  since,
  reportedAt,
});

describe('restoreBayStates', () => {
  it('counts stored OCCUPIED/FREE bays again, keeps stored UNKNOWN bays unknown with their last value and plate', () => {
    const occ = new Occupancy(topology);
    restoreBayStates(occ, cameraOf, [
      row('b1', 'OCCUPIED', true, 5_000, '12가3456', 1_000),
      row('b2', 'UNKNOWN', true, 4_000, '34나5678', 4_000),
      row('b3', 'FREE', false, 3_000),
      row('b4', 'UNKNOWN', null, null),
    ]);
    expect(occ.zone('L1')).toMatchObject({ total: 4, occupied: 1, free: 1, unknown: 2, available: 1 });
    expect(occ.zone('CP')).toMatchObject({ total: 4, occupied: 1, free: 1, unknown: 2 });
    expect(occ.locate('12가3456')).toEqual({ plate: '12가3456', bayId: 'b1', zoneId: 'L1', levelId: 'L1', carParkId: 'CP', since: 1_000, stale: false });
    expect(occ.locate('34나5678')).toMatchObject({ bayId: 'b2', since: 4_000, stale: true });
    expect(occ.bay('b2')).toMatchObject({ status: 'UNKNOWN', lastReported: { occupied: true, at: 4_000 } });
    // the camera is trusted: a re-report after the restart counts at once
    expect(occ.bayReport({ bayId: 'b2', occupied: false, cameraId: 'c1', at: 6_000 })).not.toEqual([]);
    expect(occ.zone('L1')).toMatchObject({ free: 2, unknown: 1 });
  });

  it('a later stored camera state applies on top (an OFFLINE camera makes its bays unknown)', () => {
    const occ = new Occupancy(topology);
    restoreBayStates(occ, cameraOf, [row('b3', 'FREE', false, 3_000), row('b4', 'OCCUPIED', true, 3_500)]);
    occ.cameraState('c2', 'OFFLINE', 4_000);
    expect(occ.zone('L1')).toMatchObject({ occupied: 0, free: 0, unknown: 4 });
  });

  it('ignores rows of bays no longer in the topology', () => {
    const occ = new Occupancy(topology);
    restoreBayStates(occ, cameraOf, [row('gone', 'FREE', false, 1_000)]);
    expect(occ.zone('CP')).toMatchObject({ unknown: 4 });
  });
});
