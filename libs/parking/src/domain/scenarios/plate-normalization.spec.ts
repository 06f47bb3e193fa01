import { normalizePlate } from '../plate';
import { ParkingSessions } from '../sessions';
import { ENTRY_1, EXIT_1, plateRead } from './fixtures';

describe('scenario: plates are normalized before they are matched', () => {
  it.each([
    ['  12가3456  ', '12가3456'], // trimmed
    ['12가 3456', '12가3456'], // inner spaces
    ['12-가-3456', '12가3456'], // separators
    ['ab123cd', 'AB123CD'], // latin uppercased
    ['AB·123', 'AB123'],
    ['ＡＢ１２３', 'AB123'], // full-width forms
    ['서울12가3456', '서울12가3456'], // Hangul kept
    ['\u1100\u1161', '가'], // decomposed jamo composed (NFC)
  ])('%j -> %j', (raw, normalized) => {
    expect(normalizePlate(raw)).toBe(normalized);
  });

  it('an entry read one way and an exit read another way match', () => {
    const p = new ParkingSessions();
    p.read(plateRead(ENTRY_1, ' 12가 3456', 0.9, 0));
    const out = p.read(plateRead(EXIT_1, '12가3456 ', 0.9, 60));
    expect(out).toMatchObject([{ type: 'SESSION_CLOSED', session: { plate: '12가3456', rawPlate: ' 12가 3456' }, durationS: 60 }]);
  });

  it('lower- and upper-case latin plates match', () => {
    const p = new ParkingSessions();
    p.read(plateRead(ENTRY_1, 'dip 001', 0.9, 0));
    expect(p.read(plateRead(EXIT_1, 'DIP001', 0.9, 60))).toMatchObject([{ type: 'SESSION_CLOSED' }]);
  });
});
