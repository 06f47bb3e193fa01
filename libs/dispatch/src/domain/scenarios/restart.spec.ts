import { Stand } from '../stand';
import { World, briefs } from './fixtures';

describe('scenario: the adapter rebuilds a stand from its persisted state', () => {
  it('a JSON round trip of the snapshot changes nothing: same queues, same next decisions', () => {
    const build = (): World => {
      const w = new World({ mode: 'DRIVER_SELECTED', curbTarget: 1, nearQueue: true, nearDistanceKm: 10 });
      w.choose('I1', 'INCHEON');
      w.enter('I1');
      w.ask('Yeongjong');
      const claim = w.trip('I1', 5)!;
      w.choose('S1', 'SEOUL');
      w.enter('S1');
      w.enter('S2'); // awaiting a region
      w.choose('G1', 'GYEONGGI');
      w.enter('G1');
      w.ask('Gangnam');
      w.ask('Gangnam');
      w.enter('I1', claim);
      w.ask('Unseo');
      w.advance(200);
      w.noShow('A0002', 'TAXI');
      return w;
    };
    const a = build();
    const b = build();
    b.restart();
    expect(b.stand.snapshot()).toEqual(a.stand.snapshot());
    expect(b.stand.queues()).toEqual(a.stand.queues());
    expect(b.stand.taxiViews()).toEqual(a.stand.taxiViews());
    const next = (w: World): string[] => {
      const m = w.mark();
      w.choose('S2', 'SEOUL');
      w.ask('Gangnam');
      w.enter('S3');
      w.ask('Unseo');
      w.advance(200);
      for (const o of w.stand.overdue(w.now)) w.record(w.stand.noShow(o.matchId, o.side, w.now));
      return w.since(m);
    };
    expect(next(b)).toEqual(next(a));
  });

  it('the snapshot is plain data: no class instances, no Maps, survives JSON unchanged', () => {
    const w = new World();
    w.enter('S1');
    w.ask('Gangnam');
    const snap = w.stand.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(() => Stand.restore({ ...snap, version: 2 as 1 }, { taxis: w.registry, destinations: w.destinations })).toThrow(
      expect.objectContaining({ reason: 'invalid' }),
    );
    expect(briefs(Stand.restore(snap, { taxis: w.registry, destinations: w.destinations }).pickup(w.matchOf('S1'), w.now))).toEqual(['COMPLETED S1 A0001']);
  });
});
