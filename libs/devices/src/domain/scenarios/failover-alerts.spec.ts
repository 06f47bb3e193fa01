import { GATE, KIOSK, World, briefAction } from './fixtures';

describe('scenario: alerts raised by the failover engine (FAILOVER, NO_STANDBY) share the rules', () => {
  it('FAILOVER is MAJOR, deduplicated, and cleared by the raiser on failback (CLEARED)', () => {
    const w = new World([GATE, KIOSK]);
    w.raise(GATE.id, 'FAILOVER', 'gate-P1-E2 activated');
    w.runUntil(10);
    w.raise(GATE.id, 'FAILOVER', 'gate-P1-E2 still active');
    w.runUntil(70);
    w.record(w.engine.clear(GATE.id, 'FAILOVER', w.now));
    expect(w.actions.map(briefAction)).toEqual([
      'RAISE gate-P1-E1 FAILOVER MAJOR @0s notify',
      'REOCCUR gate-P1-E1 FAILOVER MAJOR @10s notify',
      'RESOLVE gate-P1-E1 FAILOVER MAJOR @70s notify',
    ]);
    expect(w.actions.at(-1)?.alert).toMatchObject({ resolution: 'CLEARED', occurrences: 2 });
  });

  it('clearing a kind that is not open does nothing', () => {
    const w = new World([GATE]);
    expect(w.engine.clear(GATE.id, 'NO_STANDBY', w.now)).toEqual([]);
  });

  it('removing a device resolves everything it had open (DEVICE_REMOVED)', () => {
    const w = new World([KIOSK]);
    w.heartbeat(KIOSK.id, 'FAULT');
    w.raise(KIOSK.id, 'NO_STANDBY');
    w.runUntil(5);
    const closed = w.record(w.engine.removeDevice(KIOSK.id, w.now));
    expect(closed.map(briefAction).sort()).toEqual(['RESOLVE kiosk-T1-1 FAULT CRITICAL @5s notify', 'RESOLVE kiosk-T1-1 NO_STANDBY CRITICAL @5s notify']);
    expect(closed.every((a) => a.alert.resolution === 'DEVICE_REMOVED')).toBe(true);
    expect(w.engine.openAlerts()).toEqual([]);
  });
});
