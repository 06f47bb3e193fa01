import { GATE, KIOSK, SIGN, World, brief, briefAction, sec } from './fixtures';

describe('scenario: a silent device goes OFFLINE exactly at interval × tolerance', () => {
  it('gate heard at 0 s and then silent: OFFLINE at 15 s (5 s × 3), one CRITICAL alert, notified', () => {
    const w = new World();
    w.heartbeat(GATE.id);
    expect(w.tracker.next()).toBe(sec(15));

    w.runUntil(14.999);
    expect(w.state(GATE.id)).toBe('ONLINE');

    w.runUntil(60);
    expect(w.transitionsOf(GATE.id).map(brief)).toEqual([
      'gate-P1-E1 UNKNOWN->ONLINE RECOVERED @0s',
      'gate-P1-E1 ONLINE->OFFLINE HEARTBEAT_MISSED @15s',
    ]);
    expect(w.actions.map(briefAction)).toEqual(['RAISE gate-P1-E1 OFFLINE CRITICAL @15s notify']);
    expect(w.actions[0].alert).toMatchObject({ status: 'OPEN', occurrences: 1, reason: 'HEARTBEAT_MISSED', suppressed: false });
  });

  it('the deadline follows the last heartbeat, not the first', () => {
    const w = new World();
    w.keepAlive([GATE.id], 40); // heartbeats at 0, 5, ..., 40
    w.runUntil(100);
    expect(w.transitionsOf(GATE.id).map(brief)).toEqual([
      'gate-P1-E1 UNKNOWN->ONLINE RECOVERED @0s',
      'gate-P1-E1 ONLINE->OFFLINE HEARTBEAT_MISSED @55s',
    ]);
  });

  it('per-device interval and tolerance: a sign at 10 s × 2 goes OFFLINE at 20 s, as a MINOR alert', () => {
    const w = new World();
    w.heartbeat(SIGN.id);
    w.runUntil(19.999);
    expect(w.state(SIGN.id)).toBe('ONLINE');
    w.runUntil(30);
    expect(w.transitionsOf(SIGN.id).at(-1)?.at).toBe(sec(20));
    expect(w.actions.map(briefAction)).toEqual(['RAISE sign-P1-L2 OFFLINE MINOR @20s notify']);
  });

  it('a late timer changes nothing: the transition is stamped with the instant it became true', () => {
    const w = new World();
    w.heartbeat(KIOSK.id);
    w.now = sec(42); // the adapter's timer fires 27 s late
    w.feed(w.tracker.tick(w.now));
    expect(w.transitionsOf(KIOSK.id).at(-1)).toMatchObject({ to: 'OFFLINE', at: sec(15) });
  });

  it('a late timer is not needed either: the next input processes deadlines that fell due before it', () => {
    const w = new World();
    w.heartbeat(GATE.id);
    w.heartbeat(KIOSK.id);
    w.now = sec(20);
    w.heartbeat(KIOSK.id); // no tick between 0 and 20 s: the gate's deadline is processed first
    expect(w.transitions.map(brief)).toEqual([
      'gate-P1-E1 UNKNOWN->ONLINE RECOVERED @0s',
      'kiosk-T1-1 UNKNOWN->ONLINE RECOVERED @0s',
      'gate-P1-E1 ONLINE->OFFLINE HEARTBEAT_MISSED @15s',
      'kiosk-T1-1 ONLINE->OFFLINE HEARTBEAT_MISSED @15s',
      'kiosk-T1-1 OFFLINE->ONLINE RECOVERED @20s',
    ]);
  });

  it('an open transport without heartbeats is not online: connected alone stays UNKNOWN, then OFFLINE', () => {
    const w = new World();
    w.connect(GATE.id);
    w.runUntil(14.9);
    expect(w.state(GATE.id)).toBe('UNKNOWN');
    w.runUntil(30);
    expect(w.transitionsOf(GATE.id).map(brief)).toEqual(['gate-P1-E1 UNKNOWN->OFFLINE HEARTBEAT_MISSED @15s']);
    expect(w.actions.map(briefAction)).toEqual(['RAISE gate-P1-E1 OFFLINE CRITICAL @15s notify']);
  });

  it('a registered device nobody has heard from stays UNKNOWN and raises nothing', () => {
    const w = new World();
    w.runUntil(3600);
    expect(w.events).toEqual([]);
    expect(w.actions).toEqual([]);
    expect(w.tracker.next()).toBeUndefined();
  });

  it('a steady device raises nothing and the tracker keeps one deadline per device', () => {
    const w = new World();
    const ids = [GATE.id, KIOSK.id];
    w.keepAlive(ids, 600);
    expect(w.transitions.map(brief)).toEqual([
      'gate-P1-E1 UNKNOWN->ONLINE RECOVERED @0s',
      'kiosk-T1-1 UNKNOWN->ONLINE RECOVERED @0s',
    ]);
    expect(w.actions).toEqual([]);
  });
});
