import { World, briefs } from './fixtures';

describe('scenario: DRIVER_SELECTED — the driver chooses the region, whatever the licence', () => {
  it('a taxi without a choice waits unqueued; choosing puts it in that queue', () => {
    const w = new World({ mode: 'DRIVER_SELECTED' });
    expect(briefs(w.enter('S1'))).toEqual(['AWAITING_REGION S1']);
    expect(w.stand.counts()).toMatchObject({ lot: 1, unqueuedTaxis: 1, curb: 0 });
    expect(briefs(w.choose('S1', 'gyeonggi'))).toEqual(['REGION S1 GYEONGGI', 'QUEUED S1 GYEONGGI/STANDARD', 'CALLED S1 GYEONGGI/STANDARD']);
    w.ask('Suwon');
    expect(w.pairs).toEqual(['S1>A0001']);
  });

  it('a choice made before entry applies at entry; FIFO per chosen region; an awaiting taxi keeps its lot-entry place', () => {
    const w = new World({ mode: 'DRIVER_SELECTED', curbTarget: 1 });
    w.choose('I1', 'SEOUL');
    expect(briefs(w.enter('I1'))).toEqual(['QUEUED I1 SEOUL/STANDARD', 'CALLED I1 SEOUL/STANDARD']);
    w.advance(10);
    w.enter('S2'); // no choice yet
    w.advance(10);
    w.choose('S3', 'SEOUL');
    w.enter('S3');
    expect(w.lot('SEOUL')).toEqual(['S3']);
    w.advance(10);
    w.choose('S2', 'SEOUL'); // entered before S3: ahead of it
    expect(w.lot('SEOUL')).toEqual(['S2', 'S3']);
    w.ask('Gangnam');
    w.ask('Seoul Station');
    w.ask('Gangnam');
    expect(w.pairs).toEqual(['I1>A0001', 'S2>A0002', 'S3>A0003']);
  });

  it('changing the region while in the lot goes to the back of the new queue; once called it cannot change', () => {
    const w = new World({ mode: 'DRIVER_SELECTED', curbTarget: 1 });
    for (const [plate, region] of [['I1', 'SEOUL'], ['S2', 'SEOUL'], ['G1', 'GYEONGGI'], ['G2', 'GYEONGGI']] as const) {
      w.choose(plate, region);
      w.enter(plate);
      w.advance(5);
    }
    expect(w.lot('SEOUL')).toEqual(['S2']);
    expect(w.lot('GYEONGGI')).toEqual(['G2']);
    expect(briefs(w.choose('S2', 'GYEONGGI'))).toEqual(['REGION S2 GYEONGGI', 'REQUEUED S2 GYEONGGI/STANDARD BACK REGION_CHANGED']);
    expect(w.lot('GYEONGGI')).toEqual(['G2', 'S2']);
    expect(() => w.choose('I1', 'INCHEON')).toThrow(expect.objectContaining({ reason: 'conflict' }));
    expect(() => w.choose('I1', 'BUSAN')).toThrow(expect.objectContaining({ reason: 'unknown-region' }));
    expect(() => w.choose('X1', 'SEOUL')).toThrow(expect.objectContaining({ reason: 'banned' }));
    expect(() => w.choose('ZZ9', 'SEOUL')).toThrow(expect.objectContaining({ reason: 'unknown-taxi' }));
  });

  it('a choice lasts one visit: after the trip the driver chooses again', () => {
    const w = new World({ mode: 'DRIVER_SELECTED' });
    w.choose('S1', 'INCHEON');
    w.enter('S1');
    w.ask('Songdo');
    w.trip('S1', 30);
    w.advance(3600);
    expect(briefs(w.enter('S1'))).toEqual(['AWAITING_REGION S1']);
  });
});
