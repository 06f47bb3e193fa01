import { GATE, LANE, LOOP, LPR, World, briefAction, sec } from './fixtures';

describe('scenario: an alert still OPEN after ESCALATE_AFTER_S (300 s) is escalated once', () => {
  it('escalates at notification + 300 s, re-notified, and never again', () => {
    const w = new World([GATE]);
    w.heartbeat(GATE.id);
    w.runUntil(20); // OFFLINE alert at 15 s
    expect(w.engine.next()).toBe(sec(315));
    w.runUntil(314.999);
    expect(w.actions.filter((a) => a.type === 'ESCALATE')).toEqual([]);
    w.runUntil(5000);
    expect(w.actions.filter((a) => a.type === 'ESCALATE').map(briefAction)).toEqual(['ESCALATE gate-P1-E1 OFFLINE CRITICAL @315s notify']);
    expect(w.engine.openFor(GATE.id, 'OFFLINE')).toMatchObject({ status: 'OPEN', escalated: true, escalatedAt: sec(315) });
    expect(w.engine.next()).toBeUndefined();
  });

  it('an acknowledged alert is not escalated', () => {
    const w = new World([GATE]);
    w.heartbeat(GATE.id);
    w.runUntil(100);
    const alert = w.engine.openFor(GATE.id, 'OFFLINE')!;
    w.acknowledge(alert.id, 'op-ana', 'technician on the way');
    w.runUntil(5000);
    expect(w.actions.filter((a) => a.type === 'ESCALATE')).toEqual([]);
  });

  it('a resolved alert is not escalated', () => {
    const w = new World([GATE]);
    w.heartbeat(GATE.id);
    w.runUntil(100);
    w.keepAlive([GATE.id], 600);
    expect(w.actions.filter((a) => a.type === 'ESCALATE')).toEqual([]);
  });

  it('a suppressed alert does not escalate; once unsuppressed its clock starts then', () => {
    const w = new World(LANE);
    w.keepAlive([GATE.id, LPR.id, LOOP.id], 10);
    w.runUntil(12);
    w.heartbeat(LOOP.id);
    w.heartbeat(LPR.id);
    w.runUntil(600); // gate OFFLINE 25 s (escalates 325 s); loop/lpr suppressed from 27 s
    w.heartbeat(GATE.id);
    w.keepAlive([GATE.id, LPR.id], 1500); // lpr back with the gate; loop never: unsuppressed at 615 s
    expect(w.actions.filter((a) => a.type === 'ESCALATE' || a.type === 'UNSUPPRESS').map(briefAction)).toEqual([
      'ESCALATE gate-P1-E1 OFFLINE CRITICAL @325s notify',
      'UNSUPPRESS loop-P1-E1 OFFLINE CRITICAL @615s notify',
      'ESCALATE loop-P1-E1 OFFLINE CRITICAL @915s notify',
    ]);
  });
});
