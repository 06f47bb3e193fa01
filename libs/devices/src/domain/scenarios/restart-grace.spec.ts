import { HealthTracker } from '../health-tracker';
import { AIRPORT, GATE, KIOSK, LOOP, LPR, SIGN, World, brief, briefAction, sec } from './fixtures';

describe('scenario: control-service restart, one tolerance window of grace, no alert storm', () => {
  /** Before the restart at 100 s: the lane and kiosk healthy, the sign already OFFLINE with an open alert. */
  function beforeRestart(): World {
    const w = new World(AIRPORT);
    w.heartbeat(SIGN.id);
    w.keepAlive([GATE.id, LPR.id, LOOP.id, KIOSK.id], 100);
    expect(w.engine.openAlerts().map((a) => `${a.deviceId} ${a.kind}`)).toEqual(['sign-P1-L2 OFFLINE']);
    return w;
  }

  it('all devices start UNKNOWN; those back within the window raise nothing; the one that is not raises one OFFLINE (RESTART_GRACE)', () => {
    const w = beforeRestart();
    const { mark } = w.restart();
    expect(w.events.slice(mark.events)).toEqual([]); // a fresh tracker: already UNKNOWN, nothing to announce
    for (const d of AIRPORT) expect(w.state(d.id)).toBe('UNKNOWN');

    // The lane reconnects over 3..9 s; the kiosk never does; the sign stays dead.
    w.runUntil(103);
    w.heartbeat(GATE.id);
    w.runUntil(106);
    w.heartbeat(LPR.id);
    w.runUntil(109);
    w.heartbeat(LOOP.id);
    w.keepAlive([GATE.id, LPR.id, LOOP.id], 200);

    const after = w.events.slice(mark.events).filter((e) => e.type === 'TRANSITION');
    expect(after.map((t) => (t.type === 'TRANSITION' ? brief(t) : ''))).toEqual([
      'gate-P1-E1 UNKNOWN->ONLINE RECOVERED @103s',
      'lpr-P1-E1 UNKNOWN->ONLINE RECOVERED @106s',
      'loop-P1-E1 UNKNOWN->ONLINE RECOVERED @109s',
      'kiosk-T1-1 UNKNOWN->OFFLINE RESTART_GRACE @115s',
      'sign-P1-L2 UNKNOWN->OFFLINE RESTART_GRACE @120s', // its own window: 10 s × 2
    ]);
    // One alert for the kiosk; the sign's alert carried over from before the restart, not raised again.
    expect(w.actions.slice(mark.actions).map(briefAction)).toEqual(['RAISE kiosk-T1-1 OFFLINE CRITICAL @115s notify']);
    expect(w.engine.openAlerts().map((a) => `${a.deviceId} ${a.kind} x${a.occurrences}`).sort()).toEqual([
      'kiosk-T1-1 OFFLINE x1',
      'sign-P1-L2 OFFLINE x1',
    ]);
  });

  it('a device whose alert was open before the restart resolves it when it comes back', () => {
    const w = beforeRestart();
    const { mark } = w.restart();
    w.runUntil(104);
    w.heartbeat(SIGN.id);
    expect(w.actions.slice(mark.actions).map(briefAction)).toEqual(['RESOLVE sign-P1-L2 OFFLINE MINOR @104s notify']);
  });

  it('escalation of a carried-over alert continues from when it was first notified', () => {
    const w = beforeRestart(); // sign OFFLINE notified at 20 s -> escalation due at 320 s
    w.restart();
    w.runUntil(400);
    expect(w.actions.filter((a) => a.type === 'ESCALATE').map(briefAction)).toEqual(['ESCALATE sign-P1-L2 OFFLINE MINOR @320s notify']);
  });

  it('a fleet of 2,000 devices that all return within the window produces no alert at all', () => {
    const fleet = Array.from({ length: 2000 }, (_, i) => ({ id: `det-${i}`, config: { type: 'VEHICLE_DETECTOR' as const } }));
    const w = new World(fleet);
    w.restart();
    // Reconnect spread over the 15 s window (deterministic spread, not random).
    for (let i = 0; i < fleet.length; i++) {
      w.runUntil((i * 14.9) / fleet.length);
      w.heartbeat(fleet[i].id);
    }
    w.keepAlive(
      fleet.map((d) => d.id),
      60,
    );
    expect(w.actions).toEqual([]);
    expect(w.transitions.every((t) => t.to === 'ONLINE')).toBe(true);
  });

  it('maintenance survives a restart: the device comes back in MAINTENANCE and gets no grace deadline', () => {
    const w = new World([KIOSK]);
    w.setMaintenance(KIOSK.id, true);
    w.runUntil(50);
    const { mark } = w.restart();
    w.runUntil(600);
    expect(w.events.slice(mark.events)).toEqual([
      { type: 'TRANSITION', deviceId: KIOSK.id, from: 'UNKNOWN', to: 'MAINTENANCE', reason: 'MAINTENANCE', at: sec(50), flapping: false },
    ]);
    expect(w.actions.slice(mark.actions)).toEqual([]);
  });

  it('startAfterRestart on a live tracker resets known devices to UNKNOWN with reason RESTART_GRACE', () => {
    const t = new HealthTracker();
    t.register(GATE.id, GATE.config, sec(0));
    t.heartbeat(GATE.id, 'OK', sec(0));
    const out = t.startAfterRestart([GATE.id], sec(5));
    expect(out).toEqual([{ type: 'TRANSITION', deviceId: GATE.id, from: 'ONLINE', to: 'UNKNOWN', reason: 'RESTART_GRACE', at: sec(5), flapping: false }]);
    expect(t.next()).toBe(sec(20));
  });

  it('a FLAPPING alert open at the restart ends with the first transition of the device (the new tracker has no episode)', () => {
    const w = new World([GATE]);
    for (let t = 0; t <= 40; t += 5) {
      w.runUntil(t);
      w.heartbeat(GATE.id, (t / 5) % 2 === 0 ? 'OK' : 'FAULT');
    }
    expect(w.engine.openFor(GATE.id, 'FLAPPING')).toBeDefined();
    w.runUntil(42);
    const { mark } = w.restart();
    w.runUntil(44);
    w.heartbeat(GATE.id);
    expect(w.actions.slice(mark.actions).map(briefAction)).toEqual(['RESOLVE gate-P1-E1 FLAPPING MAJOR @44s notify']);
    expect(w.actions.at(-1)?.alert.resolution).toBe('STABLE');
  });
});
