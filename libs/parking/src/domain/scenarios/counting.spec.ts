import { L1_BAYS, L2_BAYS, P2_BAYS, World, brief, briefChanges, sec } from './fixtures';

describe('scenario: counting bays as guidance cameras report them', () => {
  it('starts with every bay UNKNOWN: nothing is free until a camera says so', () => {
    const w = new World();
    expect(w.occupancy.zones().map((z) => `${z.zoneId}: ${brief(z)}`)).toEqual([
      'T1: 0 occ / 0 free / 7 unk of 7',
      'P1: 0 occ / 0 free / 7 unk of 7',
      'P1-L1: 0 occ / 0 free / 4 unk of 4',
      'P1-L2: 0 occ / 0 free / 3 unk of 3',
      'P2: 0 occ / 0 free / 2 unk of 2',
    ]);
  });

  it('each report returns the zones whose counts changed (the bay, its level, car park and area), in topology order', () => {
    const w = new World();
    expect(briefChanges(w.report('P1-L1-01', false))).toEqual([
      'T1: 0 occ / 1 free / 6 unk of 7',
      'P1: 0 occ / 1 free / 6 unk of 7',
      'P1-L1: 0 occ / 1 free / 3 unk of 4',
    ]);
    expect(w.published.every((c) => c.kind === 'OCCUPANCY_CHANGED' && c.at === sec(0))).toBe(true);
    // A bay in a car park without levels changes only that car park.
    expect(briefChanges(w.report('P2-01', true))).toEqual(['P2: 1 occ / 0 free / 1 unk of 2']);
  });

  it('bays flipping between free and occupied move one count each way', () => {
    const w = new World();
    w.reportAll([...L1_BAYS, ...L2_BAYS, ...P2_BAYS], false);
    expect(brief(w.counts('P1'))).toBe('0 occ / 7 free / 0 unk of 7');

    w.now = sec(10);
    w.report('P1-L1-02', true);
    w.report('P1-L2-03', true);
    expect(brief(w.counts('P1-L1'))).toBe('1 occ / 3 free / 0 unk of 4');
    expect(brief(w.counts('P1'))).toBe('2 occ / 5 free / 0 unk of 7');

    w.now = sec(20);
    expect(briefChanges(w.report('P1-L1-02', false))).toEqual([
      'T1: 1 occ / 6 free / 0 unk of 7',
      'P1: 1 occ / 6 free / 0 unk of 7',
      'P1-L1: 0 occ / 4 free / 0 unk of 4',
    ]);
    w.now = sec(21);
    w.report('P1-L1-02', true);
    w.now = sec(22);
    w.report('P1-L1-02', false);
    expect(brief(w.counts('P1'))).toBe('1 occ / 6 free / 0 unk of 7');
    expect(w.bay('P1-L1-02')).toMatchObject({ status: 'FREE', lastReported: { occupied: false, at: sec(22) } });
  });

  it('reports for unknown bays, from another camera, or older than the last one change nothing', () => {
    const w = new World();
    w.now = sec(10);
    w.report('P1-L1-01', true);
    expect(w.occupancy.bayReport({ bayId: 'NO-SUCH-BAY', occupied: true, at: sec(11) })).toEqual([]);
    expect(w.occupancy.bayReport({ bayId: 'P1-L1-01', occupied: false, cameraId: 'cam-L2', at: sec(11) })).toEqual([]);
    expect(w.occupancy.bayReport({ bayId: 'P1-L1-01', occupied: false, at: sec(5) })).toEqual([]); // delayed, older
    expect(w.bay('P1-L1-01').status).toBe('OCCUPIED');
    // The bay's own camera, current: accepted.
    expect(w.occupancy.bayReport({ bayId: 'P1-L1-01', occupied: false, cameraId: 'cam-L1-A', at: sec(12) })).toHaveLength(3);
  });

  it('total = occupied + free + unknown in every zone after every report', () => {
    const w = new World();
    const bays = [...L1_BAYS, ...L2_BAYS, ...P2_BAYS];
    for (let i = 0; i < 40; i++) {
      w.now = sec(i);
      w.report(bays[(i * 7) % bays.length], i % 3 !== 0);
      for (const z of w.occupancy.zones()) expect(z.occupied + z.free + z.unknown).toBe(z.total);
    }
  });
});
