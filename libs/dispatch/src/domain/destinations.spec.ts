import { DestinationTable, destinationKey } from './destinations';
import { DispatchError } from './errors';

describe('DestinationTable', () => {
  const table = new DestinationTable([
    { destination: 'Seoul Station', region: 'seoul' },
    { destination: '송도 센트럴파크', region: 'INCHEON', near: false },
    { destination: 'Yeongjong', region: 'INCHEON', near: true },
  ]);

  it('resolves exact names, trimmed, case- and space-insensitively, to the canonical name and region', () => {
    expect(table.resolve('  seoul   station ')).toEqual({ destination: 'Seoul Station', region: 'SEOUL', near: false });
    expect(table.resolve('송도 센트럴파크')).toMatchObject({ region: 'INCHEON' });
    expect(table.resolve('YEONGJONG')).toMatchObject({ near: true });
  });

  it('an unknown destination is a clear domain error (400)', () => {
    expect(() => table.resolve('Seoul')).toThrow(DispatchError);
    try {
      table.resolve('Seoul');
    } catch (e) {
      expect(e).toMatchObject({ reason: 'unknown-destination', code: 'invalid', status: 400, details: { reason: 'unknown-destination', destination: 'Seoul' } });
      expect((e as Error).message).toBe("unknown destination 'Seoul'");
    }
  });

  it('refuses a name listed twice or a row without a region', () => {
    expect(() => new DestinationTable([{ destination: 'A', region: 'X' }, { destination: ' a ', region: 'Y' }])).toThrow(expect.objectContaining({ reason: 'invalid' }));
    expect(() => new DestinationTable([{ destination: 'A', region: ' ' }])).toThrow(expect.objectContaining({ reason: 'invalid' }));
    expect(destinationKey('Ａ')).toBe(destinationKey('Ａ'.normalize('NFC')));
  });
});
