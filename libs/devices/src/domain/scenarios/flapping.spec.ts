import type { HeartbeatStatus } from '../health-state';
import { GATE, World, brief, briefAction, sec } from './fixtures';

/** The gate alternates OK / FAULT on every heartbeat (every 5 s) from 0 s up to `untilS`. */
function flap(w: World, untilS: number, last: HeartbeatStatus = 'OK'): void {
  for (let t = 0; t <= untilS; t += 5) {
    w.runUntil(t);
    w.heartbeat(GATE.id, t === untilS ? last : (t / 5) % 2 === 0 ? 'OK' : 'FAULT');
  }
}

describe('scenario: flapping (more than 4 changes in 60 s) is one FLAPPING alert', () => {
  it('the 5th change within 60 s starts the episode; FAULTs during it fold into one FLAPPING alert', () => {
    const w = new World();
    flap(w, 100); // changes at 0, 5, 10, ..., 100 s
    const gate = w.transitionsOf(GATE.id);
    expect(gate.slice(0, 5).map(brief)).toEqual([
      'gate-P1-E1 UNKNOWN->ONLINE RECOVERED @0s',
      'gate-P1-E1 ONLINE->FAULT REPORTED_FAULT @5s',
      'gate-P1-E1 FAULT->ONLINE RECOVERED @10s',
      'gate-P1-E1 ONLINE->FAULT REPORTED_FAULT @15s',
      'gate-P1-E1 FAULT->ONLINE RECOVERED @20s flapping',
    ]);
    expect(gate.slice(4).every((t) => t.flapping)).toBe(true);
    expect(w.signals).toEqual([{ type: 'FLAPPING_STARTED', deviceId: GATE.id, at: sec(20), state: 'ONLINE' }]);

    // Before the episode is recognised the two FAULTs are ordinary alerts; after it, none.
    const raised = w.actions.filter((a) => a.type === 'RAISE').map(briefAction);
    expect(raised).toEqual([
      'RAISE gate-P1-E1 FAULT CRITICAL @5s notify',
      'RAISE gate-P1-E1 FAULT CRITICAL @15s notify',
      'RAISE gate-P1-E1 FLAPPING MAJOR @20s notify',
    ]);
    const flapping = w.engine.openFor(GATE.id, 'FLAPPING');
    expect(flapping).toMatchObject({ status: 'OPEN', occurrences: 9 }); // the raise + 8 folded FAULTs (25..95 s)
    expect(w.notified.filter((a) => a.at > sec(20)).map(briefAction)).toEqual([]);
  });

  it('60 s without a change ends the episode: FLAPPING resolved as STABLE, nothing else if it settled ONLINE', () => {
    const w = new World();
    flap(w, 100, 'OK');
    w.keepAlive([GATE.id], 300);
    expect(w.signals.map((s) => `${s.type} @${(s.at - sec(0)) / 1000}s ${s.state}`)).toEqual([
      'FLAPPING_STARTED @20s ONLINE',
      'FLAPPING_ENDED @160s ONLINE',
    ]);
    const resolved = w.actionsOf(GATE.id, 'FLAPPING').at(-1);
    expect(resolved).toMatchObject({ type: 'RESOLVE', notify: true, at: sec(160) });
    expect(resolved?.alert.resolution).toBe('STABLE');
    expect(w.engine.openAlerts()).toEqual([]);
  });

  it('settling on FAULT: the episode ends and the fault it hid becomes its own alert', () => {
    const w = new World();
    flap(w, 95, 'FAULT'); // last change at 95 s, to FAULT; FAULT from then on
    w.keepAlive([GATE.id], 300, 5, 'FAULT');
    const after = w.actions.filter((a) => a.at > sec(95)).map(briefAction);
    expect(after).toEqual(['RESOLVE gate-P1-E1 FLAPPING MAJOR @155s notify', 'RAISE gate-P1-E1 FAULT CRITICAL @155s notify']);
    expect(w.state(GATE.id)).toBe('FAULT');
  });

  it('four changes in 60 s are not flapping', () => {
    const w = new World();
    flap(w, 15, 'FAULT'); // 4 changes: 0, 5, 10, 15 s
    w.keepAlive([GATE.id], 120, 5, 'FAULT');
    expect(w.transitionsOf(GATE.id).every((t) => !t.flapping)).toBe(true);
    expect(w.signals).toEqual([]);
  });

  it('an episode that ends OFFLINE (device flapped then died) raises OFFLINE at the end of the episode', () => {
    const w = new World();
    flap(w, 40, 'OK'); // flapping from 20 s, last change 40 s; silent afterwards -> OFFLINE at 55 s (folded)
    w.runUntil(400);
    expect(w.transitionsOf(GATE.id).at(-1)).toMatchObject({ to: 'OFFLINE', at: sec(55), flapping: true });
    const tail = w.actions.filter((a) => a.at >= sec(55)).map(briefAction);
    expect(tail).toEqual([
      'REOCCUR gate-P1-E1 FLAPPING MAJOR @55s',
      'RESOLVE gate-P1-E1 FLAPPING MAJOR @115s notify',
      'RAISE gate-P1-E1 OFFLINE CRITICAL @115s notify',
    ]);
  });
});
