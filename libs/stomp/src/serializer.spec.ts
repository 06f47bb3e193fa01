import { StompFrame } from './frame';
import { HEARTBEAT_EOL, serializeFrame } from './serializer';

const wire = (f: StompFrame, version?: '1.0' | '1.1' | '1.2'): string => serializeFrame(f, version).toString('latin1');

describe('serializeFrame', () => {
  it('writes command, headers in order, blank line, body and NUL', () => {
    const f = new StompFrame('MESSAGE', [['destination', '/topic/a'], ['message-id', '1'], ['content-length', '2']], Buffer.from('hi'));
    expect(wire(f)).toBe('MESSAGE\ndestination:/topic/a\nmessage-id:1\ncontent-length:2\n\nhi\0');
  });

  it('adds content-length (in bytes) to a non-empty body that has none', () => {
    const f = new StompFrame('MESSAGE', [['destination', '/a']], Buffer.from('가', 'utf8'));
    expect(serializeFrame(f).toString('utf8')).toBe('MESSAGE\ndestination:/a\ncontent-length:3\n\n가\0');
  });

  it('adds no content-length to an empty body', () => {
    expect(wire(new StompFrame('RECEIPT', [['receipt-id', 'r1']]))).toBe('RECEIPT\nreceipt-id:r1\n\n\0');
  });

  it('keeps a caller-supplied content-length', () => {
    const f = new StompFrame('MESSAGE', [['content-length', '3']], Buffer.from('abc'));
    expect(wire(f)).toBe('MESSAGE\ncontent-length:3\n\nabc\0');
  });

  it('writes binary bodies untouched, NUL bytes included', () => {
    const body = Buffer.from([0, 1, 0xff, 0x0a, 0]);
    const out = serializeFrame(new StompFrame('MESSAGE', [], body));
    expect(out.subarray(out.length - 6)).toEqual(Buffer.concat([body, Buffer.from([0])]));
    expect(out.toString('latin1').startsWith('MESSAGE\ncontent-length:5\n\n')).toBe(true);
  });

  it('escapes \\ LF CR : in 1.2 (the default), names and values', () => {
    const f = new StompFrame('MESSAGE', [['a:b\\', 'x\ny\rz:\\']]);
    expect(wire(f)).toBe('MESSAGE\na\\cb\\\\:x\\ny\\rz\\c\\\\\n\n\0');
    expect(wire(f, '1.2')).toBe(wire(f));
  });

  it('escapes \\ LF : in 1.1 and refuses a CR it cannot carry', () => {
    expect(wire(new StompFrame('MESSAGE', [['a:b', 'x\ny\\']]), '1.1')).toBe('MESSAGE\na\\cb:x\\ny\\\\\n\n\0');
    expect(() => serializeFrame(new StompFrame('MESSAGE', [['h', 'a\rb']]), '1.1')).toThrow(RangeError);
  });

  it('escapes nothing in 1.0 and refuses what would break a line', () => {
    expect(wire(new StompFrame('MESSAGE', [['h', 'a:b\\n']]), '1.0')).toBe('MESSAGE\nh:a:b\\n\n\n\0');
    expect(() => serializeFrame(new StompFrame('MESSAGE', [['h', 'a\nb']]), '1.0')).toThrow(RangeError);
    expect(() => serializeFrame(new StompFrame('MESSAGE', [['h', 'a\rb']]), '1.0')).toThrow(RangeError);
    expect(() => serializeFrame(new StompFrame('MESSAGE', [['h:x', 'v']]), '1.0')).toThrow(RangeError);
  });

  it.each(['CONNECT', 'STOMP', 'CONNECTED'] as const)('never escapes %s', (command) => {
    expect(wire(new StompFrame(command, [['passcode', 'a:b\\c']]), '1.2')).toBe(`${command}\npasscode:a:b\\c\n\n\0`);
    expect(() => serializeFrame(new StompFrame(command, [['message', 'a\nb']]))).toThrow(RangeError);
  });

  it('refuses an empty header name', () => {
    expect(() => serializeFrame(new StompFrame('MESSAGE', [['', 'v']]))).toThrow(RangeError);
  });

  it('keeps spaces and repeated headers as given', () => {
    expect(wire(new StompFrame('MESSAGE', [[' a ', ' b '], ['a', '1'], ['a', '2']]))).toBe('MESSAGE\n a : b \na:1\na:2\n\n\0');
  });
});

describe('HEARTBEAT_EOL', () => {
  it('is a single LF', () => {
    expect([...HEARTBEAT_EOL]).toEqual([0x0a]);
  });
});
