import { AlertLifecycleError } from '../alert';
import { GATE, KIOSK, World, briefAction, sec } from './fixtures';

describe('scenario: OPEN -> ACKNOWLEDGED (operator, note) -> RESOLVED', () => {
  function offlineGate(): { w: World; alertId: string } {
    const w = new World([GATE, KIOSK]);
    w.heartbeat(GATE.id);
    w.runUntil(60);
    return { w, alertId: w.engine.openFor(GATE.id, 'OFFLINE')!.id };
  }

  it('acknowledge records who and why; recovery then resolves it', () => {
    const { w, alertId } = offlineGate();
    const [ack] = w.acknowledge(alertId, 'op-ana', 'barrier arm replaced, rebooting');
    expect(ack).toMatchObject({ type: 'ACKNOWLEDGE', notify: true, at: sec(60) });
    expect(ack.alert).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedBy: 'op-ana', acknowledgedAt: sec(60), note: 'barrier arm replaced, rebooting' });

    w.runUntil(90);
    w.heartbeat(GATE.id);
    const resolved = w.actions.at(-1)!;
    expect(briefAction(resolved)).toBe('RESOLVE gate-P1-E1 OFFLINE CRITICAL @90s notify');
    expect(resolved.alert).toMatchObject({ status: 'RESOLVED', resolution: 'RECOVERED', acknowledgedBy: 'op-ana' });
  });

  it('acknowledging twice, or after resolution, is refused with a code the adapter maps to 409/404', () => {
    const { w, alertId } = offlineGate();
    w.acknowledge(alertId, 'op-ana', 'on it');
    expect(() => w.acknowledge(alertId, 'op-bo', 'me too')).toThrow(expect.objectContaining({ code: 'ALREADY_ACKNOWLEDGED' }));
    w.resolve(alertId, 'admin-kim');
    expect(() => w.acknowledge(alertId, 'op-bo', 'late')).toThrow(AlertLifecycleError);
    expect(() => w.resolve(alertId, 'admin-kim')).toThrow(expect.objectContaining({ code: 'NOT_OPEN' }));
  });

  it('an admin may resolve; the next failure after a recovery is a new alert with a new id', () => {
    const { w, alertId } = offlineGate();
    const [resolved] = w.resolve(alertId, 'admin-kim');
    expect(resolved.alert).toMatchObject({ status: 'RESOLVED', resolution: 'ADMIN', resolvedBy: 'admin-kim', resolvedAt: sec(60) });
    expect(w.engine.openAlerts()).toEqual([]);

    w.heartbeat(GATE.id); // back at 60 s, silent again -> OFFLINE at 75 s
    w.runUntil(100);
    const raised = w.actions.filter((a) => a.type === 'RAISE');
    expect(raised).toHaveLength(2);
    expect(raised[1].alert.id).not.toBe(alertId);
  });

  it('one open alert per (device, kind): a repeat raise re-occurs on the same alert', () => {
    const w = new World([KIOSK]);
    w.raise(KIOSK.id, 'NO_STANDBY', 'no healthy member in group T1-pay');
    w.runUntil(30);
    w.raise(KIOSK.id, 'NO_STANDBY', 'still none');
    expect(w.actions.map(briefAction)).toEqual(['RAISE kiosk-T1-1 NO_STANDBY CRITICAL @0s notify', 'REOCCUR kiosk-T1-1 NO_STANDBY CRITICAL @30s notify']);
    expect(w.engine.openAlerts()).toEqual([expect.objectContaining({ occurrences: 2, detail: 'still none', lastOccurredAt: sec(30), openedAt: sec(0) })]);
  });
});
