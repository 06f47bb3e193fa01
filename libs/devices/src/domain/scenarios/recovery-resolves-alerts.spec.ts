import { GATE, KIOSK, World, brief, briefAction } from './fixtures';

describe('scenario: recovery resolves alerts automatically', () => {
  it('OFFLINE then an OK heartbeat: ONLINE (RECOVERED) and the OFFLINE alert RESOLVED, notified', () => {
    const w = new World([GATE]);
    w.heartbeat(GATE.id);
    w.runUntil(30);
    w.heartbeat(GATE.id);
    expect(w.transitions.map(brief).at(-1)).toBe('gate-P1-E1 OFFLINE->ONLINE RECOVERED @30s');
    expect(w.actions.map(briefAction)).toEqual(['RAISE gate-P1-E1 OFFLINE CRITICAL @15s notify', 'RESOLVE gate-P1-E1 OFFLINE CRITICAL @30s notify']);
    expect(w.actions[1].alert).toMatchObject({ status: 'RESOLVED', resolution: 'RECOVERED', resolvedAt: w.now });
    expect(w.engine.openAlerts()).toEqual([]);
  });

  it('FAULT -> DEGRADED -> OK: each report replaces the previous condition', () => {
    const w = new World([KIOSK]);
    w.heartbeat(KIOSK.id, 'FAULT');
    w.runUntil(5);
    w.heartbeat(KIOSK.id, 'DEGRADED');
    w.runUntil(10);
    w.heartbeat(KIOSK.id, 'OK');
    expect(w.actions.map(briefAction)).toEqual([
      'RAISE kiosk-T1-1 FAULT CRITICAL @0s notify',
      'RESOLVE kiosk-T1-1 FAULT CRITICAL @5s notify',
      'RAISE kiosk-T1-1 DEGRADED MINOR @5s notify',
      'RESOLVE kiosk-T1-1 DEGRADED MINOR @10s notify',
    ]);
  });

  it('a faulted device that goes OFFLINE keeps its FAULT open; back still faulted, the FAULT re-occurs (one alert, 2 occurrences)', () => {
    const w = new World([GATE]);
    w.heartbeat(GATE.id, 'FAULT');
    w.runUntil(30); // OFFLINE at 15 s
    w.heartbeat(GATE.id, 'FAULT');
    expect(w.actions.map(briefAction)).toEqual([
      'RAISE gate-P1-E1 FAULT CRITICAL @0s notify',
      'RAISE gate-P1-E1 OFFLINE CRITICAL @15s notify',
      'RESOLVE gate-P1-E1 OFFLINE CRITICAL @30s notify',
      'REOCCUR gate-P1-E1 FAULT CRITICAL @30s notify',
    ]);
    expect(w.engine.openFor(GATE.id, 'FAULT')?.occurrences).toBe(2);
  });

  it('repeated FAULT heartbeats are one state and one alert (no duplicates)', () => {
    const w = new World([GATE]);
    w.keepAlive([GATE.id], 120, 5, 'FAULT');
    expect(w.transitions).toHaveLength(1);
    expect(w.actions.filter((a) => a.type === 'RAISE')).toHaveLength(1);
  });
});
