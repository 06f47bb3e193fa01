import { ParkingSessions, type SessionEvent } from '../sessions';
import { ENTRY_1, ENTRY_2, EXIT_1, EXIT_2, TAXI_LOT, plateRead, sec } from './fixtures';

const types = (events: readonly SessionEvent[]): string[] =>
  events.map((e) => (e.type === 'EXCEPTION' ? `EXCEPTION ${e.kind}` : e.type === 'READ_FLAGGED' ? `READ_FLAGGED ${e.reason}` : e.type));

describe('scenario: parking sessions from exact plate reads', () => {
  it('an entry read opens a session; the exit read of the same plate closes it with its duration', () => {
    const p = new ParkingSessions();
    const [opened] = p.read(plateRead(ENTRY_1, '12가3456', 0.97, 0));
    expect(opened).toEqual({
      type: 'SESSION_OPENED',
      session: { id: 'ps-1', plate: '12가3456', rawPlate: '12가3456', entryAt: sec(0), entryLaneId: 'P1-E1', confidence: 0.97, review: false },
      at: sec(0),
    });
    expect(p.openSessionOf('12가3456')?.id).toBe('ps-1');

    const closed = p.read(plateRead(EXIT_2, '12가3456', 0.91, 2 * 3600 + 15.7));
    expect(closed).toEqual([
      {
        type: 'SESSION_CLOSED',
        session: expect.objectContaining({ id: 'ps-1', entryAt: sec(0) }) as unknown,
        exitAt: sec(7215.7),
        exitLaneId: 'P1-X2',
        durationS: 7215,
        review: false,
        closedBy: 'EXIT_READ',
        exitConfidence: 0.91,
        at: sec(7215.7),
      },
    ]);
    expect(p.openSessions()).toEqual([]);
  });

  it('sessions of different plates are independent', () => {
    const p = new ParkingSessions();
    p.read(plateRead(ENTRY_1, '12가3456', 0.95, 0));
    p.read(plateRead(ENTRY_2, '34나5678', 0.95, 10));
    const out = p.read(plateRead(EXIT_1, '34나5678', 0.95, 70));
    expect(out).toMatchObject([{ type: 'SESSION_CLOSED', session: { plate: '34나5678' }, durationS: 60 }]);
    expect(p.openSessions().map((s) => s.plate)).toEqual(['12가3456']);
  });

  it('the same passage read twice (same plate, same lane, within 30 s) is one entry, one exit', () => {
    const p = new ParkingSessions();
    p.read(plateRead(ENTRY_1, '12가3456', 0.95, 0));
    expect(p.read(plateRead(ENTRY_1, '12가3456', 0.99, 2))).toEqual([]);
    expect(p.read(plateRead(ENTRY_1, '12가3456', 0.5, 3))).toEqual([]); // a poorer frame of the same car: not even flagged
    p.read(plateRead(EXIT_1, '12가3456', 0.95, 600));
    expect(p.read(plateRead(EXIT_1, '12가3456', 0.95, 601))).toEqual([]);
    // Outside the window, or at another lane, it is a new passage.
    expect(types(p.read(plateRead(EXIT_1, '12가3456', 0.95, 640)))).toEqual(['EXCEPTION EXIT_WITHOUT_ENTRY']);
  });

  it('a second entry while a session is open: the earlier session ends as a DUPLICATE_ENTRY exception, a new one opens', () => {
    const p = new ParkingSessions();
    p.read(plateRead(ENTRY_1, '12가3456', 0.95, 0));
    const out = p.read(plateRead(ENTRY_2, '12가3456', 0.95, 3600)); // its exit was never read
    expect(types(out)).toEqual(['EXCEPTION DUPLICATE_ENTRY', 'SESSION_OPENED']);
    expect(out[0]).toMatchObject({ plate: '12가3456', laneId: 'P1-E2', session: { id: 'ps-1' }, at: sec(3600) });
    expect(p.openSessionOf('12가3456')).toMatchObject({ id: 'ps-2', entryAt: sec(3600) });
  });

  it('reads at lanes that are not parking lanes are ignored', () => {
    const p = new ParkingSessions();
    expect(p.read(plateRead(TAXI_LOT, '12가3456', 0.99, 0))).toEqual([]);
    expect(p.openSessions()).toEqual([]);
  });

  it('an operator can close a session (e.g. after a flagged exit), which marks it as reviewed', () => {
    const p = new ParkingSessions({ newId: () => 'S' });
    p.read(plateRead(ENTRY_1, '12가3456', 0.95, 0));
    expect(p.closeByOperator('S', sec(90), 'op-kim', 'P1-X1')).toMatchObject({ type: 'SESSION_CLOSED', closedBy: 'OPERATOR', by: 'op-kim', review: true, durationS: 90 });
    expect(() => p.closeByOperator('S', sec(91), 'op-kim')).toThrow('no open parking session S');
  });

  it('restored open sessions (after a restart) are matched by later exits', () => {
    const p = new ParkingSessions();
    p.restore([{ id: 'old-7', plate: '12가 3456', rawPlate: '12가 3456', entryAt: sec(0), entryLaneId: 'P1-E1', confidence: 0.9, review: false }]);
    expect(p.read(plateRead(EXIT_1, '12가3456', 0.9, 30))).toMatchObject([{ type: 'SESSION_CLOSED', session: { id: 'old-7' }, durationS: 30 }]);
  });
});
