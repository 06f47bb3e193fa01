import { DispatchError } from '../errors';
import { World, briefs } from './fixtures';

describe('scenario: REGIONAL — FIFO per (region, class); a taxi serves the region it is licensed for', () => {
  it('taxis are called in lot order and passengers served in ticket order, region by region', () => {
    const w = new World({ mode: 'REGIONAL', curbTarget: 1 });
    expect(briefs(w.enter('S1'))).toEqual(['QUEUED S1 SEOUL/STANDARD', 'CALLED S1 SEOUL/STANDARD']);
    w.advance(5);
    w.enter('S2');
    w.advance(5);
    w.enter('S3');
    expect(briefs(w.enter('I1'))).toEqual(['QUEUED I1 INCHEON/STANDARD', 'CALLED I1 INCHEON/STANDARD']);
    expect(w.curb('SEOUL')).toEqual(['S1']);
    expect(w.lot('SEOUL')).toEqual(['S2', 'S3']);

    const m = w.mark();
    w.ask('Gangnam');
    expect(w.since(m)).toEqual(['TICKET A0001 SEOUL/STANDARD', 'MATCHED S1 A0001 SEOUL/STANDARD', 'CALLED S2 SEOUL/STANDARD']);
    w.ask('Seoul Station');
    w.ask('Songdo');
    w.ask('Gangnam');
    w.ask('Seoul Station');
    expect(w.pairs).toEqual(['S1>A0001', 'S2>A0002', 'I1>A0003', 'S3>A0004']);
    expect(w.waiting('SEOUL')).toEqual(['A0005']);

    const n = w.mark();
    w.enter('S4');
    expect(w.since(n)).toEqual(['QUEUED S4 SEOUL/STANDARD', 'CALLED S4 SEOUL/STANDARD', 'MATCHED S4 A0005 SEOUL/STANDARD']);
  });

  it('passengers who wait are served in ticket order as taxis come', () => {
    const w = new World({ mode: 'REGIONAL' });
    const tickets = [w.ask('Gangnam'), w.ask('Suwon'), w.ask('Seoul Station'), w.ask('Gangnam')];
    expect(tickets).toEqual(['A0001', 'A0002', 'A0003', 'A0004']);
    expect(w.waiting('SEOUL')).toEqual(['A0001', 'A0003', 'A0004']);
    w.enter('S3');
    w.enter('G1');
    w.enter('S1');
    expect(w.pairs).toEqual(['S3>A0001', 'G1>A0002', 'S1>A0003']);
    expect(w.stand.passengerView('A0004')).toMatchObject({ queue: 'SEOUL', position: 1, stage: 'WAITING' });
  });

  it('a taxi licensed outside the stand regions is refused; destinations must be known and served', () => {
    const w = new World({ mode: 'REGIONAL' });
    expect(briefs(w.enter('B1'))).toEqual(['REFUSED B1 REGION_NOT_SERVED']);
    expect(() => w.ask('Nowhere')).toThrow(DispatchError);
    try {
      w.ask('Nowhere');
    } catch (e) {
      expect(e).toMatchObject({ reason: 'unknown-destination', code: 'invalid', status: 400 });
    }
    expect(() => w.ask('Busan Station')).toThrow(expect.objectContaining({ reason: 'region-not-served' }));
    // Destination names are matched exactly, case-insensitively.
    expect(w.ask('  seoul STATION ')).toBe('A0001');
    expect(w.stand.passengerView('A0001')).toMatchObject({ destination: 'Seoul Station', region: 'SEOUL' });
  });
});
