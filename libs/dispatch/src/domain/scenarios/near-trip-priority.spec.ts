import { MIN_S, World, briefs } from './fixtures';

/** A short trip (≤ nearDistanceKm, 10 km here) earns a claim; presented at re-entry within 90 min it puts the taxi at the front, once. */
describe('scenario: near-trip fairness — a short-trip taxi back within its window goes to the front once', () => {
  /** S1 at the curb, S2 and S3 in the lot; a passenger takes S1; S2 is called. */
  function s1Matched(): World {
    const w = new World({ mode: 'REGIONAL', curbTarget: 1, nearDistanceKm: 10, priorityWindowMin: 90 });
    for (const plate of ['S1', 'S2', 'S3']) {
      w.enter(plate);
      w.advance(10);
    }
    w.ask('Gangnam');
    expect(w.pairs).toEqual(['S1>A0001']);
    expect(w.lot('SEOUL')).toEqual(['S3']);
    return w;
  }

  it('a short trip earns a claim; back within the window the taxi goes ahead of the whole lot queue', () => {
    const w = s1Matched();
    const m = w.mark();
    const claim = w.trip('S1', 8, 20);
    expect(w.since(m)).toEqual(['COMPLETED S1 A0001', 'TRIP_ENDED S1 8km short', 'CLAIM S1']);
    expect(claim).toEqual({ plate: 'S1', matchId: 'T1-TAXI-1-M000001', issuedAt: w.now });
    w.enter('S4');
    w.advance(20 * MIN_S);
    expect(briefs(w.enter('S1', claim))).toEqual(['QUEUED S1 SEOUL/STANDARD priority']);
    expect(w.lot('SEOUL')).toEqual(['S1', 'S3', 'S4']);
    expect(w.stand.taxiView('S1')).toMatchObject({ position: 1, priority: true });
    // The next passenger takes S2 from the curb; S1 is called before S3.
    const n = w.mark();
    w.ask('Seoul Station');
    expect(w.since(n)).toEqual(['TICKET A0002 SEOUL/STANDARD', 'MATCHED S2 A0002 SEOUL/STANDARD', 'CALLED S1 SEOUL/STANDARD']);
  });

  it('once: the same claim presented again is refused (REUSED) and the taxi joins at the back', () => {
    const w = s1Matched();
    const claim = w.trip('S1', 5)!;
    w.enter('S1', claim);
    w.ask('Seoul Station'); // S2
    w.ask('Gangnam'); // S1, called from the front
    expect(w.pairs).toEqual(['S1>A0001', 'S2>A0002', 'S1>A0003']);
    w.trip('S1', 40); // a long trip: no new claim
    w.advance(10 * MIN_S);
    expect(briefs(w.enter('S1', claim))).toEqual(['CLAIM_REFUSED S1 REUSED', 'QUEUED S1 SEOUL/STANDARD']);
    expect(w.lot('SEOUL').at(-1)).toBe('S1');
  });

  it('only within the window: at exactly 90 min it applies, one second later it is EXPIRED', () => {
    const inTime = s1Matched();
    const c1 = inTime.trip('S1', 9)!;
    inTime.now = c1.issuedAt + 90 * 60_000;
    expect(briefs(inTime.enter('S1', c1))).toEqual(['QUEUED S1 SEOUL/STANDARD priority']);

    const late = s1Matched();
    const c2 = late.trip('S1', 9)!;
    late.now = c2.issuedAt + 90 * 60_000 + 1000;
    expect(briefs(late.enter('S1', c2))).toEqual(['CLAIM_REFUSED S1 EXPIRED', 'QUEUED S1 SEOUL/STANDARD']);
    expect(late.lot('SEOUL')).toEqual(['S3', 'S1']);
  });

  it('a long trip earns nothing; a stand without nearDistanceKm issues no claims', () => {
    const w = s1Matched();
    expect(w.trip('S1', 10.5)).toBeUndefined();
    const off = new World({ nearDistanceKm: undefined });
    off.enter('S1');
    off.ask('Gangnam');
    expect(off.trip('S1', 1)).toBeUndefined();
    expect(off.log.filter((d) => d.type === 'TRIP_ENDED')).toMatchObject([{ short: false }]);
  });

  it('several priority taxis: in the order they came back, all ahead of the others', () => {
    const w = new World({ mode: 'REGIONAL', curbTarget: 1, nearDistanceKm: 10 });
    w.enter('S1');
    w.enter('S2');
    w.ask('Gangnam'); // S1
    w.ask('Gangnam'); // S2
    const c1 = w.trip('S1', 3)!;
    const c2 = w.trip('S2', 4)!;
    w.enter('S3'); // called (curb empty)
    w.enter('S4');
    w.enter('S2', c2);
    w.enter('S1', c1);
    expect(w.lot('SEOUL')).toEqual(['S2', 'S1', 'S4']);
  });

  it('a priority taxi that leaves the lot loses its priority with it', () => {
    const w = s1Matched();
    const claim = w.trip('S1', 2)!;
    w.enter('S1', claim);
    w.advance(120);
    w.exit('S1');
    w.advance(120);
    expect(briefs(w.enter('S1', claim))).toEqual(['CLAIM_REFUSED S1 REUSED', 'QUEUED S1 SEOUL/STANDARD']);
  });
});
