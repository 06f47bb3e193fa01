import { World, briefs } from './fixtures';

describe('scenario: no-show after NO_SHOW_S (180 s) — the waiting side is re-matched first', () => {
  it('a taxi no-show: the passenger goes to the front and takes the curb taxi; the taxi goes to the back of the lot', () => {
    const w = new World({ mode: 'REGIONAL', curbTarget: 1 });
    for (const plate of ['S1', 'S2', 'S3', 'S4']) w.enter(plate);
    w.ask('Gangnam'); // S1, S2 called
    expect(w.stand.overdue(w.now + 179_000)).toEqual([]);
    expect(w.stand.nextDeadline()).toBe(w.now + 180_000);
    w.advance(179);
    expect(() => w.noShow('S1', 'TAXI')).toThrow(expect.objectContaining({ reason: 'conflict' }));
    w.advance(1);
    expect(w.stand.overdue(w.now)).toEqual([{ matchId: w.matchOf('S1'), side: 'TAXI', deadline: w.now }]);
    const m = w.mark();
    w.noShow('S1', 'TAXI');
    expect(w.since(m)).toEqual([
      'RELEASED S1 A0001 TAXI',
      'REQUEUED S1 SEOUL/STANDARD BACK NO_SHOW',
      'REQUEUED A0001 SEOUL/STANDARD FRONT',
      'MATCHED S2 A0001 SEOUL/STANDARD',
      'CALLED S3 SEOUL/STANDARD',
    ]);
    expect(w.lot('SEOUL')).toEqual(['S4', 'S1']);
    expect(() => w.noShow('S1', 'TAXI')).toThrow(); // S1 is no longer matched
  });

  it('a taxi no-show with passengers already waiting: the released passenger is served before them, never by that taxi again', () => {
    const w = new World({ mode: 'REGIONAL', curbTarget: 1 });
    w.enter('S1');
    w.ask('Gangnam'); // A0001 -> S1
    w.ask('Gangnam'); // A0002 waits
    w.ask('Gangnam'); // A0003 waits
    w.advance(200);
    const m = w.mark();
    w.noShow('A0001', 'TAXI');
    // S1 is the only taxi: called again from the back of the (empty) lot; A0001 avoids it, A0002 takes it.
    expect(w.since(m)).toEqual([
      'RELEASED S1 A0001 TAXI',
      'REQUEUED S1 SEOUL/STANDARD BACK NO_SHOW',
      'REQUEUED A0001 SEOUL/STANDARD FRONT',
      'CALLED S1 SEOUL/STANDARD',
      'MATCHED S1 A0002 SEOUL/STANDARD',
    ]);
    expect(w.waiting('SEOUL')).toEqual(['A0001', 'A0003']);
    w.enter('S2');
    expect(w.pairs.at(-1)).toBe('S2>A0001');
  });

  it('the released passenger is first even ahead of an earlier ticket (queues merged by a mode switch)', () => {
    const w = new World({ mode: 'REGIONAL', curbTarget: 1 });
    w.ask('Gangnam'); // A0001 SEOUL, waits
    w.ask('Suwon'); // A0002 GYEONGGI, waits
    w.ask('Songdo'); // A0003 INCHEON
    w.enter('I1');
    expect(w.pairs).toEqual(['I1>A0003']);
    w.setMode('SINGLE_QUEUE');
    expect(w.waiting('ALL')).toEqual(['A0001', 'A0002']);
    w.advance(180);
    w.noShow('I1', 'TAXI'); // I1 is called again and takes A0001; A0003 never gets I1 again
    expect(w.waiting('ALL')).toEqual(['A0003', 'A0002']);
    w.enter('S2');
    expect(w.pairs).toEqual(['I1>A0003', 'I1>A0001', 'S2>A0003']);
  });

  it('a no-show priority taxi loses its priority: back of the lot behind everyone', () => {
    const w = new World({ mode: 'SINGLE_QUEUE', curbTarget: 1, nearDistanceKm: 10 });
    w.enter('S1');
    w.ask('Gangnam');
    const claim = w.trip('S1', 3)!;
    w.enter('S2'); // called
    w.enter('S1', claim);
    w.ask('Gangnam'); // S2; S1 called
    w.ask('Gangnam'); // S1
    expect(w.pairs).toEqual(['S1>A0001', 'S2>A0002', 'S1>A0003']);
    for (const plate of ['I1', 'I2', 'G1']) w.enter(plate); // I1 called
    w.advance(180);
    w.noShow('S1', 'TAXI'); // A0003 takes I1; I2 called
    expect(w.pairs.at(-1)).toBe('I1>A0003');
    expect(w.lot('ALL')).toEqual(['G1', 'S1']);
    expect(w.stand.taxiView('S1')).toMatchObject({ priority: false, position: 2 });
  });

  it('a passenger no-show: the ticket is cancelled and the taxi is re-matched first, ahead of the curb', () => {
    const w = new World({ mode: 'REGIONAL', curbTarget: 1 });
    w.enter('S1');
    w.enter('S2');
    w.ask('Gangnam'); // S1; S2 called
    w.arrive('S2');
    w.advance(60);
    expect(briefs(w.arrive('S1'))).toEqual(['AT_CURB S1 matched']);
    w.advance(120);
    expect(w.stand.overdue(w.now)).toMatchObject([{ side: 'PASSENGER' }]);
    const m = w.mark();
    w.noShow('S1', 'PASSENGER');
    expect(w.since(m)).toEqual(['RELEASED S1 A0001 PASSENGER', 'CANCELLED A0001 NO_SHOW', 'REQUEUED S1 SEOUL/STANDARD FRONT PASSENGER_NO_SHOW']);
    expect(w.curb('SEOUL')).toEqual(['S1', 'S2']);
    expect(w.stand.passengerView('A0001')).toBeUndefined();
    w.ask('Seoul Station');
    w.ask('Seoul Station');
    expect(w.pairs).toEqual(['S1>A0001', 'S1>A0002', 'S2>A0003']);
  });

  it('pickup completes the match: both leave the stand; pickup and no-show of a finished match conflict', () => {
    const w = new World();
    w.enter('S1');
    w.ask('Gangnam');
    const id = w.matchOf('S1');
    expect(briefs(w.pickup('S1'))).toEqual(['COMPLETED S1 A0001']);
    expect(w.stand.taxiView('S1')).toBeUndefined();
    expect(w.stand.match(id)).toMatchObject({ status: 'COMPLETED' });
    w.advance(600);
    expect(() => w.stand.pickup(id, w.now)).toThrow(expect.objectContaining({ reason: 'conflict' }));
    expect(() => w.stand.noShow(id, 'TAXI', w.now)).toThrow(expect.objectContaining({ reason: 'conflict' }));
    expect(() => w.stand.pickup('nope', w.now)).toThrow(expect.objectContaining({ reason: 'not-found' }));
  });
});
