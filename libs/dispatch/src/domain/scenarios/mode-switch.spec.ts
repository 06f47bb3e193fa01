import { World, briefs } from './fixtures';

/**
 * A switch re-derives every queue from each taxi's and passenger's own facts (licence, choice,
 * destination) and keeps each one's place number, so whoever shares a queue afterwards keeps the
 * relative order they had; whoever has no queue under the new mode waits unqueued, place kept.
 */
describe('scenario: an admin switches the mode mid-day; everyone keeps their place', () => {
  /** Entry order S1, I1, S2, G1, I2, S3 with one taxi per region at the curb. */
  function regionalLot(): World {
    const w = new World({ mode: 'REGIONAL', curbTarget: 1 });
    for (const plate of ['S1', 'I1', 'S2', 'G1', 'I2', 'S3']) {
      w.enter(plate);
      w.advance(10);
    }
    expect(w.curb('SEOUL')).toEqual(['S1']);
    expect(w.lot('SEOUL')).toEqual(['S2', 'S3']);
    expect(w.lot('INCHEON')).toEqual(['I2']);
    return w;
  }

  it('REGIONAL -> SINGLE_QUEUE merges the queues by place: curb by call order, lot by entry order', () => {
    const w = regionalLot();
    expect(briefs(w.setMode('SINGLE_QUEUE'))).toEqual(['MODE REGIONAL->SINGLE_QUEUE', 'CONFIG SINGLE_QUEUE']);
    expect(w.curb('ALL')).toEqual(['S1', 'I1', 'G1']);
    expect(w.lot('ALL')).toEqual(['S2', 'I2', 'S3']);
    for (const dest of ['Suwon', 'Suwon', 'Suwon', 'Songdo', 'Gangnam', 'Ilsan']) w.ask(dest);
    expect(w.pairs).toEqual(['S1>A0001', 'I1>A0002', 'G1>A0003', 'S2>A0004', 'I2>A0005', 'S3>A0006']);
  });

  it('waiting passengers keep ticket order across SINGLE_QUEUE and back to REGIONAL', () => {
    const w = new World({ mode: 'REGIONAL' });
    for (const dest of ['Songdo', 'Gangnam', 'Suwon', 'Seoul Station', 'Bupyeong']) w.ask(dest);
    w.setMode('SINGLE_QUEUE');
    expect(w.waiting('ALL')).toEqual(['A0001', 'A0002', 'A0003', 'A0004', 'A0005']);
    w.setMode('REGIONAL');
    expect(w.waiting('SEOUL')).toEqual(['A0002', 'A0004']);
    expect(w.waiting('INCHEON')).toEqual(['A0001', 'A0005']);
    w.setMode('SINGLE_QUEUE');
    w.enter('G1');
    w.enter('S1');
    expect(w.pairs).toEqual(['G1>A0001', 'S1>A0002']);
  });

  it('SINGLE_QUEUE -> REGIONAL splits by licence, calls up new queues, parks an unserved licence; back again, all in place', () => {
    const w = new World({ mode: 'SINGLE_QUEUE', curbTarget: 1 });
    for (const plate of ['S1', 'I1', 'S2', 'B1', 'G1', 'I2']) {
      w.enter(plate);
      w.advance(10);
    }
    expect(w.lot('ALL')).toEqual(['I1', 'S2', 'B1', 'G1', 'I2']);
    expect(briefs(w.setMode('REGIONAL'))).toEqual([
      'MODE SINGLE_QUEUE->REGIONAL',
      'CONFIG REGIONAL',
      'CALLED I1 INCHEON/STANDARD',
      'CALLED G1 GYEONGGI/STANDARD',
    ]);
    expect(w.curb('SEOUL')).toEqual(['S1']);
    expect(w.lot('SEOUL')).toEqual(['S2']);
    expect(w.lot('INCHEON')).toEqual(['I2']);
    expect(w.stand.taxiView('B1')).toMatchObject({ queue: null, stage: 'LOT' });
    expect(w.stand.counts()).toMatchObject({ unqueuedTaxis: 1, lot: 3, curb: 3 });

    w.setMode('SINGLE_QUEUE');
    expect(w.curb('ALL')).toEqual(['S1', 'I1', 'G1']);
    expect(w.lot('ALL')).toEqual(['S2', 'B1', 'I2']);
  });

  it('-> DRIVER_SELECTED: a taxi without a choice is deemed to have chosen its licence region; an explicit choice wins', () => {
    const w = regionalLot();
    w.choose('S3', 'INCHEON'); // remembered, not used in REGIONAL
    expect(w.lot('SEOUL')).toEqual(['S2', 'S3']);
    const m = w.mark();
    w.setMode('DRIVER_SELECTED');
    expect(w.since(m)).toEqual([
      'MODE REGIONAL->DRIVER_SELECTED',
      'REGION S1 SEOUL deemed',
      'REGION I1 INCHEON deemed',
      'REGION S2 SEOUL deemed',
      'REGION G1 GYEONGGI deemed',
      'REGION I2 INCHEON deemed',
      'CONFIG DRIVER_SELECTED',
    ]);
    expect(w.lot('SEOUL')).toEqual(['S2']);
    expect(w.lot('INCHEON')).toEqual(['I2', 'S3']); // S3 entered after I2
    // A taxi entering now has to choose.
    expect(briefs(w.enter('S4'))).toEqual(['AWAITING_REGION S4']);
  });

  it('-> DRIVER_SELECTED from SINGLE_QUEUE: an unserved licence waits for a choice and then takes its own place', () => {
    const w = new World({ mode: 'SINGLE_QUEUE', curbTarget: 1 });
    for (const plate of ['S1', 'B1', 'S2']) {
      w.enter(plate);
      w.advance(10);
    }
    w.setMode('DRIVER_SELECTED');
    expect(w.stand.taxiView('B1')).toMatchObject({ queue: null });
    expect(w.lot('SEOUL')).toEqual(['S2']);
    w.choose('B1', 'SEOUL');
    expect(w.lot('SEOUL')).toEqual(['B1', 'S2']);
  });

  it('passengers of a region the stand does not serve wait unqueued in REGIONAL and come back in place', () => {
    const w = new World({ mode: 'SINGLE_QUEUE' });
    w.ask('Gangnam');
    w.ask('Busan Station');
    w.ask('Suwon');
    w.setMode('REGIONAL');
    expect(w.stand.counts()).toMatchObject({ waitingPassengers: 3, unqueuedPassengers: 1 });
    expect(w.stand.passengerView('A0002')).toMatchObject({ queue: null, stage: 'WAITING' });
    w.setMode('SINGLE_QUEUE');
    expect(w.waiting('ALL')).toEqual(['A0001', 'A0002', 'A0003']);
  });

  it('matches in progress are untouched by a switch', () => {
    const w = new World({ mode: 'REGIONAL' });
    w.enter('S1');
    w.ask('Gangnam');
    w.setMode('SINGLE_QUEUE');
    expect(w.stand.activeMatches()).toMatchObject([{ plate: 'S1', ticket: 'A0001', queue: 'SEOUL', status: 'ACTIVE' }]);
    expect(briefs(w.pickup('S1'))).toEqual(['COMPLETED S1 A0001']);
    expect(w.setMode('SINGLE_QUEUE')).toEqual([]);
  });
});
