import type { CameraState } from '../occupancy';
import { L1_BAYS, World, brief, briefChanges, sec } from './fixtures';

/** Level 1 known: bays 01 and 03 occupied, 02 and 04 free. cam-L1-A has 01-02, cam-L1-B 03-04. */
function levelOneKnown(): World {
  const w = new World();
  w.reportAll(L1_BAYS, false);
  w.report('P1-L1-01', true);
  w.report('P1-L1-03', true);
  expect(brief(w.counts('P1-L1'))).toBe('2 occ / 2 free / 0 unk of 4');
  return w;
}

describe('scenario: a guidance camera goes offline and comes back', () => {
  it('its bays become UNKNOWN, not free: the level and car park counts say so at once', () => {
    const w = levelOneKnown();
    w.now = sec(30);
    expect(briefChanges(w.camera('cam-L1-A', 'OFFLINE'))).toEqual([
      'T1: 1 occ / 1 free / 5 unk of 7',
      'P1: 1 occ / 1 free / 5 unk of 7',
      'P1-L1: 1 occ / 1 free / 2 unk of 4',
    ]);
    expect(w.bay('P1-L1-01').status).toBe('UNKNOWN');
    expect(w.bay('P1-L1-02')).toMatchObject({ status: 'UNKNOWN', lastReported: { occupied: false, at: sec(0) } });
    // The other camera's bays are untouched.
    expect(w.bay('P1-L1-04').status).toBe('FREE');
  });

  it('reports that arrive while it is offline are remembered but not counted', () => {
    const w = levelOneKnown();
    w.now = sec(30);
    w.camera('cam-L1-A', 'OFFLINE');
    w.now = sec(40);
    expect(w.report('P1-L1-01', false)).toEqual([]);
    expect(w.bay('P1-L1-01')).toMatchObject({ status: 'UNKNOWN', lastReported: { occupied: false, at: sec(40) } });
  });

  it('on recovery its bays stay UNKNOWN until each is re-reported', () => {
    const w = levelOneKnown();
    w.now = sec(30);
    w.camera('cam-L1-A', 'OFFLINE');
    w.now = sec(90);
    expect(w.camera('cam-L1-A', 'ONLINE')).toEqual([]); // nothing is known yet
    expect(brief(w.counts('P1-L1'))).toBe('1 occ / 1 free / 2 unk of 4');

    w.now = sec(91);
    expect(briefChanges(w.report('P1-L1-02', false))).toEqual([
      'T1: 1 occ / 2 free / 4 unk of 7',
      'P1: 1 occ / 2 free / 4 unk of 7',
      'P1-L1: 1 occ / 2 free / 1 unk of 4',
    ]);
    w.now = sec(92);
    w.report('P1-L1-01', true); // same value as before the outage: still a change (UNKNOWN -> OCCUPIED)
    expect(brief(w.counts('P1-L1'))).toBe('2 occ / 2 free / 0 unk of 4');
  });

  it('a report timestamped before the recovery does not count, even if it arrives after it', () => {
    const w = levelOneKnown();
    w.now = sec(30);
    w.camera('cam-L1-A', 'OFFLINE');
    w.now = sec(90);
    w.camera('cam-L1-A', 'ONLINE');
    expect(w.occupancy.bayReport({ bayId: 'P1-L1-02', occupied: false, at: sec(80) })).toEqual([]);
    expect(w.bay('P1-L1-02').status).toBe('UNKNOWN');
  });

  it.each<[CameraState, boolean]>([
    ['OFFLINE', true],
    ['FAULT', true],
    ['MAINTENANCE', true],
    ['DEGRADED', false],
    ['UNKNOWN', false],
    ['ONLINE', false],
  ])('a camera in %s: its bays stale = %s', (state, stale) => {
    const w = levelOneKnown();
    w.now = sec(30);
    w.camera('cam-L1-B', state);
    expect(w.bay('P1-L1-04').status).toBe(stale ? 'UNKNOWN' : 'FREE');
  });

  it('going OFFLINE then FAULT is one outage: recovery still needs fresh reports', () => {
    const w = levelOneKnown();
    w.now = sec(30);
    w.camera('cam-L1-B', 'OFFLINE');
    w.now = sec(40);
    expect(w.camera('cam-L1-B', 'FAULT')).toEqual([]);
    w.now = sec(50);
    w.camera('cam-L1-B', 'DEGRADED');
    expect(w.bay('P1-L1-04').status).toBe('UNKNOWN');
    w.report('P1-L1-04', false);
    expect(w.bay('P1-L1-04').status).toBe('FREE');
  });

  it('camera states older than the last one are ignored', () => {
    const w = levelOneKnown();
    w.now = sec(30);
    w.camera('cam-L1-A', 'OFFLINE');
    expect(w.occupancy.cameraState('cam-L1-A', 'ONLINE', sec(20))).toEqual([]);
    expect(w.occupancy.cameraStateOf('cam-L1-A')).toBe('OFFLINE');
  });

  it('the level sign never offers an UNKNOWN bay as free; with the whole level unknown it shows ---', () => {
    const w = levelOneKnown(); // the sign was sent FREE 1 on the first report, FREE 2 once the interval ended
    w.runUntil(30);
    expect(w.sentTo('sign-P1-L1')).toEqual(['FREE 1 @0s', 'FREE 2 @2s']);
    w.camera('cam-L1-A', 'OFFLINE');
    expect(w.sentTo('sign-P1-L1').slice(2)).toEqual(['FREE 1 @30s']);
    w.runUntil(40);
    w.camera('cam-L1-B', 'OFFLINE');
    expect(w.sentTo('sign-P1-L1').slice(2)).toEqual(['FREE 1 @30s', '--- @40s']);
    // Level 2 was never reported: the car park sign shows --- too, never FULL or FREE 0.
    w.runUntil(50);
    expect(w.signs.displayed('sign-P1')).toEqual({ text: '---', at: sec(40) });
  });
});
