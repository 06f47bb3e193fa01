import { ParkingSessions } from '../sessions';
import { ENTRY_1, EXIT_1, EXIT_2, plateRead, sec } from './fixtures';

describe('scenario: an exit with no entry is recorded as an exception', () => {
  it('a confident exit read for a plate with no open session: EXCEPTION EXIT_WITHOUT_ENTRY, with the read', () => {
    const p = new ParkingSessions();
    const out = p.read({ ...plateRead(EXIT_1, '56다7890', 0.96, 10), deviceId: 'lpr-P1-X1', readId: 'ev-42' });
    expect(out).toEqual([
      { type: 'EXCEPTION', kind: 'EXIT_WITHOUT_ENTRY', plate: '56다7890', rawPlate: '56다7890', laneId: 'P1-X1', deviceId: 'lpr-P1-X1', readId: 'ev-42', at: sec(10) },
    ]);
    expect(p.openSessions()).toEqual([]);
  });

  it('the entry of another plate is not borrowed (no fuzzy matching): one character off is an exception', () => {
    const p = new ParkingSessions();
    p.read(plateRead(ENTRY_1, '12가3456', 0.95, 0));
    expect(p.read(plateRead(EXIT_1, '12가3458', 0.95, 60))).toMatchObject([{ type: 'EXCEPTION', kind: 'EXIT_WITHOUT_ENTRY' }]);
    expect(p.openSessionOf('12가3456')).toBeDefined();
  });

  it('a second exit read of an already closed session at another lane is an exception too', () => {
    const p = new ParkingSessions();
    p.read(plateRead(ENTRY_1, '12가3456', 0.95, 0));
    p.read(plateRead(EXIT_1, '12가3456', 0.95, 60));
    expect(p.read(plateRead(EXIT_2, '12가3456', 0.95, 65))).toMatchObject([{ type: 'EXCEPTION', kind: 'EXIT_WITHOUT_ENTRY' }]);
  });
});
