import { MIN_S, World, briefs } from './fixtures';

describe('scenario: forged, reused and superseded near-trip claims are refused; the taxi still joins, at the back', () => {
  function withClaim(): { w: World; claim: { plate: string; matchId: string; issuedAt: number } } {
    const w = new World({ mode: 'REGIONAL', curbTarget: 1, nearDistanceKm: 10 });
    w.enter('S1');
    w.enter('S2');
    w.enter('S3');
    w.ask('Gangnam');
    const claim = w.trip('S1', 6)!;
    w.advance(5 * MIN_S);
    return { w, claim };
  }

  it('an unknown match id is FORGED', () => {
    const { w, claim } = withClaim();
    expect(briefs(w.enter('S1', { ...claim, matchId: 'T1-TAXI-1-M999999' }))).toEqual(['CLAIM_REFUSED S1 FORGED', 'QUEUED S1 SEOUL/STANDARD']);
    expect(w.lot('SEOUL')).toEqual(['S3', 'S1']);
  });

  it("another taxi presenting S1's claim is FORGED (wrong plate), and the claim stays good for S1", () => {
    const { w, claim } = withClaim();
    w.enter('S4', claim);
    expect(briefs(w.log.slice(-2))).toEqual(['CLAIM_REFUSED S4 FORGED', 'QUEUED S4 SEOUL/STANDARD']);
    expect(briefs(w.enter('S4', { ...claim, plate: 'S4' }).slice(0, 1))).toEqual(['IGNORED S4 LOT_ENTRY DUPLICATE']);
    expect(briefs(w.enter('S1', claim))).toEqual(['QUEUED S1 SEOUL/STANDARD priority']);
  });

  it('a claim whose plate was rewritten to match the presenting taxi is FORGED', () => {
    const { w, claim } = withClaim();
    expect(briefs(w.enter('S4', { ...claim, plate: 'S4' }))).toEqual(['CLAIM_REFUSED S4 FORGED', 'QUEUED S4 SEOUL/STANDARD']);
  });

  it('a claim with a moved issue time (to stretch the window) is FORGED', () => {
    const { w, claim } = withClaim();
    expect(briefs(w.enter('S1', { ...claim, issuedAt: claim.issuedAt + 60 * 60_000 }))).toEqual(['CLAIM_REFUSED S1 FORGED', 'QUEUED S1 SEOUL/STANDARD']);
  });

  it('a used claim is REUSED', () => {
    const { w, claim } = withClaim();
    w.enter('S1', claim);
    w.advance(2 * MIN_S);
    w.exit('S1');
    w.advance(2 * MIN_S);
    expect(briefs(w.enter('S1', claim))).toEqual(['CLAIM_REFUSED S1 REUSED', 'QUEUED S1 SEOUL/STANDARD']);
  });

  it('a claim not presented is SUPERSEDED once the taxi takes another fare', () => {
    const { w, claim } = withClaim();
    w.enter('S1'); // came back without presenting it
    w.ask('Gangnam'); // S2
    w.ask('Gangnam'); // S3
    w.ask('Gangnam'); // S1
    expect(w.pairs.at(-1)).toBe('S1>A0004');
    w.pickup('S1');
    w.advance(30 * MIN_S);
    expect(briefs(w.enter('S1', claim))).toEqual(['CLAIM_REFUSED S1 SUPERSEDED', 'QUEUED S1 SEOUL/STANDARD', 'CALLED S1 SEOUL/STANDARD']);
  });

  it('a duplicate read with a claim does not spend it', () => {
    const { w, claim } = withClaim();
    w.enter('S1', claim);
    expect(briefs(w.enter('S1', claim))).toEqual(['IGNORED S1 LOT_ENTRY DUPLICATE']);
    expect(w.stand.taxiView('S1')).toMatchObject({ priority: true, position: 1 });
  });
});
