import { ParkingSessions } from '../sessions';
import { ENTRY_1, ENTRY_2, EXIT_1, plateRead, sec } from './fixtures';

describe('scenario: low-confidence plate reads are flagged for review, never silently matched', () => {
  it('a low-confidence exit does not close the open session: it is flagged, naming the candidate', () => {
    const p = new ParkingSessions();
    p.read(plateRead(ENTRY_1, '12가3456', 0.95, 0));
    const out = p.read(plateRead(EXIT_1, '12가3456', 0.62, 600));
    expect(out).toEqual([
      {
        type: 'READ_FLAGGED',
        reason: 'LOW_CONFIDENCE',
        direction: 'EXIT',
        plate: '12가3456',
        rawPlate: '12가3456',
        confidence: 0.62,
        laneId: 'P1-X1',
        candidateSessionId: 'ps-1',
        at: sec(600),
      },
    ]);
    expect(p.openSessionOf('12가3456')?.id).toBe('ps-1');
    // A confident read a moment later closes it normally.
    expect(p.read(plateRead(EXIT_1, '12가3456', 0.93, 601))).toMatchObject([{ type: 'SESSION_CLOSED', durationS: 601 }]);
  });

  it('a low-confidence exit with no open session is flagged, not an EXIT_WITHOUT_ENTRY exception', () => {
    const p = new ParkingSessions();
    expect(p.read(plateRead(EXIT_1, '99다9999', 0.4, 0))).toMatchObject([{ type: 'READ_FLAGGED', direction: 'EXIT' }]);
    expect(p.read(plateRead(EXIT_1, '99다9999', 0.4, 0))[0]).not.toHaveProperty('candidateSessionId');
  });

  it('a low-confidence entry opens a session marked for review, and flags the read naming it', () => {
    const p = new ParkingSessions();
    const out = p.read(plateRead(ENTRY_1, '12가3456', 0.55, 0));
    expect(out).toMatchObject([
      { type: 'SESSION_OPENED', session: { id: 'ps-1', review: true, confidence: 0.55 } },
      { type: 'READ_FLAGGED', reason: 'LOW_CONFIDENCE', direction: 'ENTRY', sessionId: 'ps-1' },
    ]);
    // The exit matches it only by the exact plate, and the close carries the review mark.
    expect(p.read(plateRead(EXIT_1, '12가3456', 0.95, 60))).toMatchObject([{ type: 'SESSION_CLOSED', review: true, durationS: 60 }]);
  });

  it('a low-confidence entry for a plate that already has an open session neither closes it nor opens a second', () => {
    const p = new ParkingSessions();
    p.read(plateRead(ENTRY_1, '12가3456', 0.95, 0));
    const out = p.read(plateRead(ENTRY_2, '12가3456', 0.3, 100));
    expect(out).toMatchObject([{ type: 'READ_FLAGGED', direction: 'ENTRY', candidateSessionId: 'ps-1' }]);
    expect(out[0]).not.toHaveProperty('sessionId');
    expect(p.openSessions()).toHaveLength(1);
  });

  it('the threshold is configurable; exactly at the threshold is confident', () => {
    const p = new ParkingSessions({ minConfidence: 0.6 });
    expect(p.read(plateRead(ENTRY_1, 'AAA111', 0.6, 0))).toMatchObject([{ type: 'SESSION_OPENED', session: { review: false } }]);
    expect(p.read(plateRead(ENTRY_1, 'BBB222', 0.59, 0))).toMatchObject([{ type: 'SESSION_OPENED', session: { review: true } }, { type: 'READ_FLAGGED' }]);
    expect(new ParkingSessions().isConfident(0.8)).toBe(true);
    expect(new ParkingSessions().isConfident(Number.NaN)).toBe(false);
    expect(() => new ParkingSessions({ minConfidence: 1.5 })).toThrow(RangeError);
  });

  it('a plate that normalizes to nothing is flagged UNREADABLE_PLATE, whatever its confidence', () => {
    const p = new ParkingSessions();
    expect(p.read(plateRead(ENTRY_1, ' - ', 0.99, 0))).toMatchObject([{ type: 'READ_FLAGGED', reason: 'UNREADABLE_PLATE', plate: '' }]);
    expect(p.read(plateRead(EXIT_1, '', 0.99, 0))).toMatchObject([{ type: 'READ_FLAGGED', reason: 'UNREADABLE_PLATE', direction: 'EXIT' }]);
    expect(p.openSessions()).toEqual([]);
  });
});
