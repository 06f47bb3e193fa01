import { World, briefs } from './fixtures';

describe('scenario: call-up keeps curbTarget taxis at the curb per (queue, class)', () => {
  it('calls lot heads until the curb holds the target, and one more for every taxi matched away', () => {
    const w = new World({ mode: 'REGIONAL', curbTarget: 2 });
    const m = w.mark();
    for (const plate of ['S1', 'S2', 'S3', 'S4']) w.enter(plate);
    expect(w.since(m).filter((d) => d.startsWith('CALLED'))).toEqual(['CALLED S1 SEOUL/STANDARD', 'CALLED S2 SEOUL/STANDARD']);
    expect(w.stand.queues().find((q) => q.queue === 'SEOUL' && q.vehicleClass === 'STANDARD')).toEqual({
      queue: 'SEOUL',
      vehicleClass: 'STANDARD',
      lot: 2,
      curb: 2,
      passengers: 0,
    });
    w.ask('Gangnam');
    expect(w.called).toEqual(['S1', 'S2', 'S3']);
    expect(w.stand.counts()).toMatchObject({ lot: 1, curb: 2, matchedTaxis: 1 });
    w.ask('Gangnam');
    w.ask('Gangnam');
    expect(w.called).toEqual(['S1', 'S2', 'S3', 'S4']);
    expect(w.stand.counts()).toMatchObject({ lot: 0, curb: 1, matchedTaxis: 3 });
  });

  it('a called taxi can be matched before it arrives; arrived taxis go first, in arrival order', () => {
    const w = new World({ mode: 'REGIONAL', curbTarget: 3 });
    for (const plate of ['S1', 'S2', 'S3']) w.enter(plate);
    w.arrive('S3');
    w.arrive('S2');
    expect(w.curb('SEOUL')).toEqual(['S3', 'S2', 'S1']);
    w.ask('Gangnam');
    w.ask('Gangnam');
    w.ask('Gangnam');
    expect(w.pairs).toEqual(['S3>A0001', 'S2>A0002', 'S1>A0003']);
    expect(w.stand.activeMatches().map((m) => [m.plate, m.taxiArrived])).toEqual([
      ['S3', true],
      ['S2', true],
      ['S1', false],
    ]);
  });

  it('raising the target calls more taxis at once; lowering it calls none until the curb falls below', () => {
    const w = new World({ mode: 'REGIONAL', curbTarget: 1 });
    for (const plate of ['S1', 'S2', 'S3', 'S4']) w.enter(plate);
    expect(briefs(w.reconfigure({ curbTarget: 3 }))).toEqual(['CONFIG REGIONAL', 'CALLED S2 SEOUL/STANDARD', 'CALLED S3 SEOUL/STANDARD']);
    w.reconfigure({ curbTarget: 1 });
    w.ask('Gangnam');
    w.ask('Gangnam');
    expect(w.called).toEqual(['S1', 'S2', 'S3']);
    w.ask('Gangnam');
    expect(w.called).toEqual(['S1', 'S2', 'S3', 'S4']);
  });

  it('bad configurations are refused', () => {
    const w = new World();
    expect(() => w.reconfigure({ curbTarget: 0 })).toThrow(expect.objectContaining({ reason: 'invalid' }));
    expect(() => w.reconfigure({ regions: ['SEOUL', 'NEAR'] })).toThrow(expect.objectContaining({ reason: 'invalid' }));
    expect(() => w.reconfigure({ regions: [] })).toThrow(expect.objectContaining({ reason: 'invalid' }));
    expect(() => w.reconfigure({ priorityWindowMin: -1 })).toThrow(expect.objectContaining({ reason: 'invalid' }));
    expect(w.stand.config).toMatchObject({ curbTarget: 1, regions: ['SEOUL', 'INCHEON', 'GYEONGGI'] });
  });
});
