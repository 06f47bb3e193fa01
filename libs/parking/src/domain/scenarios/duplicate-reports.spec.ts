import { World, sec } from './fixtures';

describe('scenario: a camera repeats itself', () => {
  it('a duplicate report (same value) changes nothing and publishes nothing', () => {
    const w = new World();
    w.report('P1-L2-01', false);
    const published = w.published.length;
    for (let i = 1; i <= 5; i++) {
      w.now = sec(i);
      expect(w.report('P1-L2-01', false)).toEqual([]);
    }
    expect(w.published).toHaveLength(published);
    expect(w.bay('P1-L2-01')).toMatchObject({ status: 'FREE', lastReported: { occupied: false, at: sec(5) } });
  });

  it('a repeated plate read keeps the time the car was first seen in the bay', () => {
    const w = new World();
    w.report('P1-L2-01', true, '12가3456');
    w.now = sec(60);
    expect(w.report('P1-L2-01', true, '12가3456')).toEqual([]);
    w.now = sec(120);
    expect(w.report('P1-L2-01', true)).toEqual([]); // occupied, plate not read this time: same car
    expect(w.occupancy.locate('12가3456')).toMatchObject({ bayId: 'P1-L2-01', since: sec(0) });
  });

  it('duplicates do not reach the signs', () => {
    const w = new World();
    w.startSigns();
    w.reportAll(['P1-L2-01', 'P1-L2-02', 'P1-L2-03'], false);
    w.runUntil(10);
    const sent = w.sentTo('sign-P1-L2');
    w.reportAll(['P1-L2-01', 'P1-L2-02', 'P1-L2-03'], false);
    w.runUntil(20);
    expect(w.sentTo('sign-P1-L2')).toEqual(sent);
    expect(sent.at(-1)).toBe('FREE 3 @2s');
  });
});
