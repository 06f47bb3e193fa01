import { Stand } from '../stand';
import type { StandState } from '../state';
import { World, briefs } from './fixtures';

describe('scenario: the taxi-lot camera — banned and unknown plates, duplicate reads, LOT_EXIT', () => {
  it('a banned plate is refused; an unregistered plate too', () => {
    const w = new World();
    expect(briefs(w.enter('X1'))).toEqual(['REFUSED X1 BANNED']);
    expect(briefs(w.enter('99허9999'))).toEqual(['REFUSED 99허9999 UNKNOWN_TAXI']);
    expect(w.stand.counts()).toMatchObject({ lot: 0, curb: 0 });
  });

  it('a taxi banned while waiting leaves the stand', () => {
    const w = new World();
    w.enter('S1');
    w.enter('S2');
    w.registry.setBanned('S2', true);
    expect(briefs(w.record(w.stand.taxiBanned('S2', w.now)))).toEqual(['LEFT S2 BANNED']);
    expect(w.lot('SEOUL')).toEqual([]);
  });

  it('reads of the same plate at the same lane within 60 s are ignored; plates are read without spaces or case', () => {
    const w = new World();
    expect(briefs(w.enter('S1'))).toEqual(['QUEUED S1 SEOUL/STANDARD', 'CALLED S1 SEOUL/STANDARD']);
    w.advance(30);
    expect(briefs(w.enter(' s 1 '))).toEqual(['IGNORED S1 LOT_ENTRY DUPLICATE']);
    w.advance(29.999);
    expect(briefs(w.enter('S1'))).toEqual(['IGNORED S1 LOT_ENTRY DUPLICATE']);
    w.advance(0.001);
    expect(briefs(w.enter('S1'))).toEqual(['IGNORED S1 LOT_ENTRY ALREADY_PRESENT']);
    // A banned plate idling at the barrier is refused once a minute, not on every frame.
    w.enter('X1');
    w.advance(10);
    expect(briefs(w.enter('X1'))).toEqual(['IGNORED X1 LOT_ENTRY DUPLICATE']);
  });

  it('a refused plate re-read within the window is judged afresh once the registry changed its answer (unbanned, registered)', () => {
    const w = new World();
    expect(briefs(w.enter('X1'))).toEqual(['REFUSED X1 BANNED']);
    w.advance(10);
    expect(briefs(w.enter('X1'))).toEqual(['IGNORED X1 LOT_ENTRY DUPLICATE']);
    w.registry.setBanned('X1', false);
    w.advance(10);
    expect(briefs(w.enter('X1'))).toEqual(['QUEUED X1 SEOUL/STANDARD', 'CALLED X1 SEOUL/STANDARD']);
    w.advance(10);
    expect(briefs(w.enter('X1'))).toEqual(['IGNORED X1 LOT_ENTRY DUPLICATE']);

    expect(briefs(w.enter('N1'))).toEqual(['REFUSED N1 UNKNOWN_TAXI']);
    w.registry.register({ plate: 'N1', licenceRegion: 'SEOUL', vehicleClass: 'STANDARD', banned: true });
    w.advance(5);
    expect(briefs(w.enter('N1'))).toEqual(['REFUSED N1 BANNED']);
    w.advance(5);
    expect(briefs(w.enter('N1'))).toEqual(['IGNORED N1 LOT_ENTRY DUPLICATE']);
    // the record survives a restart (it is part of the snapshot)
    w.registry.setBanned('N1', false);
    w.stand = Stand.restore(JSON.parse(JSON.stringify(w.stand.snapshot())) as StandState, { taxis: w.registry, destinations: w.destinations });
    w.advance(5);
    expect(briefs(w.enter('N1'))).toEqual(['QUEUED N1 SEOUL/STANDARD']);
  });

  it('a taxi read at LOT_EXIT without a match (not called) leaves the queue; a called one is on its way', () => {
    const w = new World({ curbTarget: 1 });
    w.enter('S1');
    w.enter('S2');
    w.enter('S3');
    expect(briefs(w.exit('S2'))).toEqual(['LEFT S2 LOT_EXIT']);
    expect(w.lot('SEOUL')).toEqual(['S3']);
    expect(briefs(w.exit('S1'))).toEqual(['IGNORED S1 LOT_EXIT EN_ROUTE']);
    expect(briefs(w.exit('G1'))).toEqual(['IGNORED G1 LOT_EXIT NOT_PRESENT']);
    w.advance(10);
    expect(briefs(w.exit('S2'))).toEqual(['IGNORED S2 LOT_EXIT DUPLICATE']);
    // Back in within the entry window: the exit in between makes it a new visit, at the back.
    expect(briefs(w.enter('S2'))).toEqual(['QUEUED S2 SEOUL/STANDARD']);
    expect(w.lot('SEOUL')).toEqual(['S3', 'S2']);
  });

  it('a matched taxi is not removed by LOT_EXIT', () => {
    const w = new World();
    w.enter('S1');
    w.ask('Gangnam');
    expect(briefs(w.exit('S1'))).toEqual(['IGNORED S1 LOT_EXIT EN_ROUTE']);
    expect(w.stand.activeMatches()).toHaveLength(1);
  });

  it('a taxi that was not called cannot arrive at the curb', () => {
    const w = new World({ curbTarget: 1 });
    w.enter('S1');
    w.enter('S2');
    expect(() => w.arrive('S2')).toThrow(expect.objectContaining({ reason: 'conflict' }));
    expect(() => w.arrive('G1')).toThrow(expect.objectContaining({ reason: 'not-found' }));
    expect(briefs(w.arrive('S1'))).toEqual(['AT_CURB S1']);
    expect(w.arrive('S1')).toEqual([]);
  });
});
