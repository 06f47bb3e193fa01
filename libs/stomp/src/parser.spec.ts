import { StompError } from './errors';
import { CLIENT_COMMANDS, SERVER_COMMANDS, StompFrame } from './frame';
import { StompParser, StompParserOptions, StompVersion } from './parser';

type Event = StompFrame | 'heartbeat';

interface Harness {
  parser: StompParser;
  events: Event[];
  frames: () => StompFrame[];
}

function harness(options: Partial<StompParserOptions> & { version?: StompVersion } = {}): Harness {
  const events: Event[] = [];
  const parser = new StompParser({
    maxFrameBytes: 1 << 20,
    ...options,
    onFrame: (f) => events.push(f),
    onHeartbeat: () => events.push('heartbeat'),
  });
  if (options.version) parser.version = options.version;
  return { parser, events, frames: () => events.filter((e): e is StompFrame => e !== 'heartbeat') };
}

/** Plain-object view of the events, for toEqual. */
function view(events: Event[]): unknown[] {
  return events.map((e) =>
    e === 'heartbeat' ? e : { command: e.command, headers: e.headers, body: e.body.toString('latin1') },
  );
}

type Feed = (p: StompParser, bytes: Buffer) => void;
const feeds: Array<[string, Feed]> = [
  ['in one chunk', (p, b) => p.push(b)],
  ['byte by byte', (p, b) => { for (let i = 0; i < b.length; i++) p.push(b.subarray(i, i + 1)); }],
  ['in 3-byte chunks', (p, b) => { for (let i = 0; i < b.length; i += 3) p.push(b.subarray(i, i + 3)); }],
  ['as a string', (p, b) => p.push(b.toString('utf8'))],
  ['as Uint8Arrays', (p, b) => { for (let i = 0; i < b.length; i += 5) p.push(new Uint8Array(b.subarray(i, i + 5))); }],
];

/** Parses `input` fed in every way (and split in two at every byte) and expects the same events. */
function expectEvents(input: string | Buffer, expected: unknown[], options: Partial<StompParserOptions> & { version?: StompVersion } = {}): void {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  for (const [how, feed] of feeds) {
    if (how === 'as a string' && typeof input !== 'string') continue;
    const h = harness(options);
    feed(h.parser, bytes);
    expect({ how, events: view(h.events) }).toEqual({ how, events: expected });
  }
  for (let cut = 0; cut <= bytes.length; cut++) {
    const h = harness(options);
    h.parser.push(bytes.subarray(0, cut));
    h.parser.push(bytes.subarray(cut));
    expect({ cut, events: view(h.events) }).toEqual({ cut, events: expected });
  }
}

/** Expects `input` to be refused with `code` fed whole, byte by byte and split at every byte. */
function expectError(input: string | Buffer, code: StompError['code'], message: RegExp | undefined, options: Partial<StompParserOptions> & { version?: StompVersion } = {}): void {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const runs: Array<[string, Feed]> = [feeds[0], feeds[1]];
  for (let cut = 1; cut < bytes.length; cut++) {
    runs.push([`cut at ${cut}`, (p, b) => { p.push(b.subarray(0, cut)); p.push(b.subarray(cut)); }]);
  }
  for (const [how, feed] of runs) {
    const h = harness(options);
    let caught: unknown;
    try {
      feed(h.parser, bytes);
    } catch (err) {
      caught = err;
    }
    expect({ how, isStompError: caught instanceof StompError }).toEqual({ how, isStompError: true });
    const err = caught as StompError;
    expect({ how, code: err.code }).toEqual({ how, code });
    if (message) expect(err.message).toMatch(message);
  }
}

const frame = (command: string, headers: Array<[string, string]> = [], body = ''): unknown => ({ command, headers, body });

