import { GATE, LANE, LOOP, LPR, World, briefAction, sec } from './fixtures';

describe('scenario: a parent OFFLINE suppresses its children (recorded, not notified)', () => {
  it('the gate controller dies first: its LPR and loop go OFFLINE after it, recorded but not notified', () => {
    const w = new World(LANE);
    w.keepAlive([GATE.id, LPR.id, LOOP.id], 10);
    w.runUntil(12);
    w.heartbeat(LPR.id);
    w.heartbeat(LOOP.id);
    w.runUntil(39);

    expect(w.actions.map(briefAction)).toEqual([
      'RAISE gate-P1-E1 OFFLINE CRITICAL @25s notify',
      'RAISE lpr-P1-E1 OFFLINE MAJOR @27s',
      'RAISE loop-P1-E1 OFFLINE CRITICAL @27s',
    ]);
    expect(w.engine.openFor(LPR.id, 'OFFLINE')).toMatchObject({ suppressed: true, suppressedBy: 'PARENT_OFFLINE', notified: false });
  });

  it('the parent comes back: children that report in time resolve quietly, the one that does not is notified after the review delay', () => {
    const w = new World(LANE);
    w.keepAlive([GATE.id, LPR.id, LOOP.id], 10);
    w.runUntil(12);
    w.heartbeat(LPR.id);
    w.heartbeat(LOOP.id);
    w.runUntil(40);
    const mark = w.actions.length;

    w.heartbeat(GATE.id); // 40 s: gate back
    w.runUntil(45);
    w.heartbeat(LPR.id); // 45 s: camera back; the loop detector stays dead
    w.keepAlive([GATE.id, LPR.id], 120);

    expect(w.actions.slice(mark).map(briefAction)).toEqual([
      'RESOLVE gate-P1-E1 OFFLINE CRITICAL @40s notify',
      'RESOLVE lpr-P1-E1 OFFLINE MAJOR @45s', // never notified, so its resolution is not either
      'UNSUPPRESS loop-P1-E1 OFFLINE CRITICAL @55s notify', // 40 s + SUPPRESSION_REVIEW_S
    ]);
    expect(w.engine.openFor(LOOP.id, 'OFFLINE')).toMatchObject({ suppressed: false, notified: true, notifiedAt: sec(55) });
  });

  it('children that went down just before the parent are suppressed when it goes down (SUPPRESS)', () => {
    const w = new World(LANE);
    w.keepAlive([GATE.id, LPR.id, LOOP.id], 5);
    w.runUntil(8);
    w.heartbeat(LPR.id);
    w.runUntil(10);
    w.heartbeat(GATE.id);
    w.runUntil(60);
    expect(w.actions.map(briefAction)).toEqual([
      'RAISE loop-P1-E1 OFFLINE CRITICAL @20s notify',
      'RAISE lpr-P1-E1 OFFLINE MAJOR @23s notify',
      'RAISE gate-P1-E1 OFFLINE CRITICAL @25s notify',
      'SUPPRESS loop-P1-E1 OFFLINE CRITICAL @25s notify',
      'SUPPRESS lpr-P1-E1 OFFLINE MAJOR @25s notify',
    ]);
  });

  it('a parent going OFFLINE in the same batch suppresses children processed before it', () => {
    const w = new World(LANE);
    w.keepAlive([LPR.id, LOOP.id], 5);
    w.runUntil(6);
    w.heartbeat(GATE.id);
    w.now = sec(30); // one late tick sees the children (20 s) and then the gate (21 s)
    w.feed(w.tracker.tick(w.now));
    expect(w.transitions.filter((t) => t.to === 'OFFLINE').map((t) => t.deviceId)).toEqual([LPR.id, LOOP.id, GATE.id]);
    expect(w.actions.map(briefAction)).toEqual([
      'RAISE lpr-P1-E1 OFFLINE MAJOR @20s',
      'RAISE loop-P1-E1 OFFLINE CRITICAL @20s',
      'RAISE gate-P1-E1 OFFLINE CRITICAL @21s notify',
    ]);
  });

  it('suppression follows the whole ancestry (a child of a child)', () => {
    const w = new World([...LANE, { id: 'sign-on-lpr', config: { type: 'GUIDANCE_SIGN', parentId: LPR.id } }]);
    w.keepAlive([GATE.id, LPR.id, LOOP.id, 'sign-on-lpr'], 10);
    w.runUntil(11);
    w.heartbeat(LPR.id);
    w.heartbeat(LOOP.id);
    w.heartbeat('sign-on-lpr');
    w.runUntil(60);
    expect(w.notified.map(briefAction)).toEqual(['RAISE gate-P1-E1 OFFLINE CRITICAL @25s notify']);
    expect(w.engine.openFor('sign-on-lpr', 'OFFLINE')?.suppressedBy).toBe('PARENT_OFFLINE');
  });
});
