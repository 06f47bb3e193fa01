/**
 * Property tests of the codec as a whole: whatever frame the serializer writes, the parser reads
 * back the same frame (plus the content-length it adds), however the bytes are chunked; and the
 * parser's verdict on any byte stream does not depend on the chunking.
 */
import fc from 'fast-check';
import { StompError } from './errors';
import { CLIENT_COMMANDS, HeaderList, StompCommand, StompFrame } from './frame';
import { StompParser, StompVersion } from './parser';
import { serializeFrame } from './serializer';

const COMMANDS = CLIENT_COMMANDS.filter((c) => c !== 'CONNECT' && c !== 'STOMP');

/** One code point: often one of the characters that need escaping, otherwise any Unicode. */
const unit = fc.oneof(
  fc.constantFrom(':', '\n', '\r', '\\', 'c', 'n', 'r', ' ', '\0'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const headerName = fc.string({ unit, minLength: 1, maxLength: 12 });
const headerValue = fc.string({ unit, maxLength: 24 });
const headers: fc.Arbitrary<HeaderList> = fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 });
const body = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
const stompFrame = fc
  .tuple(fc.constantFrom<StompCommand>(...COMMANDS), headers, body)
  .map(([command, h, b]) => new StompFrame(command, h, b));
/** Split points for a byte string, applied modulo its length. */
const cuts = fc.array(fc.nat(), { maxLength: 10 });

function chunk(bytes: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of at) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** What the parser should give back for `f`: its headers plus content-length when added. */
function expected(f: StompFrame): { command: string; headers: HeaderList; body: Buffer } {
  const hs: HeaderList = [...f.headers];
  if (f.body.length > 0 && f.header('content-length') === undefined) hs.push(['content-length', String(f.body.length)]);
  return { command: f.command, headers: hs, body: f.body };
}

type Outcome = { events: unknown[]; error?: string };

function parse(chunks: Buffer[], version: StompVersion, maxFrameBytes = 1 << 20): Outcome {
  const events: unknown[] = [];
  const parser = new StompParser({
    maxFrameBytes,
    onFrame: (f) => events.push({ command: f.command, headers: f.headers, body: f.body }),
    onHeartbeat: () => events.push('heartbeat'),
  });
  parser.version = version;
  try {
    for (const c of chunks) parser.push(c);
  } catch (err) {
    if (!(err instanceof StompError)) throw err;
    return { events, error: err.code };
  }
  return { events };
}

describe('codec round trip (property)', () => {
  it('1.2: parse(serialize(frames)) gives the frames back, for any chunking and heart-beats', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(stompFrame, fc.constantFrom('', '\n', '\r\n', '\n\r\n')), { minLength: 1, maxLength: 4 }),
        cuts,
        (items, points) => {
          const bytes = Buffer.concat(items.flatMap(([f, eol]) => [serializeFrame(f), Buffer.from(eol)]));
          const want = items.flatMap(([f, eol]) => [expected(f), ...Array<string>(eol.split('\n').length - 1).fill('heartbeat')]);
          expect(parse(chunk(bytes, points), '1.2')).toEqual({ events: want });
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each(['1.0', '1.1'] as const)('%s: serialize refuses exactly what it cannot carry, and the rest round-trips', (version) => {
    const unrepresentable = ([name, value]: [string, string]): boolean =>
      version === '1.1' ? /\r/.test(name + value) : /[\r\n:]/.test(name) || /[\r\n]/.test(value);
    fc.assert(
      fc.property(stompFrame, cuts, (f, points) => {
        let bytes: Buffer;
        try {
          bytes = serializeFrame(f, version);
        } catch (err) {
          expect(err).toBeInstanceOf(RangeError);
          expect(f.headers.some(unrepresentable)).toBe(true);
          return;
        }
        expect(f.headers.some(unrepresentable)).toBe(false);
        expect(parse(chunk(bytes, points), version)).toEqual({ events: [expected(f)] });
      }),
      { numRuns: 500 },
    );
  });

  it('CONNECT and STOMP frames round-trip unescaped', () => {
    const plain = fc.string({ unit: fc.constantFrom('a', '\\', 'c', 'n', ' ', '가', '='), minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(fc.constantFrom<StompCommand>('CONNECT', 'STOMP'), fc.array(fc.tuple(plain, fc.string({ unit: fc.constantFrom('a', ':', '\\', 'r') }))), cuts, (command, hs, points) => {
        const f = new StompFrame(command, hs);
        expect(parse(chunk(serializeFrame(f), points), '1.2')).toEqual({ events: [expected(f)] });
      }),
    );
  });
});

describe('parser chunking invariance (property)', () => {
  const stompish = fc.string({
    unit: fc.constantFrom('SEND', 'ACK', 'FOO', '\n', '\r', '\0', ':', '\\', 'n', 'r', 'x', 'content-length:', '2', '-', '가'),
    maxLength: 60,
  });

  it('any byte stream gives the same frames, heart-beats and error however it is chunked', () => {
    fc.assert(
      fc.property(fc.oneof(stompish.map((s) => Buffer.from(s)), fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a))), cuts, fc.constantFrom<StompVersion>('1.0', '1.1', '1.2'), fc.integer({ min: 1, max: 64 }), (bytes, points, version, max) => {
        const whole = parse([bytes], version, max);
        expect(parse(chunk(bytes, points), version, max)).toEqual(whole);
        const single = [...bytes].map((b) => Buffer.from([b]));
        expect(parse(single, version, max)).toEqual(whole);
      }),
      { numRuns: 1000 },
    );
  });
});
