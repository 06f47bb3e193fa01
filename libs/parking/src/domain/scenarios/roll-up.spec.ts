import { ParkingError } from '../topology';
import { Occupancy } from '../occupancy';
import { ESTATE, L1_BAYS, L2_BAYS, P2_BAYS, World, brief, briefChanges, sec } from './fixtures';

describe('scenario: counts roll up from bays to levels to car parks (and on up the zone tree)', () => {
  it('a car park is the sum of its levels; an area the sum of its car parks', () => {
    const w = new World();
    w.reportAll([...L1_BAYS, ...L2_BAYS, ...P2_BAYS], false);
    w.report('P1-L1-01', true);
    w.report('P1-L2-01', true);
    w.report('P1-L2-02', true);
    const l1 = w.counts('P1-L1');
    const l2 = w.counts('P1-L2');
    const p1 = w.counts('P1');
    expect(brief(l1)).toBe('1 occ / 3 free / 0 unk of 4');
    expect(brief(l2)).toBe('2 occ / 1 free / 0 unk of 3');
    expect(p1).toMatchObject({ total: l1.total + l2.total, occupied: l1.occupied + l2.occupied, free: l1.free + l2.free, unknown: 0 });
    expect(brief(w.counts('T1'))).toBe(brief(p1));
    expect(brief(w.counts('P2'))).toBe('0 occ / 2 free / 0 unk of 2'); // no levels: its own bays
  });

  it('a zone with no bays counts zero everywhere', () => {
    const o = new Occupancy({ zones: [...ESTATE.zones, { id: 'P3', kind: 'CAR_PARK' }], bays: ESTATE.bays });
    expect(o.zone('P3')).toMatchObject({ total: 0, occupied: 0, free: 0, unknown: 0, available: 0 });
  });

  it('closing a level: counts stay physical, the level and the car park lose its free bays from `available`', () => {
    const w = new World();
    w.reportAll([...L1_BAYS, ...L2_BAYS], false);
    w.now = sec(5);
    expect(briefChanges(w.close('P1-L2', true))).toEqual([
      'T1: 0 occ / 7 free / 0 unk of 7 avail 4',
      'P1: 0 occ / 7 free / 0 unk of 7 avail 4',
      'P1-L2: 0 occ / 3 free / 0 unk of 3 closed avail 0',
    ]);
    expect(w.close('P1-L2', true)).toEqual([]); // already closed
    // A bay freed on a closed level is free, not available.
    w.report('P1-L2-01', true);
    w.report('P1-L2-01', false);
    expect(w.counts('P1')).toMatchObject({ free: 7, available: 4 });
    w.now = sec(10);
    w.close('P1-L2', false);
    expect(w.counts('P1')).toMatchObject({ free: 7, available: 7, closed: false });
  });

  it('closing a car park closes every level in it', () => {
    const w = new World();
    w.reportAll(L1_BAYS, false);
    expect(briefChanges(w.close('P1', true))).toEqual([
      'T1: 0 occ / 4 free / 3 unk of 7 avail 0',
      'P1: 0 occ / 4 free / 3 unk of 7 closed avail 0',
      'P1-L1: 0 occ / 4 free / 0 unk of 4 closed avail 0',
      'P1-L2: 0 occ / 0 free / 3 unk of 3 closed',
    ]);
    expect(w.occupancy.isClosed('P1-L1')).toBe(true);
    expect(w.occupancy.isClosed('P2')).toBe(false);
    expect(() => w.close('NOPE', true)).toThrow(ParkingError);
  });

  it('a new topology keeps the state of bays that keep their camera; moved or new bays start UNKNOWN', () => {
    const w = new World();
    w.reportAll([...L1_BAYS, ...L2_BAYS], false);
    w.report('P1-L1-01', true, '12가3456');
    w.close('P1-L2', true);
    const bays = ESTATE.bays
      .filter((b) => b.id !== 'P1-L1-04') // removed
      .map((b) => (b.id === 'P1-L1-03' ? { ...b, cameraId: 'cam-L1-A' } : b)) // moved to another camera
      .concat([{ id: 'P1-L2-04', zoneId: 'P1-L2', cameraId: 'cam-L2' }]); // new
    const changes = w.occupancy.setTopology({ zones: ESTATE.zones, bays }, sec(60));
    expect(briefChanges(changes)).toEqual([
      'T1: 1 occ / 4 free / 2 unk of 7 avail 1',
      'P1: 1 occ / 4 free / 2 unk of 7 avail 1',
      'P1-L1: 1 occ / 1 free / 1 unk of 3',
      'P1-L2: 0 occ / 3 free / 1 unk of 4 closed avail 0',
    ]);
    expect(w.occupancy.locate('12가3456')?.bayId).toBe('P1-L1-01');
  });

  it('a topology that does not hold together is refused with the offending ids', () => {
    const bad = (t: Partial<typeof ESTATE>) => () => new Occupancy({ ...ESTATE, ...t });
    expect(bad({ zones: [...ESTATE.zones, { id: 'P1', kind: 'CAR_PARK' }] })).toThrow('duplicate zone P1');
    expect(bad({ zones: [{ id: 'L', kind: 'LEVEL', parentId: 'X' }], bays: [] })).toThrow('unknown parent X');
    expect(bad({ zones: [{ id: 'A', kind: 'LEVEL', parentId: 'B' }, { id: 'B', kind: 'CAR_PARK', parentId: 'A' }], bays: [] })).toThrow('parent cycle');
    expect(bad({ bays: [{ id: 'b', zoneId: 'T1', cameraId: 'c' }] })).toThrow('is a AREA, not a LEVEL or CAR_PARK');
    expect(bad({ bays: [{ id: 'b', zoneId: 'nowhere', cameraId: 'c' }] })).toThrow('unknown zone nowhere');
    expect(bad({ bays: [...ESTATE.bays, ESTATE.bays[0]] })).toThrow('duplicate bay P1-L1-01');
  });
});
