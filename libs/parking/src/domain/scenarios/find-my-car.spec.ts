import { Occupancy } from '../occupancy';
import { ESTATE, L2_BAYS, World, sec } from './fixtures';

describe('scenario: find-my-car from guidance camera plate reads', () => {
  it('a plate read in an occupied bay answers bay, level, car park and since when', () => {
    const w = new World();
    w.now = sec(100);
    w.report('P1-L2-02', true, '12가3456');
    expect(w.occupancy.locate('12가3456')).toEqual({
      plate: '12가3456',
      bayId: 'P1-L2-02',
      zoneId: 'P1-L2',
      levelId: 'P1-L2',
      carParkId: 'P1',
      since: sec(100),
      stale: false,
    });
  });

  it('the kiosk may type the plate loosely: it is normalized the same way', () => {
    const w = new World();
    w.report('P1-L1-01', true, 'ab 123 cd');
    expect(w.occupancy.locate('  AB-123-cd ')?.bayId).toBe('P1-L1-01');
    expect(w.occupancy.locate('12가 3456')).toBeUndefined();
  });

  it('a car park without levels has no level in the answer', () => {
    const w = new World();
    w.report('P2-02', true, '34나5678');
    const found = w.occupancy.locate('34나5678');
    expect(found).toMatchObject({ bayId: 'P2-02', zoneId: 'P2', carParkId: 'P2' });
    expect(found?.levelId).toBeUndefined();
  });

  it('cleared when the bay is reported free', () => {
    const w = new World();
    w.report('P1-L2-02', true, '12가3456');
    w.now = sec(3600);
    w.report('P1-L2-02', false);
    expect(w.occupancy.locate('12가3456')).toBeUndefined();
    expect(w.bay('P1-L2-02').plate).toBeUndefined();
  });

  it('a different plate read in the bay replaces the old one (a new car), with a new since', () => {
    const w = new World();
    w.report('P1-L2-02', true, '12가3456');
    w.now = sec(50);
    w.report('P1-L2-02', true, '34나5678');
    expect(w.occupancy.locate('12가3456')).toBeUndefined();
    expect(w.occupancy.locate('34나5678')).toMatchObject({ bayId: 'P1-L2-02', since: sec(50) });
  });

  it('the latest read wins: a car read in a second bay is no longer found in the first', () => {
    const w = new World();
    w.report('P1-L2-01', true, '12가3456');
    w.now = sec(300);
    w.report('P1-L1-03', true, '12가3456'); // the car moved; the old bay not yet reported free
    expect(w.occupancy.locate('12가3456')).toMatchObject({ bayId: 'P1-L1-03', levelId: 'P1-L1', since: sec(300) });
    expect(w.bay('P1-L2-01')).toMatchObject({ status: 'OCCUPIED' });
    expect(w.bay('P1-L2-01').plate).toBeUndefined();
    // The old bay freeing does not lose the car.
    w.report('P1-L2-01', false);
    expect(w.occupancy.locate('12가3456')?.bayId).toBe('P1-L1-03');
  });

  it('while the bay camera is down the last known place is still answered, marked stale', () => {
    const w = new World();
    w.report('P1-L2-02', true, '12가3456');
    w.now = sec(10);
    w.camera('cam-L2', 'OFFLINE');
    expect(w.occupancy.locate('12가3456')).toMatchObject({ bayId: 'P1-L2-02', stale: true, since: sec(0) });
    w.now = sec(20);
    w.camera('cam-L2', 'ONLINE');
    w.report('P1-L2-02', true); // re-reported occupied, plate not read: same car, since kept
    expect(w.occupancy.locate('12가3456')).toMatchObject({ bayId: 'P1-L2-02', stale: false, since: sec(0) });
  });

  it('an occupied report without a plate in a free bay locates nobody', () => {
    const o = new Occupancy(ESTATE);
    for (const bayId of L2_BAYS) o.bayReport({ bayId, occupied: true, at: sec(0) });
    expect(o.locate('')).toBeUndefined();
    expect(L2_BAYS.map((b) => o.bay(b)?.plate)).toEqual([undefined, undefined, undefined]);
  });
});
