import { GATE, KIOSK, LANE, LPR, World, brief, briefAction, sec } from './fixtures';

describe('scenario: maintenance (set by an admin; no alerts, but recorded)', () => {
  it('a kiosk in maintenance may go silent or report faults: no transitions, no alerts', () => {
    const w = new World([KIOSK]);
    w.keepAlive([KIOSK.id], 10);
    w.setMaintenance(KIOSK.id, true);
    w.runUntil(20);
    w.heartbeat(KIOSK.id, 'FAULT');
    w.runUntil(900);
    expect(w.transitionsOf(KIOSK.id).map(brief)).toEqual([
      'kiosk-T1-1 UNKNOWN->ONLINE RECOVERED @0s',
      'kiosk-T1-1 ONLINE->MAINTENANCE MAINTENANCE @10s',
    ]);
    expect(w.actions).toEqual([]);
    expect(w.tracker.next()).toBeUndefined();
  });

  it('an alert raised for a device in maintenance (e.g. FAILOVER) is recorded as suppressed, not notified', () => {
    const w = new World([KIOSK]);
    w.setMaintenance(KIOSK.id, true);
    const [action] = w.raise(KIOSK.id, 'FAILOVER', 'standby kiosk-T1-2 activated');
    expect(action).toMatchObject({ type: 'RAISE', notify: false });
    expect(action.alert).toMatchObject({ suppressed: true, suppressedBy: 'MAINTENANCE', notified: false, detail: 'standby kiosk-T1-2 activated' });
    w.runUntil(3600);
    expect(w.actions.filter((a) => a.type === 'ESCALATE')).toEqual([]); // suppressed alerts do not escalate
  });

  it('an open alert is suppressed when its device enters maintenance', () => {
    const w = new World([KIOSK]);
    w.heartbeat(KIOSK.id);
    w.runUntil(20); // OFFLINE at 15 s, notified
    w.setMaintenance(KIOSK.id, true);
    expect(w.actions.map(briefAction)).toEqual([
      'RAISE kiosk-T1-1 OFFLINE CRITICAL @15s notify',
      'SUPPRESS kiosk-T1-1 OFFLINE CRITICAL @20s notify',
    ]);
  });

  it('leaving maintenance: UNKNOWN until the next heartbeat, which makes it ONLINE', () => {
    const w = new World([KIOSK]);
    w.setMaintenance(KIOSK.id, true);
    w.runUntil(100);
    w.setMaintenance(KIOSK.id, false);
    expect(w.state(KIOSK.id)).toBe('UNKNOWN');
    w.runUntil(103);
    w.heartbeat(KIOSK.id);
    expect(w.transitionsOf(KIOSK.id).map(brief)).toEqual([
      'kiosk-T1-1 UNKNOWN->MAINTENANCE MAINTENANCE @0s',
      'kiosk-T1-1 MAINTENANCE->UNKNOWN MAINTENANCE @100s',
      'kiosk-T1-1 UNKNOWN->ONLINE RECOVERED @103s',
    ]);
  });

  it('leaving maintenance and staying silent: OFFLINE one window after the exit, and a notified alert', () => {
    const w = new World([KIOSK]);
    w.setMaintenance(KIOSK.id, true);
    w.runUntil(100);
    w.setMaintenance(KIOSK.id, false);
    w.runUntil(200);
    expect(w.transitionsOf(KIOSK.id).at(-1)).toMatchObject({ to: 'OFFLINE', reason: 'HEARTBEAT_MISSED', at: sec(115) });
    expect(w.notified.map(briefAction)).toEqual(['RAISE kiosk-T1-1 OFFLINE CRITICAL @115s notify']);
  });

  it('registered in maintenance (the persisted flag): MAINTENANCE at once', () => {
    const w = new World([{ id: KIOSK.id, config: { ...KIOSK.config, maintenance: true } }]);
    expect(w.transitions.map(brief)).toEqual(['kiosk-T1-1 UNKNOWN->MAINTENANCE MAINTENANCE @0s']);
  });

  it('a parent in maintenance suppresses its children too (PARENT_MAINTENANCE)', () => {
    const w = new World(LANE);
    w.keepAlive([GATE.id, LPR.id], 10);
    w.setMaintenance(GATE.id, true);
    w.runUntil(60);
    expect(w.actionsOf(LPR.id).map(briefAction)).toEqual(['RAISE lpr-P1-E1 OFFLINE MAJOR @25s']);
    expect(w.engine.openFor(LPR.id, 'OFFLINE')?.suppressedBy).toBe('PARENT_MAINTENANCE');
    expect(w.notified).toEqual([]);
  });
});
