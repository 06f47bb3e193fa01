import { World, briefs } from './fixtures';

describe('scenario: classes are kept apart within a queue', () => {
  it('a LARGE request only matches a LARGE taxi, even with standard taxis at the curb', () => {
    const w = new World({ mode: 'REGIONAL', curbTarget: 1 });
    w.enter('S1');
    w.enter('SA1');
    w.enter('SP1');
    const m = w.mark();
    w.ask('Gangnam', 'LARGE', 6);
    expect(w.since(m)).toEqual(['TICKET A0001 SEOUL/LARGE']);
    expect(w.waiting('SEOUL', 'LARGE')).toEqual(['A0001']);
    w.ask('Gangnam', 'STANDARD', 2);
    expect(w.pairs).toEqual(['S1>A0002']);
    w.enter('SL1');
    expect(w.pairs).toEqual(['S1>A0002', 'SL1>A0001']);
  });

  it('ACCESSIBLE and PREMIUM taxis serve only their own class (no upgrade, no downgrade)', () => {
    const w = new World({ mode: 'SINGLE_QUEUE' });
    w.enter('SA1');
    w.enter('SP1');
    w.ask('Songdo');
    expect(w.pairs).toEqual([]);
    w.ask('Songdo', 'ACCESSIBLE');
    w.ask('Songdo', 'PREMIUM');
    expect(w.pairs).toEqual(['SA1>A0002', 'SP1>A0003']);
    expect(w.stand.queues().filter((q) => q.passengers > 0)).toEqual([{ queue: 'ALL', vehicleClass: 'STANDARD', lot: 0, curb: 0, passengers: 1 }]);
  });

  it('each class has its own curb target and call-up', () => {
    const w = new World({ mode: 'REGIONAL', curbTarget: 1 });
    const m = w.mark();
    for (const plate of ['SL1', 'S1', 'SL2', 'S2']) w.enter(plate);
    expect(w.since(m).filter((d) => d.startsWith('CALLED'))).toEqual(['CALLED SL1 SEOUL/LARGE', 'CALLED S1 SEOUL/STANDARD']);
  });

  it('a party larger than the class takes is refused', () => {
    const w = new World();
    expect(() => w.ask('Gangnam', 'STANDARD', 5)).toThrow(expect.objectContaining({ reason: 'invalid' }));
    expect(() => w.ask('Gangnam', 'LARGE', 0)).toThrow(expect.objectContaining({ reason: 'invalid' }));
    expect(w.ask('Gangnam', 'LARGE', 8)).toBe('A0001');
    expect(briefs(w.log)).toEqual(['TICKET A0001 SEOUL/LARGE']);
  });
});
