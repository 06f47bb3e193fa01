import { MIN_S, World, briefs } from './fixtures';

/**
 * With `nearQueue`, short-trip passengers (destinations marked near) wait in a NEAR queue per class,
 * served by priority taxis (back with a valid claim); while the class has no NEAR taxi, a regular
 * taxi of the destination's queue that nobody in its own queue waits for takes them — and its
 * short trip earns the claim that brings it back into NEAR.
 */
describe('scenario: the NEAR queue for short trips, served by priority taxis', () => {
  const config = { mode: 'REGIONAL' as const, curbTarget: 1, nearQueue: true, nearDistanceKm: 10 };

  it('the first near passenger is served by a spare regular taxi; its short trip brings it back into NEAR', () => {
    const w = new World(config);
    w.enter('I1');
    w.enter('I2');
    const m = w.mark();
    w.ask('Yeongjong');
    expect(w.since(m)).toEqual(['TICKET A0001 NEAR/STANDARD', 'MATCHED I1 A0001 NEAR/STANDARD via INCHEON', 'CALLED I2 INCHEON/STANDARD']);
    const claim = w.trip('I1', 7, 15)!;
    w.advance(10 * MIN_S);
    expect(briefs(w.enter('I1', claim))).toEqual(['QUEUED I1 NEAR/STANDARD priority', 'CALLED I1 NEAR/STANDARD']);
    // A regular passenger takes I2, not the NEAR taxi; the next near passenger takes I1.
    w.ask('Songdo');
    w.ask('Unseo');
    expect(w.pairs).toEqual(['I1>A0001', 'I2>A0002', 'I1>A0003']);
    expect(w.log.at(-1)).toMatchObject({ type: 'MATCHED', queue: 'NEAR', taxiQueue: 'NEAR' });
  });

  it('regular taxis serve their own queue first; near passengers get what is left', () => {
    const w = new World(config);
    w.ask('Yeongjong'); // A0001 near
    w.ask('Songdo'); // A0002 INCHEON
    expect(w.waiting('NEAR')).toEqual(['A0001']);
    expect(w.waiting('INCHEON')).toEqual(['A0002']);
    w.enter('I1');
    expect(w.pairs).toEqual(['I1>A0002']);
    w.enter('I2');
    expect(w.pairs).toEqual(['I1>A0002', 'I2>A0001']);
  });

  it('a NEAR taxi waits for near passengers and does not serve regular ones', () => {
    const w = new World(config);
    w.enter('I1');
    w.ask('Yeongjong');
    const claim = w.trip('I1', 3)!;
    w.enter('I1', claim);
    w.ask('Songdo');
    expect(w.pairs).toEqual(['I1>A0001']);
    expect(w.waiting('INCHEON')).toEqual(['A0002']);
    expect(w.curb('NEAR')).toEqual(['I1']);
  });

  it('near passengers are FIFO among themselves while NEAR taxis serve them; the queue counts are per class', () => {
    const w = new World({ ...config, curbTarget: 1 });
    w.enter('I1');
    w.enter('I2');
    w.ask('Yeongjong'); // I1 via INCHEON
    w.ask('Unseo'); // I2 via INCHEON
    const c1 = w.trip('I1', 4)!;
    const c2 = w.trip('I2', 4)!;
    w.ask('Unseo'); // A0003
    w.ask('Yeongjong'); // A0004
    w.enter('I2', c2);
    w.enter('I1', c1);
    expect(w.pairs.slice(2)).toEqual(['I2>A0003', 'I1>A0004']);
    expect(w.stand.queues().slice(0, 4).map((q) => q.queue)).toEqual(['NEAR', 'SEOUL', 'INCHEON', 'GYEONGGI']);
  });

  it('turning the NEAR queue off puts near passengers back in their region and priority taxis at its front', () => {
    const w = new World(config);
    w.enter('I1');
    w.ask('Yeongjong');
    const claim = w.trip('I1', 3)!;
    w.enter('I2'); // INCHEON, called
    w.enter('I3'); // INCHEON lot
    w.enter('I1', claim); // NEAR, called
    w.reconfigure({ nearQueue: false });
    expect(w.curb('INCHEON')).toEqual(['I2', 'I1']);
    expect(w.lot('INCHEON')).toEqual(['I3']);
    w.ask('Unseo');
    expect(w.log.at(-1)).toMatchObject({ type: 'MATCHED', plate: 'I2', queue: 'INCHEON' });
  });
});
