import { GATE, World, brief, briefAction } from './fixtures';

describe('scenario: transport lost, DISCONNECT_GRACE_S = 10', () => {
  it('disconnect and reconnect inside the grace: no OFFLINE, no alert', () => {
    const w = new World();
    w.keepAlive([GATE.id], 5); // heartbeats at 0 and 5 s
    w.runUntil(6);
    w.disconnect(GATE.id);
    w.runUntil(9);
    w.connect(GATE.id);
    w.keepAlive([GATE.id], 120);
    expect(w.transitionsOf(GATE.id).map(brief)).toEqual(['gate-P1-E1 UNKNOWN->ONLINE RECOVERED @0s']);
    expect(w.actions).toEqual([]);
  });

  it('a heartbeat on the new session is proof enough, even before connected() is reported', () => {
    const w = new World();
    w.heartbeat(GATE.id);
    w.runUntil(3);
    w.disconnect(GATE.id);
    w.runUntil(8);
    w.keepAlive([GATE.id], 60);
    expect(w.transitionsOf(GATE.id)).toHaveLength(1);
  });

  it('not back within the grace: OFFLINE with reason DISCONNECTED at disconnect + 10 s', () => {
    const w = new World();
    w.keepAlive([GATE.id], 5);
    w.runUntil(6);
    w.disconnect(GATE.id);
    w.runUntil(15.999);
    expect(w.state(GATE.id)).toBe('ONLINE');
    w.runUntil(60);
    expect(w.transitionsOf(GATE.id).map(brief)).toEqual([
      'gate-P1-E1 UNKNOWN->ONLINE RECOVERED @0s',
      'gate-P1-E1 ONLINE->OFFLINE DISCONNECTED @16s',
    ]);
    expect(w.actions.map(briefAction)).toEqual(['RAISE gate-P1-E1 OFFLINE CRITICAL @16s notify']);
    expect(w.actions[0].alert.reason).toBe('DISCONNECTED');
  });

  it('back in time but silent: the heartbeat deadline still applies (the transport is not liveness)', () => {
    const w = new World();
    w.heartbeat(GATE.id);
    w.runUntil(2);
    w.disconnect(GATE.id);
    w.runUntil(4);
    w.connect(GATE.id);
    w.runUntil(30);
    expect(w.transitionsOf(GATE.id).map(brief)).toEqual([
      'gate-P1-E1 UNKNOWN->ONLINE RECOVERED @0s',
      'gate-P1-E1 ONLINE->OFFLINE HEARTBEAT_MISSED @15s',
    ]);
  });

  it('silence that ends before the grace does: HEARTBEAT_MISSED wins, once', () => {
    const w = new World();
    w.heartbeat(GATE.id);
    w.runUntil(12);
    w.disconnect(GATE.id); // grace would end at 22 s, the window ends at 15 s
    w.runUntil(60);
    expect(w.transitionsOf(GATE.id).map(brief)).toEqual([
      'gate-P1-E1 UNKNOWN->ONLINE RECOVERED @0s',
      'gate-P1-E1 ONLINE->OFFLINE HEARTBEAT_MISSED @15s',
    ]);
    expect(w.actions).toHaveLength(1);
  });

  it('a reconnect to an OFFLINE device is not a recovery; its first heartbeat is', () => {
    const w = new World();
    w.heartbeat(GATE.id);
    w.disconnect(GATE.id);
    w.runUntil(30);
    w.connect(GATE.id);
    expect(w.state(GATE.id)).toBe('OFFLINE');
    w.runUntil(31);
    w.heartbeat(GATE.id);
    expect(w.transitionsOf(GATE.id).map(brief)).toEqual([
      'gate-P1-E1 UNKNOWN->ONLINE RECOVERED @0s',
      'gate-P1-E1 ONLINE->OFFLINE DISCONNECTED @10s',
      'gate-P1-E1 OFFLINE->ONLINE RECOVERED @31s',
    ]);
    expect(w.actions.map(briefAction)).toEqual([
      'RAISE gate-P1-E1 OFFLINE CRITICAL @10s notify',
      'RESOLVE gate-P1-E1 OFFLINE CRITICAL @31s notify',
    ]);
  });
});