describe('StompParser', () => {
  describe('framing', () => {
    it('parses a frame without headers or body', () => {
      expectEvents('DISCONNECT\n\n\0', [frame('DISCONNECT')]);
    });

    it('parses a frame with headers and a NUL-terminated body', () => {
      expectEvents('SEND\ndestination:/app/events\ncontent-type:text/plain\n\nhello\0', [
        frame('SEND', [['destination', '/app/events'], ['content-type', 'text/plain']], 'hello'),
      ]);
    });

    it('parses several frames in one chunk, in order', () => {
      expectEvents('SEND\ndestination:/a\n\none\0SEND\ndestination:/b\n\ntwo\0ACK\nid:7\n\n\0', [
        frame('SEND', [['destination', '/a']], 'one'),
        frame('SEND', [['destination', '/b']], 'two'),
        frame('ACK', [['id', '7']]),
      ]);
    });

    it('accepts CRLF line endings, also mixed with LF', () => {
      expectEvents('SEND\r\ndestination:/a\r\nreceipt:r1\n\r\nbody\0', [
        frame('SEND', [['destination', '/a'], ['receipt', 'r1']], 'body'),
      ]);
    });

    it('keeps a CR inside a value when it does not end the line', () => {
      expectEvents('SEND\ndestination:a\rb\n\n\0', [frame('SEND', [['destination', 'a\rb']])]);
    });

    it('splits a header at the first colon only', () => {
      expectEvents('SEND\ndestination:/a:b::c\n\n\0', [frame('SEND', [['destination', '/a:b::c']])]);
      expectEvents('SEND\ndestination:/a:b::c\n\n\0', [frame('SEND', [['destination', '/a:b::c']])], { version: '1.0' });
    });

    it('does not trim header names or values', () => {
      expectEvents('SEND\n destination : /a \nempty:\n\n\0', [frame('SEND', [[' destination ', ' /a '], ['empty', '']])]);
    });

    it('keeps repeated headers in order; header() returns the first', () => {
      const h = harness();
      h.parser.push('SEND\nfoo:first\nfoo:second\nfoo:third\n\n\0');
      const [f] = h.frames();
      expect(f.headers).toEqual([['foo', 'first'], ['foo', 'second'], ['foo', 'third']]);
      expect(f.header('foo')).toBe('first');
    });

    it('decodes headers as UTF-8 and keeps the body as bytes', () => {
      const body = Buffer.from([0xff, 0xfe, 0x01, 0x80]);
      const input = Buffer.concat([Buffer.from('SEND\nplate:12가3456\nnote:✈️ 🚕\n\n'), body, Buffer.from([0])]);
      const h = harness();
      h.parser.push(input);
      const [f] = h.frames();
      expect(f.headers).toEqual([['plate', '12가3456'], ['note', '✈️ 🚕']]);
      expect(f.body.equals(body)).toBe(true);
    });

    it('decodes a multi-byte UTF-8 character split across chunks', () => {
      const input = Buffer.from('SEND\nplate:가🚕\n\n\0', 'utf8');
      const start = input.indexOf(0xea); // first byte of 가 (3 bytes), followed by 🚕 (4 bytes)
      for (let cut = start + 1; cut < start + 7; cut++) {
        const h = harness();
        h.parser.push(input.subarray(0, cut));
        h.parser.push(input.subarray(cut));
        expect(h.frames()[0].header('plate')).toBe('가🚕');
      }
    });

    it('emits an empty body as a zero-length buffer', () => {
      const h = harness();
      h.parser.push('SEND\ndestination:/a\n\n\0');
      expect(h.frames()[0].body.length).toBe(0);
    });

    it('returns bodies that do not alias the pushed chunk', () => {
      const h = harness();
      const chunk = Buffer.from('SEND\n\nabc\0SEND\ncontent-length:3\n\nxyz\0');
      h.parser.push(chunk);
      chunk.fill(0x21);
      expect(h.frames().map((f) => f.bodyText)).toEqual(['abc', 'xyz']);
    });

    it('accepts the commands it is given', () => {
      expectEvents('MESSAGE\nsubscription:1\n\nx\0CONNECTED\nversion:1.2\n\n\0', [
        frame('MESSAGE', [['subscription', '1']], 'x'),
        frame('CONNECTED', [['version', '1.2']]),
      ], { commands: SERVER_COMMANDS });
    });

    it.each(CLIENT_COMMANDS)('accepts client command %s by default', (command) => {
      expectEvents(`${command}\n\n\0`, [frame(command)]);
    });

    it('calls onFrame synchronously, so a version change applies to the next frame in the same chunk', () => {
      const seen: Array<[string, string | undefined]> = [];
      const parser: StompParser = new StompParser({
        maxFrameBytes: 1024,
        onFrame: (f) => {
          seen.push([f.command, f.header('h')]);
          if (f.command === 'CONNECT') parser.version = '1.0';
        },
      });
      parser.push('CONNECT\nh:a\\nb\n\n\0SEND\nh:a\\nb\n\n\0');
      expect(seen).toEqual([['CONNECT', 'a\\nb'], ['SEND', 'a\\nb']]);
    });
  });

  describe('content-length', () => {
    it('reads exactly content-length bytes, NUL and LF included', () => {
      const body = Buffer.from([0x61, 0x00, 0x0a, 0x00, 0x0d, 0x0a, 0x62]);
      const input = Buffer.concat([
        Buffer.from(`SEND\ndestination:/a\ncontent-length:${body.length}\n\n`),
        body,
        Buffer.from('\0SEND\n\nnext\0'),
      ]);
      expectEvents(input, [
        frame('SEND', [['destination', '/a'], ['content-length', '7']], body.toString('latin1')),
        frame('SEND', [], 'next'),
      ]);
    });

    it('accepts content-length 0 and leading zeros', () => {
      expectEvents('SEND\ncontent-length:0\n\n\0SEND\ncontent-length:003\n\nabc\0', [
        frame('SEND', [['content-length', '0']]),
        frame('SEND', [['content-length', '003']], 'abc'),
      ]);
    });

    it('uses the first content-length when repeated', () => {
      expectEvents('SEND\ncontent-length:2\ncontent-length:5\n\nab\0', [
        frame('SEND', [['content-length', '2'], ['content-length', '5']], 'ab'),
      ]);
    });

    it('requires a NUL right after a content-length body', () => {
      expectError('SEND\ncontent-length:2\n\nabc\0', 'bad-frame', /content-length/);
    });

    it.each(['-1', '', '12a', '1.5', '+3', ' 3', '3 ', '0x10', '1e3', '٣'])('refuses content-length %j', (value) => {
      expectError(`SEND\ncontent-length:${value}\n\n\0`, 'bad-frame', /content-length/);
    });
  });

  describe('heart-beats', () => {
    it('reports LF and CRLF between frames, before the first and after the last', () => {
      expectEvents('\n\r\nSEND\n\na\0\n\r\n\nSEND\n\nb\0\r\n', [
        'heartbeat', 'heartbeat',
        frame('SEND', [], 'a'),
        'heartbeat', 'heartbeat', 'heartbeat',
        frame('SEND', [], 'b'),
        'heartbeat',
      ]);
    });

    it('reports a heart-beat right after a content-length body', () => {
      expectEvents('SEND\ncontent-length:1\n\nx\0\n', [frame('SEND', [['content-length', '1']], 'x'), 'heartbeat']);
    });

    it('works without an onHeartbeat handler', () => {
      const frames: StompFrame[] = [];
      const parser = new StompParser({ maxFrameBytes: 100, onFrame: (f) => frames.push(f) });
      parser.push('\n\r\nSEND\n\n\0\n');
      expect(frames).toHaveLength(1);
    });

    it('refuses a CR not followed by LF between frames', () => {
      expectError('\rSEND\n\n\0', 'bad-frame', /CR/);
    });
  });

  describe('header escaping', () => {
    const raw = 'SEND\nk\\c\\\\ey:a\\nb\\cc\\\\d\\re\n\n\0';

    it('1.2 decodes \\r \\n \\c \\\\ in names and values', () => {
      expectEvents(raw, [frame('SEND', [['k:\\ey', 'a\nb:c\\d\re']])], { version: '1.2' });
    });

    it('1.1 decodes \\n \\c \\\\', () => {
      expectEvents('SEND\nk\\c\\\\ey:a\\nb\\cc\\\\d\n\n\0', [frame('SEND', [['k:\\ey', 'a\nb:c\\d']])], { version: '1.1' });
    });

    it('1.1 refuses \\r, which it does not define', () => {
      expectError(raw, 'bad-frame', /escape/, { version: '1.1' });
    });

    it('1.0 decodes nothing', () => {
      expectEvents('SEND\nk\\ey:a\\nb\\cc\\\\d\\re\\t\\\n\n\0', [frame('SEND', [['k\\ey', 'a\\nb\\cc\\\\d\\re\\t\\']])], { version: '1.0' });
    });

    it.each(['1.1', '1.2'] as const)('%s refuses undefined escapes in values and names', (version) => {
      expectError('SEND\nh:a\\tb\n\n\0', 'bad-frame', /escape/, { version });
      expectError('SEND\nh\\x:ab\n\n\0', 'bad-frame', /escape/, { version });
      expectError('SEND\nh:ab\\\n\n\0', 'bad-frame', /backslash/, { version });
      expectError('SEND\nh\\:ab\n\n\0', 'bad-frame', /backslash/, { version });
    });

    it('decodes an escape sequence split across chunks', () => {
      expectEvents('SEND\nh:x\\ny\\\\z\n\n\0', [frame('SEND', [['h', 'x\ny\\z']])]);
    });

    it.each(['CONNECT', 'STOMP'] as const)('never unescapes %s (any version)', (command) => {
      for (const version of ['1.0', '1.1', '1.2'] as const) {
        expectEvents(`${command}\npasscode:a\\cb\\tc\\\\\n\n\0`, [frame(command, [['passcode', 'a\\cb\\tc\\\\']])], { version });
      }
    });

    it('never unescapes CONNECTED', () => {
      expectEvents('CONNECTED\nserver:x\\cy\\q\n\n\0', [frame('CONNECTED', [['server', 'x\\cy\\q']])], { commands: SERVER_COMMANDS });
    });
  });

  describe('malformed frames', () => {
    it('refuses an unknown command', () => {
      expectError('FOO\n\n\0', 'bad-frame', /unknown command "FOO"/);
      expectError('send\n\n\0', 'bad-frame', /unknown command/);
      expectError('SEND \n\n\0', 'bad-frame', /unknown command/);
    });

    it('refuses a server command from a client, and a client command where server commands are expected', () => {
      expectError('MESSAGE\n\n\0', 'bad-frame', /unknown command "MESSAGE"/);
      expectError('SEND\n\n\0', 'bad-frame', /unknown command "SEND"/, { commands: SERVER_COMMANDS });
    });

    it('refuses a stray NUL where a frame should start', () => {
      expectError('\0SEND\n\n\0', 'bad-frame', /unknown command/);
    });

    it('refuses a header line without a colon', () => {
      expectError('SEND\ndestination\n\n\0', 'bad-frame', /colon/);
    });

    it('refuses a header with an empty name', () => {
      expectError('SEND\n:value\n\n\0', 'bad-frame', /empty name/);
    });

    it('refuses more than maxHeaders headers', () => {
      const lines = (n: number): string => Array.from({ length: n }, (_, i) => `h${i}:v\n`).join('');
      expectEvents(`SEND\n${lines(3)}\n\0`, [frame('SEND', [['h0', 'v'], ['h1', 'v'], ['h2', 'v']])], { maxHeaders: 3 });
      expectError(`SEND\n${lines(4)}\n\0`, 'bad-frame', /more than 3 headers/, { maxHeaders: 3 });
      const h = harness();
      h.parser.push(`SEND\n${lines(64)}\n\0`);
      expect(h.frames()).toHaveLength(1);
      expect(() => harness().parser.push(`SEND\n${lines(65)}\n\0`)).toThrow(/more than 64 headers/);
    });

    it('stays failed: every later push throws the same error', () => {
      const h = harness();
      let first: unknown;
      try {
        h.parser.push('FOO\n\n\0');
      } catch (err) {
        first = err;
      }
      expect(first).toBeInstanceOf(StompError);
      for (const again of ['SEND\n\n\0', '']) {
        let later: unknown;
        try {
          h.parser.push(again);
        } catch (err) {
          later = err;
        }
        expect(later).toBe(first);
      }
      expect(h.events).toEqual([]);
    });

    it('emits the frames before a violation in the same chunk', () => {
      const h = harness();
      expect(() => h.parser.push('SEND\n\na\0FOO\n\n\0')).toThrow(StompError);
      expect(view(h.events)).toEqual([frame('SEND', [], 'a')]);
    });

    it('propagates an exception from onFrame and stays failed', () => {
      const boom = new Error('handler failed');
      const parser = new StompParser({ maxFrameBytes: 100, onFrame: () => { throw boom; } });
      expect(() => parser.push('SEND\n\n\0')).toThrow(boom);
      expect(() => parser.push('SEND\n\n\0')).toThrow(boom);
    });
  });

  describe('maxFrameBytes', () => {
    // 'SEND\n' (5) + 'destination:/a\n' (15) + '\n' (1) + body + NUL (1) = 22 + body
    const sized = (body: string): string => `SEND\ndestination:/a\n\n${body}\0`;

    it('counts every byte from the command to the NUL inclusive', () => {
      expectEvents(sized('12345678'), [frame('SEND', [['destination', '/a']], '12345678')], { maxFrameBytes: 30 });
      expectError(sized('123456789'), 'frame-too-large', /30 bytes/, { maxFrameBytes: 30 });
    });

    it('does not count heart-beats between frames', () => {
      expectEvents(`\n\n\n\n${sized('12345678')}\n\n\n\n`, [
        'heartbeat', 'heartbeat', 'heartbeat', 'heartbeat',
        frame('SEND', [['destination', '/a']], '12345678'),
        'heartbeat', 'heartbeat', 'heartbeat', 'heartbeat',
      ], { maxFrameBytes: 30 });
    });

    it('applies to each frame separately', () => {
      const h = harness({ maxFrameBytes: 30 });
      h.parser.push(sized('12345678').repeat(50));
      expect(h.frames()).toHaveLength(50);
    });

    it('applies with content-length, before the body arrives', () => {
      const h = harness({ maxFrameBytes: 100 });
      expect(() => h.parser.push('SEND\ncontent-length:1000\n\n')).toThrow(
        expect.objectContaining({ code: 'frame-too-large' }) as Error,
      );
      expectError('SEND\ncontent-length:99999999999999999999999\n\n', 'frame-too-large', undefined, { maxFrameBytes: 100 });
      // 'SEND\n' + 'content-length:10\n' + '\n' + 10 + NUL = 35
      expectEvents(`SEND\ncontent-length:10\n\n${'x'.repeat(10)}\0`, [frame('SEND', [['content-length', '10']], 'x'.repeat(10))], { maxFrameBytes: 35 });
      expectError(`SEND\ncontent-length:10\n\n${'x'.repeat(10)}\0`, 'frame-too-large', undefined, { maxFrameBytes: 34 });
    });

    it('fails an endless header line as soon as it passes the limit', () => {
      const h = harness({ maxFrameBytes: 1000 });
      h.parser.push('SEND\nx:');
      let pushed = 7;
      const chunk = Buffer.alloc(100, 0x61);
      let err: unknown;
      while (pushed < 100_000 && err === undefined) {
        try {
          h.parser.push(chunk);
        } catch (e) {
          err = e;
        }
        pushed += chunk.length;
      }
      expect(err).toMatchObject({ code: 'frame-too-large' });
      expect(pushed).toBeLessThanOrEqual(1100);
    });

    it('fails an endless command line as soon as it passes the limit', () => {
      const h = harness({ maxFrameBytes: 50 });
      expect(() => h.parser.push('S'.repeat(51))).toThrow(expect.objectContaining({ code: 'frame-too-large' }) as Error);
      expect(() => harness({ maxFrameBytes: 50 }).parser.push('S'.repeat(50))).not.toThrow();
    });

    it('fails an endless NUL-terminated body as soon as it passes the limit', () => {
      const h = harness({ maxFrameBytes: 1000 });
      h.parser.push('SEND\n\n');
      let pushed = 6;
      let err: unknown;
      while (pushed < 100_000 && err === undefined) {
        try {
          h.parser.push(Buffer.alloc(100, 0x62));
        } catch (e) {
          err = e;
        }
        pushed += 100;
      }
      expect(err).toMatchObject({ code: 'frame-too-large' });
      expect(pushed).toBeLessThanOrEqual(1100);
    });

    it('fails a long body fed byte by byte at the first byte past the limit', () => {
      const h = harness({ maxFrameBytes: 20 });
      const input = Buffer.from(`SEND\n\n${'z'.repeat(100)}\0`);
      let consumed = 0;
      expect(() => {
        for (; consumed < input.length; consumed++) h.parser.push(input.subarray(consumed, consumed + 1));
      }).toThrow(expect.objectContaining({ code: 'frame-too-large' }) as Error);
      expect(consumed).toBe(20);
    });

    it('can be raised between frames (e.g. after CONNECTED)', () => {
      const big = sized('x'.repeat(100));
      const h = harness({ maxFrameBytes: 50 });
      h.parser.push('CONNECT\naccept-version:1.2\n\n\0');
      h.parser.maxFrameBytes = 200;
      h.parser.push(big);
      expect(h.frames().map((f) => f.command)).toEqual(['CONNECT', 'SEND']);
    });
  });
});
