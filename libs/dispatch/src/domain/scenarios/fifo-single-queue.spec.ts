import { World, briefs } from './fixtures';

describe('scenario: SINGLE_QUEUE — one first-come-first-served queue, any destination, any licence', () => {
  it('taxis and passengers pair strictly in arrival order', () => {
    const w = new World({ mode: 'SINGLE_QUEUE', curbTarget: 1 });
    for (const plate of ['S1', 'I1', 'G1', 'B1']) {
      w.enter(plate);
      w.advance(10);
    }
    expect(w.curb('ALL')).toEqual(['S1']);
    expect(w.lot('ALL')).toEqual(['I1', 'G1', 'B1']);
    const m = w.mark();
    for (const dest of ['Songdo', 'Gangnam', 'Busan Station', 'Suwon', 'Ilsan']) w.ask(dest);
    expect(w.pairs).toEqual(['S1>A0001', 'I1>A0002', 'G1>A0003', 'B1>A0004']);
    expect(w.since(m).filter((d) => d.startsWith('TICKET'))).toEqual([
      'TICKET A0001 ALL/STANDARD',
      'TICKET A0002 ALL/STANDARD',
      'TICKET A0003 ALL/STANDARD',
      'TICKET A0004 ALL/STANDARD',
      'TICKET A0005 ALL/STANDARD',
    ]);
    expect(w.waiting('ALL')).toEqual(['A0005']);
    expect(w.stand.queues().map((q) => `${q.queue}/${q.vehicleClass}`)).toEqual(['ALL/STANDARD', 'ALL/LARGE', 'ALL/PREMIUM', 'ALL/ACCESSIBLE']);
  });

  it('a taxi read at lot entry with passengers waiting is called and matched at once', () => {
    const w = new World({ mode: 'SINGLE_QUEUE' });
    w.ask('Ilsan');
    expect(briefs(w.enter('G2'))).toEqual(['QUEUED G2 ALL/STANDARD', 'CALLED G2 ALL/STANDARD', 'MATCHED G2 A0001 ALL/STANDARD']);
  });
});
