/**
 * Property tests of parking sessions: random plate reads (a few plates written several ways, entry
 * and exit lanes, confidences around the threshold, repeats). Checked: one open session per plate,
 * the events alone reproduce the open sessions, a low-confidence read never ends a session, exits
 * close only the session of the exact (normalized) plate, durations are whole non-negative seconds.
 */
import fc from 'fast-check';
import { normalizePlate } from '../plate';
import { ParkingSessions, type ParkingSession, type PlateRead } from '../sessions';
import { ENTRY_1, ENTRY_2, EXIT_1, EXIT_2, T0, type LaneFixture } from './fixtures';

const PLATES = ['12가3456', '12가 3456', '34나5678', 'ab12', 'AB 12'];
const LANES: readonly LaneFixture[] = [ENTRY_1, ENTRY_2, EXIT_1, EXIT_2];

const readArb = fc.record({
  plate: fc.constantFrom(...PLATES),
  lane: fc.integer({ min: 0, max: LANES.length - 1 }),
  confidence: fc.constantFrom(0.3, 0.79, 0.8, 0.95, 1),
  dt: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 40_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 3_600_000 }) }),
});

function run(reads: ReadonlyArray<{ plate: string; lane: number; confidence: number; dt: number }>): void {
  const p = new ParkingSessions();
  const mirror = new Map<string, ParkingSession>(); // open sessions as the events tell them
  let now = T0;
  for (const r of reads) {
    now += r.dt;
    const read: PlateRead = { ...LANES[r.lane], plate: r.plate, confidence: r.confidence, at: now };
    const plate = normalizePlate(r.plate);
    const openBefore = mirror.get(plate);
    const confident = r.confidence >= 0.8;
    const events = p.read(read);
    const ctx = (): string => JSON.stringify({ read, events });
    const check = (actual: unknown, expected: unknown): void => {
      if (JSON.stringify(actual) !== JSON.stringify(expected)) expect([ctx(), actual]).toEqual([ctx(), expected]);
    };
    for (const e of events) {
      switch (e.type) {
        case 'SESSION_OPENED':
          check([read.laneKind, e.session.plate, e.session.review], ['PARK_ENTRY', plate, !confident]);
          check(mirror.has(plate), false);
          mirror.set(plate, e.session);
          break;
        case 'SESSION_CLOSED':
          check([read.laneKind, confident, e.session.plate], ['PARK_EXIT', true, plate]);
          check(mirror.get(plate)?.id, e.session.id);
          check(e.durationS, Math.floor((now - e.session.entryAt) / 1000));
          mirror.delete(plate);
          break;
        case 'EXCEPTION':
          check(confident, true);
          if (e.kind === 'DUPLICATE_ENTRY') {
            check(e.session?.id, openBefore?.id);
            mirror.delete(plate);
          } else {
            check([read.laneKind, openBefore === undefined], ['PARK_EXIT', true]);
          }
          break;
        case 'READ_FLAGGED':
          check(confident, false);
          if (e.candidateSessionId !== undefined) check(e.candidateSessionId, openBefore?.id);
          break;
      }
    }
    // A low-confidence read never ends a session.
    if (!confident && openBefore) check(mirror.get(plate)?.id, openBefore.id);
    const open = p.openSessions();
    check(new Set(open.map((s) => s.plate)).size, open.length);
    check([...open].sort((a, b) => a.id.localeCompare(b.id)), [...mirror.values()].sort((a, b) => a.id.localeCompare(b.id)));
  }
}

describe('properties of parking sessions', () => {
  it('one open session per plate, events are lossless, low-confidence reads never match', () => {
    fc.assert(
      fc.property(fc.array(readArb, { minLength: 1, maxLength: 80, size: 'max' }), (reads) => run(reads)),
      { numRuns: 500 },
    );
  });
});
