import { StompError } from './errors';
import type { StompFrame } from './frame';
import type { BrokerMessage } from './message';
import type { StompServer } from './server';
import type { SendOutcome } from './server-context';
import type { Subscription } from './subscription';
import {
  bearer,
  connectClient,
  settle,
  TestClient,
  testServer,
  wire,
  type TestPrincipal,
} from './testing/test-client';

/**
 * StompSession driven through StompServer.accept() and a TestConnection: bytes in with
 * session.receive(), frames out parsed back. Cases from the STOMP 1.2 spec and the
 * RabbitMQ / ActiveMQ / Artemis STOMP test suites.
 */
const T0 = 1_700_000_000_000;

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
});
afterEach(() => {
  jest.useRealTimers();
});

function expectError(client: TestClient, code: string, receiptId?: string): StompFrame {
  const error = client.error;
  expect(error).toBeDefined();
  expect(error!.header('error-code')).toBe(code);
  expect(error!.header('message')).toEqual(expect.any(String));
  expect(error!.bodyText.length).toBeGreaterThan(0);
  expect(error!.header('receipt-id')).toBe(receiptId);
  // ERROR is the last thing written, then the session and its transport are closed.
  expect(client.connection.lastFrame).toBe(error);
  expect(client.connection.closed).toBe(true);
  expect(client.session.isClosed).toBe(true);
  expect(client.session.closedBecause).toEqual({ kind: 'error', code, message: error!.header('message') });
  expect(client.connection.writesAfterClose).toBe(0);
  return error!;
}

function expectOpen(client: TestClient): void {
  expect(client.error).toBeUndefined();
  expect(client.connection.closed).toBe(false);
  expect(client.session.isConnected).toBe(true);
}

function message(body: string, extra: Omit<BrokerMessage<TestPrincipal>, 'body'> = {}): BrokerMessage<TestPrincipal> {
  return { ...extra, body: Buffer.from(body, 'utf8') };
}

// ---------------------------------------------------------------------------------------------

describe('CONNECT', () => {
  it('answers CONNECTED with version, heart-beat, session, server and user-name', async () => {
    const server = testServer();
    const client = new TestClient(server);
    const connected = await client.connect('alice', { 'accept-version': '1.0,1.1,1.2', 'heart-beat': '0,0' });
    expect(connected.command).toBe('CONNECTED');
    expect(connected.header('version')).toBe('1.2');
    expect(connected.header('heart-beat')).toBe('10000,10000');
    expect(connected.header('session')).toBe(client.session.id);
    expect(connected.header('server')).toBe('Landside/0.1');
    expect(connected.header('user-name')).toBe('alice');
    expect(client.session.isConnected).toBe(true);
    expect(client.session.principal).toEqual({ name: 'alice' });
    expect(client.session.principalName).toBe('alice');
    expect(client.session.transport).toBe('test');
    expect(client.session.remoteAddress).toBe('192.0.2.1:50000');
    expect(server.sessionsOf('alice')).toEqual([client.session]);
  });

  it('accepts the STOMP command like CONNECT', async () => {
    const client = new TestClient(testServer());
    client.send('STOMP', { 'accept-version': '1.2', host: 'landside', login: 'alice' });
    await settle();
    expect(client.frames.map((f) => f.command)).toEqual(['CONNECTED']);
  });

  it('announces the configured server name and heart-beat offer', async () => {
    const client = new TestClient(testServer({}, { serverName: 'Test/9', heartbeat: [3000, 4000] }));
    const connected = await client.connect('alice');
    expect(connected.header('server')).toBe('Test/9');
    expect(connected.header('heart-beat')).toBe('3000,4000');
  });

  it('gives every session its own id', async () => {
    const server = testServer();
    const a = new TestClient(server);
    const b = new TestClient(server);
    const ca = await a.connect('alice');
    const cb = await b.connect('alice');
    expect(ca.header('session')).not.toBe(cb.header('session'));
  });

  it.each([
    ['1.0,1.1,1.2', '1.2'],
    ['1.2', '1.2'],
    ['1.1', '1.1'],
    ['1.0,1.1', '1.1'],
    ['1.0', '1.0'],
    ['1.1,2.0', '1.1'],
  ])('negotiates accept-version %p -> %p', async (offered, chosen) => {
    const client = new TestClient(testServer());
    const connected = await client.connect('alice', { 'accept-version': offered });
    expect(connected.command).toBe('CONNECTED');
    expect(connected.header('version')).toBe(chosen);
    expect(client.session.version).toBe(chosen);
  });

  it('negotiates 1.0 when accept-version is absent', async () => {
    const client = new TestClient(testServer());
    client.send('CONNECT', { login: 'alice' });
    await settle();
    expect(client.frames[0]!.command).toBe('CONNECTED');
    expect(client.frames[0]!.header('version')).toBe('1.0');
    expect(client.session.version).toBe('1.0');
  });

  it.each(['2.0', '1.3,2.1', ''])('refuses accept-version %p with unsupported-version and the supported versions', async (offered) => {
    const server = testServer();
    const client = new TestClient(server);
    await client.connect('alice', { 'accept-version': offered, receipt: 'c-1' });
    const error = expectError(client, 'unsupported-version', 'c-1');
    expect(error.header('version')).toBe('1.0,1.1,1.2');
    expect(client.framesOf('CONNECTED')).toHaveLength(0);
    expect(server.sessionCount).toBe(0);
  });

  it.each([
    [undefined, { sendEveryMs: 0, expectEveryMs: 0 }],
    ['0,0', { sendEveryMs: 0, expectEveryMs: 0 }],
    ['5000,20000', { sendEveryMs: 20000, expectEveryMs: 10000 }],
    ['20000,5000', { sendEveryMs: 10000, expectEveryMs: 20000 }],
    ['0,5000', { sendEveryMs: 10000, expectEveryMs: 0 }],
    ['15000,0', { sendEveryMs: 0, expectEveryMs: 15000 }],
    ['1,1', { sendEveryMs: 10000, expectEveryMs: 10000 }],
  ])('negotiates heart-beat %p with the server offer 10000,10000 (MAX rule)', async (header, terms) => {
    const client = new TestClient(testServer());
    const headers: Record<string, string> = { 'accept-version': '1.2', login: 'alice' };
    if (header !== undefined) headers['heart-beat'] = header;
    client.send('CONNECT', headers);
    await settle();
    expect(client.frames[0]!.command).toBe('CONNECTED');
    expect(client.session.heartbeatTerms).toEqual(terms);
  });

  it('leaves heart-beats off when the server offers 0,0', async () => {
    const client = new TestClient(testServer({}, { heartbeat: [0, 0] }));
    await client.connect('alice', { 'heart-beat': '5000,5000' });
    expect(client.session.heartbeatTerms).toEqual({ sendEveryMs: 0, expectEveryMs: 0 });
  });

  it.each(['10,x', '-1,0', '1,2,3', ' 1,1', '1, 1', '1.5,1', '', '10000'])(
    'refuses an invalid heart-beat header %p with bad-frame',
    async (header) => {
      const client = new TestClient(testServer());
      await client.connect('alice', { 'heart-beat': header, receipt: 'hb' });
      expectError(client, 'bad-frame', 'hb');
    },
  );

  it('refuses a CONNECT without credentials with unauthenticated', async () => {
    const server = testServer();
    const client = new TestClient(server);
    await client.connect(undefined, { receipt: 'r0' });
    expectError(client, 'unauthenticated', 'r0');
    expect(client.session.principal).toBeUndefined();
    expect(server.sessionCount).toBe(0);
  });

  it('refuses a token that has already expired', async () => {
    const client = new TestClient(testServer());
    await client.connect('alice', { 'expires-at': String(T0) });
    expectError(client, 'token-expired');
  });

  it('waits for an async authenticate hook and processes frames pipelined behind CONNECT in order', async () => {
    let release: (p: TestPrincipal) => void = () => undefined;
    const server = testServer({ authenticate: () => new Promise<TestPrincipal>((resolve) => (release = resolve)) });
    const client = new TestClient(server);
    client.raw(
      Buffer.concat([
        wire('CONNECT', { 'accept-version': '1.2', host: 'h', login: 'alice' }),
        wire('SUBSCRIBE', { id: 's1', destination: '/topic/a', receipt: 'sub' }),
        wire('SEND', { destination: '/topic/a', receipt: 'send' }, 'hello'),
      ]),
    );
    await settle();
    expect(client.frames).toHaveLength(0);
    release({ name: 'alice' });
    await settle();
    expect(client.frames.map((f) => `${f.command} ${f.header('receipt-id') ?? ''}`.trim())).toEqual([
      'CONNECTED',
      'RECEIPT sub',
      'MESSAGE',
      'RECEIPT send',
    ]);
    expect(client.messages[0]!.bodyText).toBe('hello');
  });

  it('refuses any other frame before CONNECT with bad-frame', async () => {
    const client = new TestClient(testServer());
    client.send('SEND', { destination: '/topic/a', receipt: 'early' }, 'x');
    await settle();
    expectError(client, 'bad-frame', 'early');
  });

  it.each(['SUBSCRIBE', 'DISCONNECT', 'BEGIN'])('refuses %s before CONNECT', async (command) => {
    const client = new TestClient(testServer());
    client.send(command, { id: '1', destination: '/topic/a', transaction: 't' });
    await settle();
    expectError(client, 'bad-frame');
  });

  it('refuses a second CONNECT with bad-frame', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('CONNECT', { 'accept-version': '1.2', login: 'alice', receipt: 'again' });
    await settle();
    expect(client.framesOf('CONNECTED')).toHaveLength(1);
    expectError(client, 'bad-frame', 'again');
  });

  it('refuses a STOMP frame after CONNECT', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('STOMP', { 'accept-version': '1.2', login: 'alice' });
    await settle();
    expectError(client, 'bad-frame');
  });

  it('closes a connection that sends no CONNECT within the connect timeout', () => {
    const server = testServer();
    const client = new TestClient(server);
    jest.advanceTimersByTime(9_999);
    expect(client.connection.closed).toBe(false);
    jest.advanceTimersByTime(1);
    expectError(client, 'connect-timeout');
    expect(server.sessionCount).toBe(0);
  });

  it('honours a configured connect timeout', () => {
    const client = new TestClient(testServer({}, { connectTimeoutMs: 500 }));
    jest.advanceTimersByTime(500);
    expectError(client, 'connect-timeout');
  });

  it('applies the connect timeout to a CONNECT stuck in authentication', async () => {
    const client = new TestClient(testServer({ authenticate: () => new Promise<TestPrincipal>(() => undefined) }));
    client.send('CONNECT', { 'accept-version': '1.2', login: 'alice' });
    await settle();
    jest.advanceTimersByTime(10_000);
    expectError(client, 'connect-timeout');
  });

  it('ignores an authentication that completes after the connect timeout closed the session', async () => {
    let release: (p: TestPrincipal) => void = () => undefined;
    const server = testServer({ authenticate: () => new Promise<TestPrincipal>((resolve) => (release = resolve)) });
    const client = new TestClient(server);
    client.send('CONNECT', { 'accept-version': '1.2', login: 'alice' });
    jest.advanceTimersByTime(10_000);
    release({ name: 'alice' });
    await settle();
    expect(client.framesOf('CONNECTED')).toHaveLength(0);
    expect(server.sessionsOf('alice')).toHaveLength(0);
    expect(client.connection.writesAfterClose).toBe(0);
  });

  it('stops the connect timer once CONNECTED', async () => {
    const client = await connectClient(testServer(), 'alice');
    jest.advanceTimersByTime(60_000);
    expectOpen(client);
  });

  it('accepts heart-beat EOLs before CONNECT', async () => {
    const client = new TestClient(testServer());
    client.raw('\n\r\n\n');
    await client.connect('alice');
    expect(client.frames[0]!.command).toBe('CONNECTED');
  });
});

// ---------------------------------------------------------------------------------------------

describe('frame size limits', () => {
  /** A CONNECT of exactly `size` bytes on the wire (command to NUL inclusive). */
  function connectOfSize(size: number): Buffer {
    const base = wire('CONNECT', { 'accept-version': '1.2', login: 'alice', pad: '' });
    return wire('CONNECT', { 'accept-version': '1.2', login: 'alice', pad: 'p'.repeat(size - base.length) });
  }

  it('accepts a CONNECT of exactly 8 KiB', async () => {
    const client = new TestClient(testServer());
    const frame = connectOfSize(8 * 1024);
    expect(frame.length).toBe(8192);
    client.raw(frame);
    await settle();
    expect(client.frames[0]!.command).toBe('CONNECTED');
  });

  it('refuses a frame over 8 KiB before CONNECTED with frame-too-large', async () => {
    const client = new TestClient(testServer());
    client.raw(connectOfSize(8 * 1024 + 1));
    await settle();
    expectError(client, 'frame-too-large');
  });

  it('refuses a pre-connect frame whose content-length is over the limit before reading its body', async () => {
    const client = new TestClient(testServer());
    client.raw('CONNECT\naccept-version:1.2\nlogin:a\ncontent-length:9000\n\n');
    expectError(client, 'frame-too-large');
  });

  it('allows larger frames once connected, up to 64 KiB', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/big');
    const body = 'b'.repeat(60 * 1024);
    client.send('SEND', { destination: '/topic/big', receipt: 'big' }, body);
    await settle();
    expectOpen(client);
    expect(client.messages[0]!.body.length).toBe(body.length);
    expect(client.framesOf('RECEIPT')[0]!.header('receipt-id')).toBe('big');
  });

  it('refuses a frame over 64 KiB once connected', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('SEND', { destination: '/topic/big' }, 'b'.repeat(64 * 1024));
    await settle();
    expectError(client, 'frame-too-large');
  });

  it('honours configured limits', async () => {
    const server = testServer({}, { maxPreConnectFrameBytes: 200, maxFrameBytes: 300 });
    const refused = new TestClient(server);
    refused.raw(connectOfSize(201));
    expectError(refused, 'frame-too-large');

    const client = await connectClient(server, 'alice');
    client.send('SEND', { destination: '/topic/x' }, 'x'.repeat(250));
    await settle();
    expect(client.error).toBeUndefined();
    client.send('SEND', { destination: '/topic/x' }, 'x'.repeat(300));
    await settle();
    expectError(client, 'frame-too-large');
  });
});

// ---------------------------------------------------------------------------------------------

describe('heart-beats', () => {
  it('closes a silent client with heartbeat-timeout after 2x the negotiated interval', async () => {
    const client = await connectClient(testServer(), 'alice', { 'heart-beat': '10000,0' });
    expect(client.session.heartbeatTerms.expectEveryMs).toBe(10_000);
    jest.advanceTimersByTime(19_999);
    expectOpen(client);
    jest.advanceTimersByTime(1);
    expectError(client, 'heartbeat-timeout');
  });

  it('uses the larger of the client promise and the server wish (MAX rule)', async () => {
    const client = await connectClient(testServer(), 'alice', { 'heart-beat': '30000,0' });
    jest.advanceTimersByTime(59_999);
    expectOpen(client);
    jest.advanceTimersByTime(1);
    expectError(client, 'heartbeat-timeout');
  });

  it('is kept alive by heart-beat EOLs (LF and CRLF)', async () => {
    const client = await connectClient(testServer(), 'alice', { 'heart-beat': '10000,0' });
    for (let i = 0; i < 10; i++) {
      jest.advanceTimersByTime(15_000);
      client.raw(i % 2 === 0 ? '\n' : '\r\n');
    }
    expectOpen(client);
    jest.advanceTimersByTime(19_999);
    expectOpen(client);
    jest.advanceTimersByTime(1);
    expectError(client, 'heartbeat-timeout');
  });

  it('is kept alive by frames and by partial frames', async () => {
    const client = await connectClient(testServer(), 'alice', { 'heart-beat': '10000,0' });
    jest.advanceTimersByTime(15_000);
    client.send('SEND', { destination: '/topic/x' }, 'x');
    jest.advanceTimersByTime(15_000);
    client.raw('SEND\ndestination:/topic/x\n'); // a frame arriving slowly is not silence
    jest.advanceTimersByTime(15_000);
    client.raw('\nrest\0');
    jest.advanceTimersByTime(15_000);
    expectOpen(client);
  });

  it('never times out a client that promised no heart-beats', async () => {
    const client = await connectClient(testServer(), 'alice', { 'heart-beat': '0,10000' });
    jest.advanceTimersByTime(10 * 60_000);
    expectOpen(client);
  });

  it('sends an EOL each interval when idle', async () => {
    const client = await connectClient(testServer(), 'alice', { 'heart-beat': '0,10000' });
    expect(client.session.heartbeatTerms.sendEveryMs).toBe(10_000);
    jest.advanceTimersByTime(9_999);
    expect(client.connection.heartbeats).toBe(0);
    jest.advanceTimersByTime(1);
    expect(client.connection.heartbeats).toBe(1);
    jest.advanceTimersByTime(10_000);
    expect(client.connection.heartbeats).toBe(2);
    jest.advanceTimersByTime(30_000);
    expect(client.connection.heartbeats).toBe(5);
    expectOpen(client);
  });

  it('sends at the client-requested interval when it is larger', async () => {
    const client = await connectClient(testServer(), 'alice', { 'heart-beat': '0,25000' });
    jest.advanceTimersByTime(24_999);
    expect(client.connection.heartbeats).toBe(0);
    jest.advanceTimersByTime(1);
    expect(client.connection.heartbeats).toBe(1);
  });

  it('counts any frame it writes as a heart-beat: the EOL comes one interval after the last write', async () => {
    const client = await connectClient(testServer(), 'alice', { 'heart-beat': '0,10000' });
    client.subscribe('s', '/topic/x');
    jest.advanceTimersByTime(6_000);
    client.server.broker.publish('/topic/x', message('m'));
    expect(client.messages).toHaveLength(1);
    jest.advanceTimersByTime(9_999);
    expect(client.connection.heartbeats).toBe(0);
    jest.advanceTimersByTime(1);
    expect(client.connection.heartbeats).toBe(1);
    // Never a gap longer than the negotiated interval.
    jest.advanceTimersByTime(10_000);
    expect(client.connection.heartbeats).toBe(2);
  });

  it('sends no EOL when heart-beats were not negotiated', async () => {
    const client = await connectClient(testServer(), 'alice', { 'heart-beat': '0,0' });
    jest.advanceTimersByTime(120_000);
    expect(client.connection.heartbeats).toBe(0);
  });

  it('stops heart-beating once closed', async () => {
    const client = await connectClient(testServer(), 'alice', { 'heart-beat': '0,10000' });
    client.send('DISCONNECT');
    jest.advanceTimersByTime(60_000);
    expect(client.connection.heartbeats).toBe(0);
    expect(client.connection.writesAfterClose).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('framing', () => {
  it('never trims header values: a destination with spaces round-trips exactly', async () => {
    const client = await connectClient(testServer(), 'alice');
    const destination = '/topic/ spaced  name ';
    client.send('SUBSCRIBE', [['id', ' s 1 '], ['destination', destination]]);
    client.send('SEND', [['destination', destination], [' x-pad ', ' a b ']], 'hi');
    await settle();
    const [msg] = client.messages;
    expect(msg).toBeDefined();
    expect(msg!.header('destination')).toBe(destination);
    expect(msg!.header('subscription')).toBe(' s 1 ');
    expect(msg!.header(' x-pad ')).toBe(' a b ');
    expect(client.server.broker.subscriberCount('/topic/spaced  name')).toBe(0);
  });

  it('decodes 1.2 escapes in SEND headers and re-encodes them in MESSAGE', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/esc');
    client.send('SEND', [['destination', '/topic/esc'], ['x-esc', 'a\\cb\\nc\\\\d\\re']], '');
    await settle();
    expect(client.messages[0]!.header('x-esc')).toBe('a:b\nc\\d\re');
    expect(client.connection.writes.some((w) => w.includes('x-esc:a\\cb\\nc\\\\d\\re\n'))).toBe(true);
  });

  it('encodes MESSAGE headers for each subscriber\u2019s version, dropping what it cannot carry', async () => {
    const server = testServer();
    const v12 = await connectClient(server, 'a', { 'accept-version': '1.2' });
    const v11 = await connectClient(server, 'b', { 'accept-version': '1.1' });
    const v10 = new TestClient(server);
    v10.send('CONNECT', { login: 'c' });
    await settle();
    for (const c of [v12, v11]) c.subscribe('s', '/topic/v');
    v10.send('SUBSCRIBE', { destination: '/topic/v' });
    v12.send(
      'SEND',
      [['destination', '/topic/v'], ['colon', 'a\\cb'], ['newline', 'a\\nb'], ['cr', 'a\\rb'], ['na\\cme', 'x']],
      'body',
    );
    await settle();
    const headers = (c: TestClient): Record<string, string> =>
      Object.fromEntries(c.messages[0]!.headers.filter(([k]) => ['colon', 'newline', 'cr', 'na:me'].includes(k)));
    expect(headers(v12)).toEqual({ colon: 'a:b', newline: 'a\nb', cr: 'a\rb', 'na:me': 'x' });
    expect(headers(v11)).toEqual({ colon: 'a:b', newline: 'a\nb', 'na:me': 'x' });
    expect(headers(v10)).toEqual({ colon: 'a:b' });
    for (const c of [v12, v11, v10]) {
      expect(c.messages[0]!.bodyText).toBe('body');
      expect(c.error).toBeUndefined();
    }
  });

  it('refuses an undefined escape sequence (\\t) with bad-frame', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('SEND', [['destination', '/topic/x'], ['x', 'a\\tb']], 'x');
    expectError(client, 'bad-frame');
  });

  it.each(['-1', 'abc', '1.5', '+3', ' 1', ''])('refuses content-length %p with bad-frame', async (length) => {
    const client = await connectClient(testServer(), 'alice');
    client.send('SEND', { destination: '/topic/x', 'content-length': length }, 'x');
    expectError(client, 'bad-frame');
  });

  it('refuses a body longer than its content-length', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('SEND', { destination: '/topic/x', 'content-length': '1' }, 'xy');
    expectError(client, 'bad-frame');
  });

  it('carries NUL octets in a content-length body', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/bin');
    const body = Buffer.from([1, 0, 2, 0, 3]);
    client.send('SEND', { destination: '/topic/bin', 'content-length': '5' }, body);
    await settle();
    expect(client.messages[0]!.body).toEqual(body);
    expect(client.messages[0]!.header('content-length')).toBe('5');
  });

  it.each(['FOO', 'send', 'MESSAGE', 'CONNECTED', 'RECEIPT', 'ERROR'])('refuses command %p with bad-frame', async (command) => {
    const client = await connectClient(testServer(), 'alice');
    client.send(command, { destination: '/topic/x' });
    expectError(client, 'bad-frame');
  });

  it('handles frames split at every byte and several frames in one chunk', async () => {
    const client = await connectClient(testServer(), 'alice');
    const bytes = Buffer.concat([
      wire('SUBSCRIBE', { id: 's', destination: '/topic/é', receipt: '1' }),
      Buffer.from('\n'),
      wire('SEND', { destination: '/topic/é', receipt: '2' }, 'héllo'),
    ]);
    for (let i = 0; i < bytes.length; i++) client.raw(bytes.subarray(i, i + 1));
    await settle();
    expect(client.take().map((f) => f.command)).toEqual(['RECEIPT', 'MESSAGE', 'RECEIPT']);
    expect(client.messages[0]!.bodyText).toBe('héllo');
  });

  it('uses the first of repeated headers', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('SUBSCRIBE', [['id', 'first'], ['id', 'second'], ['destination', '/topic/r']]);
    client.server.broker.publish('/topic/r', message('x'));
    expect(client.messages[0]!.header('subscription')).toBe('first');
  });
});

// ---------------------------------------------------------------------------------------------

describe('subscriptions', () => {
  it('refuses a 1.2 SUBSCRIBE without id with bad-frame', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('SUBSCRIBE', { destination: '/topic/x', receipt: 'nid' });
    expectError(client, 'bad-frame', 'nid');
  });

  it('refuses a SUBSCRIBE without destination with bad-frame', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('SUBSCRIBE', { id: 's' });
    expectError(client, 'bad-frame');
  });

  it('lets a 1.0 client subscribe without id (the destination is the id)', async () => {
    const server = testServer();
    const client = new TestClient(server);
    client.send('CONNECT', { login: 'alice' });
    await settle();
    client.send('SUBSCRIBE', { destination: '/topic/old' });
    server.broker.publish('/topic/old', message('x'));
    expect(client.messages[0]!.header('subscription')).toBe('/topic/old');
    client.send('UNSUBSCRIBE', { destination: '/topic/old', receipt: 'u' });
    expect(client.session.subscriptionCount).toBe(0);
    expect(client.framesOf('RECEIPT')[0]!.header('receipt-id')).toBe('u');
  });

  it('refuses a duplicate subscription id with duplicate-subscription', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/a');
    client.subscribe('s', '/topic/b', { receipt: 'dup' });
    expectError(client, 'duplicate-subscription', 'dup');
  });

  it('allows 32 subscriptions and refuses the 33rd with too-many-subscriptions', async () => {
    const client = await connectClient(testServer(), 'alice');
    for (let i = 0; i < 32; i++) client.subscribe(`s${i}`, `/topic/t${i}`);
    expectOpen(client);
    expect(client.session.subscriptionCount).toBe(32);
    client.subscribe('s32', '/topic/t32', { receipt: 'one-too-many' });
    expectError(client, 'too-many-subscriptions', 'one-too-many');
  });

  it('frees a slot on UNSUBSCRIBE', async () => {
    const client = await connectClient(testServer({}, { maxSubscriptions: 2 }), 'alice');
    client.subscribe('a', '/topic/a');
    client.subscribe('b', '/topic/b');
    client.send('UNSUBSCRIBE', { id: 'a' });
    client.subscribe('c', '/topic/c');
    expectOpen(client);
    expect(client.session.subscriptionCount).toBe(2);
  });

  it('refuses UNSUBSCRIBE of an unknown id with unknown-subscription', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('UNSUBSCRIBE', { id: 'nope', receipt: 'u' });
    expectError(client, 'unknown-subscription', 'u');
  });

  it('refuses UNSUBSCRIBE without id with bad-frame', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/a');
    client.send('UNSUBSCRIBE', { destination: '/topic/a' });
    expectError(client, 'bad-frame');
  });

  it('stops delivery after UNSUBSCRIBE, and the id may be reused', async () => {
    const client = await connectClient(testServer(), 'alice');
    const broker = client.server.broker;
    client.subscribe('s', '/topic/a');
    broker.publish('/topic/a', message('1'));
    client.send('UNSUBSCRIBE', { id: 's' });
    expect(broker.publish('/topic/a', message('2'))).toBe(0);
    client.subscribe('s', '/topic/b');
    broker.publish('/topic/b', message('3'));
    expect(client.messages.map((m) => `${m.header('destination')} ${m.bodyText}`)).toEqual(['/topic/a 1', '/topic/b 3']);
  });

  it('refuses an unknown ack mode with bad-frame', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/a', { ack: 'sometimes' });
    expectError(client, 'bad-frame');
  });

  it('stores a selector on the subscription and never evaluates it', async () => {
    const seen: Subscription[] = [];
    const client = await connectClient(testServer({ onSubscribe: (_s, sub) => seen.push(sub) }), 'alice');
    client.subscribe('s', '/topic/a', { selector: "color = 'red'" });
    client.send('SEND', { destination: '/topic/a', color: 'blue' }, 'not red');
    await settle();
    expect(seen).toEqual([{ id: 's', destination: '/topic/a', ack: 'auto', selector: "color = 'red'" }]);
    expect(client.messages.map((m) => m.bodyText)).toEqual(['not red']);
  });

  it('refuses a SUBSCRIBE the authorize hook forbids with forbidden', async () => {
    const authorize = jest.fn((_p: TestPrincipal, action: 'SEND' | 'SUBSCRIBE', destination: string) => {
      if (destination.startsWith('/topic/secret')) throw new StompError('forbidden', `no ${action} on ${destination}`);
    });
    const client = await connectClient(testServer({ authorize }), 'alice');
    client.subscribe('ok', '/topic/public');
    client.subscribe('no', '/topic/secret', { receipt: 'f' });
    expectError(client, 'forbidden', 'f');
    expect(authorize).toHaveBeenCalledWith({ name: 'alice' }, 'SUBSCRIBE', '/topic/secret');
    expect(client.server.broker.subscriberCount('/topic/secret')).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('SEND', () => {
  it('replaces client-set message-id, subscription and user-name with the server\u2019s and passes custom headers through', async () => {
    const server = testServer();
    const bob = await connectClient(server, 'bob');
    bob.subscribe('sub-bob', '/topic/chat');
    const alice = await connectClient(server, 'alice');
    alice.send(
      'SEND',
      [
        ['destination', '/topic/chat'],
        ['message-id', 'forged-id'],
        ['subscription', 'forged-sub'],
        ['user-name', 'mallory'],
        ['redelivered', 'true'],
        ['ack', 'forged-ack'],
        ['content-type', 'text/plain'],
        ['x-trace', 'abc'],
        ['priority', '9'],
      ],
      'hi',
    );
    await settle();
    const [msg] = bob.messages;
    expect(msg).toBeDefined();
    const count = (name: string): number => msg!.headers.filter(([k]) => k === name).length;
    for (const name of ['message-id', 'subscription', 'user-name', 'destination']) expect(count(name)).toBe(1);
    expect(count('redelivered')).toBe(0);
    expect(count('ack')).toBe(0);
    expect(msg!.header('message-id')).not.toBe('forged-id');
    expect(msg!.header('message-id')!.startsWith(bob.session.id)).toBe(true);
    expect(msg!.header('subscription')).toBe('sub-bob');
    expect(msg!.header('user-name')).toBe('alice');
    expect(msg!.header('content-type')).toBe('text/plain');
    expect(msg!.header('x-trace')).toBe('abc');
    expect(msg!.header('priority')).toBe('9');
    expect(msg!.bodyText).toBe('hi');
  });

  it('never forwards credentials or the receipt header', async () => {
    const server = testServer();
    const bob = await connectClient(server, 'bob');
    bob.subscribe('s', '/topic/chat');
    const alice = await connectClient(server, 'alice');
    alice.send('SEND', { destination: '/topic/chat', passcode: 'secret', login: 'alice', receipt: 'r' }, 'x');
    await settle();
    const names = bob.messages[0]!.headers.map(([k]) => k);
    expect(names).not.toContain('passcode');
    expect(names).not.toContain('login');
    expect(names).not.toContain('receipt');
  });

  it('gives every MESSAGE a unique message-id', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('a', '/topic/x');
    client.subscribe('b', '/topic/x');
    for (let i = 0; i < 3; i++) client.send('SEND', { destination: '/topic/x' }, String(i));
    await settle();
    const ids = client.messages.map((m) => m.header('message-id'));
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  });

  it('refuses a SEND without destination with bad-frame', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('SEND', { receipt: 'nd' }, 'x');
    expectError(client, 'bad-frame', 'nd');
  });

  it('refuses a SEND to a /user/ destination by default (forbidden)', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('SEND', { destination: '/user/queue/bob', receipt: 'u' }, 'x');
    await settle();
    expectError(client, 'forbidden', 'u');
  });

  it('refuses a SEND the authorize hook forbids with forbidden', async () => {
    const onSend = jest.fn(() => 'accepted' as const);
    const authorize = (_p: TestPrincipal, _a: 'SEND' | 'SUBSCRIBE', destination: string): void => {
      if (destination === '/app/admin') throw new StompError('forbidden', 'admins only');
    };
    const client = await connectClient(testServer({ authorize, onSend }), 'alice');
    client.send('SEND', { destination: '/app/admin', receipt: 'x1' }, '{}');
    await settle();
    expectError(client, 'forbidden', 'x1');
    expect(onSend).not.toHaveBeenCalled();
  });

  it('hands SENDs to the onSend hook instead of the broker, and sends the RECEIPT when it accepts', async () => {
    const frames: string[] = [];
    const server = testServer({
      onSend: (_session, frame) => {
        frames.push(`${frame.header('destination')} ${frame.bodyText}`);
        return 'accepted';
      },
    });
    const client = await connectClient(server, 'alice');
    client.subscribe('s', '/topic/x');
    client.send('SEND', { destination: '/topic/x', receipt: 'ok' }, 'payload');
    await settle();
    expect(frames).toEqual(['/topic/x payload']);
    expect(client.messages).toHaveLength(0);
    expect(client.framesOf('RECEIPT').map((r) => r.header('receipt-id'))).toEqual(['ok']);
  });

  it("sends no RECEIPT when onSend returns 'dropped', and stays open", async () => {
    const client = await connectClient(testServer({ onSend: () => 'dropped' }), 'alice');
    client.send('SEND', { destination: '/app/x', receipt: 'd1' }, '{}');
    await settle();
    expect(client.framesOf('RECEIPT')).toHaveLength(0);
    expectOpen(client);
    client.send('SUBSCRIBE', { id: 's', destination: '/topic/x', receipt: 'after' });
    expect(client.framesOf('RECEIPT').map((r) => r.header('receipt-id'))).toEqual(['after']);
  });

  it("sends no RECEIPT when an async onSend resolves 'dropped'", async () => {
    const client = await connectClient(testServer({ onSend: () => Promise.resolve('dropped' as const) }), 'alice');
    client.send('SEND', { destination: '/app/x', receipt: 'd1' }, '{}');
    await settle();
    expect(client.framesOf('RECEIPT')).toHaveLength(0);
    expectOpen(client);
  });

  it('processes frames in order when onSend is async: a slow first SEND\u2019s RECEIPT comes first', async () => {
    const gates: Array<() => void> = [];
    const handled: string[] = [];
    const server = testServer({
      onSend: (_s, frame) => {
        handled.push(frame.bodyText);
        if (frame.bodyText !== 'slow') return 'accepted';
        return new Promise((resolve) => gates.push(() => resolve('accepted')));
      },
    });
    const client = await connectClient(server, 'alice');
    client.send('SEND', { destination: '/app/x', receipt: 'first' }, 'slow');
    client.send('SEND', { destination: '/app/x', receipt: 'second' }, 'fast');
    client.send('SUBSCRIBE', { id: 's', destination: '/topic/x', receipt: 'third' });
    await settle();
    expect(handled).toEqual(['slow']);
    expect(client.framesOf('RECEIPT')).toHaveLength(0);
    gates[0]!();
    await settle();
    expect(handled).toEqual(['slow', 'fast']);
    expect(client.framesOf('RECEIPT').map((r) => r.header('receipt-id'))).toEqual(['first', 'second', 'third']);
  });

  it('answers an onSend that throws a StompError with that error', async () => {
    const client = await connectClient(
      testServer({ onSend: () => Promise.reject(new StompError('forbidden', 'not yours')) }),
      'alice',
    );
    client.send('SEND', { destination: '/app/x', receipt: 'r9' }, '{}');
    await settle();
    expectError(client, 'forbidden', 'r9');
  });

  it('answers an unexpected exception with server-error and reports it', async () => {
    const internal = jest.fn();
    const client = await connectClient(
      testServer({
        onSend: () => {
          throw new Error('database on fire');
        },
        onInternalError: internal,
      }),
      'alice',
    );
    client.send('SEND', { destination: '/app/x', receipt: 'r' }, '{}');
    await settle();
    const error = expectError(client, 'server-error', 'r');
    expect(error.header('message')).not.toContain('database');
    expect(internal).toHaveBeenCalledWith(expect.any(Error), client.session);
  });
});

// ---------------------------------------------------------------------------------------------

describe('acknowledgements', () => {
  interface Tracked {
    acks: number;
    nacks: number;
    lost: number;
  }
  function tracked(body: string, counts: Tracked, withNack = false): BrokerMessage<TestPrincipal> {
    return message(body, {
      onAck: () => counts.acks++,
      onLost: () => counts.lost++,
      ...(withNack ? { onNack: () => counts.nacks++ } : {}),
    });
  }
  const zero = (): Tracked => ({ acks: 0, nacks: 0, lost: 0 });

  it('puts an ack header on MESSAGEs of client and client-individual subscriptions only (1.2)', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('auto', '/topic/a');
    client.subscribe('client', '/topic/a', { ack: 'client' });
    client.subscribe('indiv', '/topic/a', { ack: 'client-individual' });
    client.server.broker.publish('/topic/a', message('x'));
    const bySub = new Map(client.messages.map((m) => [m.header('subscription'), m]));
    expect(bySub.get('auto')!.header('ack')).toBeUndefined();
    expect(bySub.get('client')!.header('ack')).toEqual(expect.any(String));
    expect(bySub.get('indiv')!.header('ack')).toEqual(expect.any(String));
  });

  it('refuses an ACK on an auto subscription with invalid-ack', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/a');
    client.server.broker.publish('/topic/a', message('x'));
    const id = client.messages[0]!.header('message-id')!;
    client.send('ACK', { id, receipt: 'a' });
    expectError(client, 'invalid-ack', 'a');
  });

  it('refuses an ACK with an id from another session with invalid-ack', async () => {
    const server = testServer();
    const alice = await connectClient(server, 'alice');
    const bob = await connectClient(server, 'bob');
    alice.subscribe('s', '/topic/a', { ack: 'client-individual' });
    bob.subscribe('s', '/topic/a', { ack: 'client-individual' });
    const counts = zero();
    server.broker.publish('/topic/a', tracked('x', counts));
    const aliceAck = alice.messages[0]!.header('ack')!;
    bob.send('ACK', { id: aliceAck, receipt: 'steal' });
    expectError(bob, 'invalid-ack', 'steal');
    expect(counts.acks).toBe(0);
    alice.send('ACK', { id: aliceAck });
    expect(counts.acks).toBe(1);
    expectOpen(alice);
  });

  it('refuses an ACK of a made-up id, or one acknowledged already', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/a', { ack: 'client-individual' });
    client.server.broker.publish('/topic/a', message('x'));
    const ack = client.messages[0]!.header('ack')!;
    client.send('ACK', { id: ack });
    expectOpen(client);
    client.send('ACK', { id: ack, receipt: 'twice' });
    expectError(client, 'invalid-ack', 'twice');
  });

  it('refuses an ACK without id with bad-frame', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('ACK', { 'message-id': 'x', receipt: 'q' });
    expectError(client, 'bad-frame', 'q');
  });

  it('client mode is cumulative: ACK settles that message and every earlier one of the subscription', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/a', { ack: 'client' });
    client.subscribe('other', '/topic/b', { ack: 'client' });
    const counts = zero();
    const other = zero();
    for (let i = 1; i <= 4; i++) client.server.broker.publish('/topic/a', tracked(`m${i}`, counts));
    client.server.broker.publish('/topic/b', tracked('b1', other));
    const acks = client.messages.filter((m) => m.header('subscription') === 's').map((m) => m.header('ack')!);
    client.send('ACK', { id: acks[2]! });
    expect(counts).toEqual({ acks: 3, nacks: 0, lost: 0 });
    expect(other.acks).toBe(0);
    // m1..m3 are settled now; acknowledging one of them again is an error...
    client.send('ACK', { id: acks[3]! });
    expect(counts.acks).toBe(4);
    client.send('ACK', { id: acks[0]! });
    expectError(client, 'invalid-ack');
    // ... and the other subscription's unacknowledged message is lost with the session.
    expect(other).toEqual({ acks: 0, nacks: 0, lost: 1 });
  });

  it('client-individual mode settles only the message named', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/a', { ack: 'client-individual' });
    const counts = zero();
    for (let i = 1; i <= 3; i++) client.server.broker.publish('/topic/a', tracked(`m${i}`, counts));
    const acks = client.messages.map((m) => m.header('ack')!);
    client.send('ACK', { id: acks[1]! });
    expect(counts.acks).toBe(1);
    client.send('ACK', { id: acks[0]! });
    client.send('ACK', { id: acks[2]! });
    expect(counts).toEqual({ acks: 3, nacks: 0, lost: 0 });
    expectOpen(client);
  });

  it('reports unacknowledged topic messages as lost when the session closes', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/a', { ack: 'client-individual' });
    const counts = zero();
    client.server.broker.publish('/topic/a', tracked('1', counts));
    client.server.broker.publish('/topic/a', tracked('2', counts));
    client.send('ACK', { id: client.messages[0]!.header('ack')! });
    client.send('DISCONNECT');
    expect(counts).toEqual({ acks: 1, nacks: 0, lost: 1 });
  });

  it('NACK on a /queue subscription redelivers the message with redelivered:true', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('q', '/queue/jobs', { ack: 'client-individual' });
    const counts = zero();
    client.server.broker.publish('/queue/jobs', tracked('job-1', counts));
    const first = client.messages[0]!;
    expect(first.header('redelivered')).toBeUndefined();
    client.send('NACK', { id: first.header('ack')!, receipt: 'n' });
    const again = client.messages[1]!;
    expect(again.bodyText).toBe('job-1');
    expect(again.header('redelivered')).toBe('true');
    expect(again.header('ack')).not.toBe(first.header('ack'));
    expect(client.framesOf('RECEIPT').map((r) => r.header('receipt-id'))).toEqual(['n']);
    client.send('ACK', { id: again.header('ack')! });
    expect(counts).toEqual({ acks: 1, nacks: 0, lost: 0 });
    expectOpen(client);
  });

  it('NACK redelivers to another consumer of the queue when there is one', async () => {
    const server = testServer();
    const a = await connectClient(server, 'a');
    const b = await connectClient(server, 'b');
    a.subscribe('q', '/queue/jobs', { ack: 'client-individual' });
    b.subscribe('q', '/queue/jobs', { ack: 'client-individual' });
    server.broker.publish('/queue/jobs', message('job'));
    const [taker, other] = a.messages.length === 1 ? [a, b] : [b, a];
    taker.send('NACK', { id: taker.messages[0]!.header('ack')! });
    expect(other.messages.map((m) => [m.bodyText, m.header('redelivered')])).toEqual([['job', 'true']]);
  });

  it('NACK calls the message\u2019s onNack when it has one (no requeue)', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('q', '/queue/cmds', { ack: 'client-individual' });
    const counts = zero();
    client.server.broker.publish('/queue/cmds', tracked('cmd', counts, true));
    client.send('NACK', { id: client.messages[0]!.header('ack')! });
    expect(counts).toEqual({ acks: 0, nacks: 1, lost: 0 });
    expect(client.messages).toHaveLength(1);
  });

  it('NACK on a topic message without onNack reports it lost', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/a', { ack: 'client' });
    const counts = zero();
    client.server.broker.publish('/topic/a', tracked('1', counts));
    client.server.broker.publish('/topic/a', tracked('2', counts));
    client.send('NACK', { id: client.messages[1]!.header('ack')! });
    expect(counts).toEqual({ acks: 0, nacks: 0, lost: 2 });
    expect(client.messages).toHaveLength(2);
  });

  it('1.1: MESSAGE has no ack header and ACK names the message-id', async () => {
    const client = await connectClient(testServer(), 'alice', { 'accept-version': '1.1' });
    expect(client.session.version).toBe('1.1');
    client.subscribe('s', '/topic/a', { ack: 'client-individual' });
    const counts = zero();
    client.server.broker.publish('/topic/a', tracked('x', counts));
    const msg = client.messages[0]!;
    expect(msg.header('ack')).toBeUndefined();
    const messageId = msg.header('message-id')!;
    client.send('ACK', { subscription: 's', 'message-id': messageId, receipt: 'a11' });
    expect(counts.acks).toBe(1);
    expect(client.framesOf('RECEIPT').map((r) => r.header('receipt-id'))).toEqual(['a11']);
    expectOpen(client);
  });

  it('1.1: an ACK with only an id header is refused (bad-frame)', async () => {
    const client = await connectClient(testServer(), 'alice', { 'accept-version': '1.1' });
    client.subscribe('s', '/topic/a', { ack: 'client' });
    client.server.broker.publish('/topic/a', message('x'));
    client.send('ACK', { id: 'whatever' });
    expectError(client, 'bad-frame');
  });

  it('1.0: ACK names the message-id', async () => {
    const server = testServer();
    const client = new TestClient(server);
    client.send('CONNECT', { login: 'alice' });
    await settle();
    client.send('SUBSCRIBE', { destination: '/queue/q', ack: 'client' });
    const counts = zero();
    server.broker.publish('/queue/q', tracked('x', counts));
    client.send('ACK', { 'message-id': client.messages[0]!.header('message-id')! });
    expect(counts.acks).toBe(1);
  });

  it('UNSUBSCRIBE releases the subscription\u2019s unacknowledged messages (queue: redelivered elsewhere)', async () => {
    const server = testServer();
    const a = await connectClient(server, 'a');
    a.subscribe('q', '/queue/jobs', { ack: 'client' });
    server.broker.publish('/queue/jobs', message('job'));
    expect(a.messages).toHaveLength(1);
    const b = await connectClient(server, 'b');
    b.subscribe('q', '/queue/jobs', { ack: 'client' });
    a.send('UNSUBSCRIBE', { id: 'q' });
    expect(b.messages.map((m) => [m.bodyText, m.header('redelivered')])).toEqual([['job', 'true']]);
    expect(a.messages).toHaveLength(1);
  });

  it('a closed session\u2019s unacknowledged queue messages go to the queue backlog for the next consumer', async () => {
    const server = testServer();
    const a = await connectClient(server, 'a');
    a.subscribe('q', '/queue/jobs', { ack: 'client-individual' });
    server.broker.publish('/queue/jobs', message('j1'));
    server.broker.publish('/queue/jobs', message('j2'));
    a.session.transportClosed();
    const b = await connectClient(server, 'b');
    b.subscribe('q', '/queue/jobs');
    expect(b.messages.map((m) => [m.bodyText, m.header('redelivered')])).toEqual([
      ['j1', 'true'],
      ['j2', 'true'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('receipts', () => {
  async function ready(): Promise<TestClient> {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('existing', '/topic/x', { ack: 'client' });
    client.server.broker.publish('/topic/x', message('m'));
    client.send('BEGIN', { transaction: 'open-tx' });
    client.take();
    return client;
  }

  it.each<[string, (c: TestClient) => Record<string, string>]>([
    ['SEND', () => ({ destination: '/topic/x' })],
    ['SUBSCRIBE', () => ({ id: 'new', destination: '/topic/y' })],
    ['UNSUBSCRIBE', () => ({ id: 'existing' })],
    ['ACK', (c) => ({ id: c.messages[0]!.header('ack')! })],
    ['NACK', (c) => ({ id: c.messages[0]!.header('ack')! })],
    ['BEGIN', () => ({ transaction: 'tx-2' })],
    ['COMMIT', () => ({ transaction: 'open-tx' })],
    ['ABORT', () => ({ transaction: 'open-tx' })],
    ['DISCONNECT', () => ({})],
  ])('answers %s with a RECEIPT carrying its receipt id', async (command, headers) => {
    const client = await ready();
    client.send(command, { ...headers(client), receipt: `r-${command}` });
    await settle();
    const receipts = client.take().filter((f) => f.command === 'RECEIPT');
    expect(receipts.map((r) => r.header('receipt-id'))).toEqual([`r-${command}`]);
    expect(client.error).toBeUndefined();
  });

  it('sends no RECEIPT when none was asked for', async () => {
    const client = await ready();
    client.send('SEND', { destination: '/topic/none' }, 'x');
    client.send('SUBSCRIBE', { id: 'n', destination: '/topic/none' });
    await settle();
    expect(client.take().filter((f) => f.command === 'RECEIPT')).toHaveLength(0);
  });

  it('keeps receipt ids exactly, escapes included', async () => {
    const client = await ready();
    client.send('SUBSCRIBE', [['id', 'e'], ['destination', '/topic/e'], ['receipt', ' a\\cb ']]);
    expect(client.take()[0]!.header('receipt-id')).toBe(' a:b ');
  });

  it('DISCONNECT with a receipt: RECEIPT, then the connection closes without ERROR', async () => {
    const server = testServer();
    const client = await connectClient(server, 'alice');
    const onClose = jest.fn();
    server.hooks.onClose = onClose;
    client.send('DISCONNECT', { receipt: 'bye' });
    expect(client.connection.lastFrame!.command).toBe('RECEIPT');
    expect(client.connection.lastFrame!.header('receipt-id')).toBe('bye');
    expect(client.error).toBeUndefined();
    expect(client.connection.closed).toBe(true);
    expect(client.session.closedBecause).toEqual({ kind: 'client-disconnect' });
    expect(onClose).toHaveBeenCalledWith(client.session, { kind: 'client-disconnect' });
    expect(server.sessionCount).toBe(0);
  });

  it('ignores frames after DISCONNECT in the same chunk', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.raw(Buffer.concat([wire('DISCONNECT', { receipt: 'bye' }), wire('SUBSCRIBE', { id: 'x', destination: '/t', receipt: 'late' })]));
    expect(client.take().map((f) => f.header('receipt-id'))).toEqual(['bye']);
    expect(client.connection.writesAfterClose).toBe(0);
  });

  it('ERROR carries receipt-id when the offending frame had a receipt, and none otherwise', async () => {
    const a = await connectClient(testServer(), 'alice');
    a.send('UNSUBSCRIBE', { id: 'nope', receipt: 'with' });
    expectError(a, 'unknown-subscription', 'with');
    const b = await connectClient(testServer(), 'alice');
    b.send('UNSUBSCRIBE', { id: 'nope' });
    expectError(b, 'unknown-subscription', undefined);
  });
});

// ---------------------------------------------------------------------------------------------

describe('transactions', () => {
  it('buffers SENDs until COMMIT, then delivers them in order', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/tx');
    client.send('BEGIN', { transaction: 't1' });
    client.send('SEND', { destination: '/topic/tx', transaction: 't1', receipt: 's1' }, 'one');
    client.send('SEND', { destination: '/topic/tx', transaction: 't1' }, 'two');
    client.send('SEND', { destination: '/topic/tx' }, 'outside');
    await settle();
    expect(client.messages.map((m) => m.bodyText)).toEqual(['outside']);
    expect(client.framesOf('RECEIPT').map((r) => r.header('receipt-id'))).toEqual(['s1']);
    client.send('COMMIT', { transaction: 't1', receipt: 'c' });
    await settle();
    expect(client.messages.map((m) => m.bodyText)).toEqual(['outside', 'one', 'two']);
    expect(client.messages[1]!.header('transaction')).toBeUndefined();
    expect(client.framesOf('RECEIPT').map((r) => r.header('receipt-id'))).toEqual(['s1', 'c']);
  });

  it('commits through an async onSend, in order, before the COMMIT receipt', async () => {
    const handled: string[] = [];
    const client = await connectClient(
      testServer({
        onSend: async (_s, frame): Promise<SendOutcome> => {
          await settle(3);
          handled.push(frame.bodyText);
          return 'accepted';
        },
      }),
      'alice',
    );
    client.send('BEGIN', { transaction: 't' });
    client.send('SEND', { destination: '/app/x', transaction: 't' }, '1');
    client.send('SEND', { destination: '/app/x', transaction: 't' }, '2');
    client.send('COMMIT', { transaction: 't', receipt: 'c' });
    client.send('SEND', { destination: '/app/x', receipt: 'after' }, '3');
    await settle(100);
    expect(handled).toEqual(['1', '2', '3']);
    expect(client.framesOf('RECEIPT').map((r) => r.header('receipt-id'))).toEqual(['c', 'after']);
  });

  it('drops buffered SENDs on ABORT', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/tx');
    client.send('BEGIN', { transaction: 't1' });
    client.send('SEND', { destination: '/topic/tx', transaction: 't1' }, 'one');
    client.send('ABORT', { transaction: 't1', receipt: 'a' });
    await settle();
    expect(client.messages).toHaveLength(0);
    client.send('COMMIT', { transaction: 't1' });
    await settle();
    expectError(client, 'bad-frame');
    expect(client.messages).toHaveLength(0);
  });

  it('applies a transactional ACK at COMMIT', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.subscribe('s', '/topic/a', { ack: 'client-individual' });
    let acks = 0;
    client.server.broker.publish('/topic/a', message('x', { onAck: () => acks++ }));
    client.send('BEGIN', { transaction: 't' });
    client.send('ACK', { id: client.messages[0]!.header('ack')!, transaction: 't' });
    expect(acks).toBe(0);
    client.send('COMMIT', { transaction: 't' });
    await settle();
    expect(acks).toBe(1);
  });

  it.each([
    ['SEND', { destination: '/topic/x', transaction: 'ghost', receipt: 'g' }],
    ['ACK', { id: 'x', transaction: 'ghost', receipt: 'g' }],
    ['COMMIT', { transaction: 'ghost', receipt: 'g' }],
    ['ABORT', { transaction: 'ghost', receipt: 'g' }],
  ])('refuses %s naming an unknown transaction with bad-frame', async (command, headers) => {
    const client = await connectClient(testServer(), 'alice');
    client.send(command, headers);
    await settle();
    expectError(client, 'bad-frame', 'g');
  });

  it('refuses BEGIN of a transaction already begun, and BEGIN without a transaction header', async () => {
    const a = await connectClient(testServer(), 'alice');
    a.send('BEGIN', { transaction: 't' });
    a.send('BEGIN', { transaction: 't' });
    expectError(a, 'bad-frame');
    const b = await connectClient(testServer(), 'alice');
    b.send('BEGIN');
    expectError(b, 'bad-frame');
  });

  it('a committed transaction id can be begun again', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('BEGIN', { transaction: 't' });
    client.send('COMMIT', { transaction: 't' });
    await settle();
    client.send('BEGIN', { transaction: 't', receipt: 'again' });
    expectOpen(client);
  });

  it('discards an open transaction when the session closes', async () => {
    const server = testServer();
    const watcher = await connectClient(server, 'bob');
    watcher.subscribe('s', '/topic/tx');
    const client = await connectClient(server, 'alice');
    client.send('BEGIN', { transaction: 't' });
    client.send('SEND', { destination: '/topic/tx', transaction: 't' }, 'never');
    client.send('DISCONNECT');
    await settle();
    expect(watcher.messages).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('rate limit', () => {
  it('allows a burst, then refuses with rate-limited and retry-after', async () => {
    const client = await connectClient(testServer(), 'alice'); // CONNECT took one token
    for (let i = 0; i < 99; i++) client.send('SEND', { destination: '/topic/flood' }, String(i));
    await settle();
    expectOpen(client);
    client.send('SEND', { destination: '/topic/flood', receipt: 'too-much' }, 'x');
    const error = expectError(client, 'rate-limited', 'too-much');
    expect(Number(error.header('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(error.header('retry-after')).toMatch(/^[0-9]+$/);
  });

  it('refills at the configured rate', async () => {
    const client = await connectClient(testServer({}, { ratePerS: 10, rateBurst: 10 }), 'alice');
    for (let i = 0; i < 9; i++) client.send('SEND', { destination: '/topic/f' });
    jest.advanceTimersByTime(1_000);
    for (let i = 0; i < 10; i++) client.send('SEND', { destination: '/topic/f' });
    await settle();
    expectOpen(client);
    jest.advanceTimersByTime(99);
    client.send('SEND', { destination: '/topic/f' });
    expectError(client, 'rate-limited');
    expect(client.error!.header('retry-after')).toBe('1');
  });

  it('does not count heart-beat EOLs', async () => {
    const client = await connectClient(testServer({}, { ratePerS: 1, rateBurst: 2 }), 'alice');
    client.raw('\n'.repeat(1000));
    client.send('SEND', { destination: '/topic/f' });
    expectOpen(client);
  });

  it('a rate of 0 disables the limit', async () => {
    const client = await connectClient(testServer({}, { ratePerS: 0, rateBurst: 0 }), 'alice');
    for (let i = 0; i < 500; i++) client.send('SEND', { destination: '/topic/f' });
    await settle();
    expectOpen(client);
  });
});

// ---------------------------------------------------------------------------------------------

describe('token expiry', () => {
  it('ends an idle subscribed session with token-expired at its expiresAt instant', async () => {
    const expiresAt = T0 + 60_000;
    const client = await connectClient(testServer(), 'alice', { 'expires-at': String(expiresAt) });
    client.subscribe('s', '/topic/a');
    jest.advanceTimersByTime(59_999);
    expectOpen(client);
    jest.advanceTimersByTime(1);
    expect(Date.now()).toBe(expiresAt);
    expectError(client, 'token-expired');
    expect(client.server.broker.subscriberCount('/topic/a')).toBe(0);
  });

  it('handles expiries beyond the maximum timer delay', async () => {
    const expiresAt = T0 + 30 * 24 * 3600_000;
    const client = await connectClient(testServer(), 'alice', { 'expires-at': String(expiresAt) });
    jest.advanceTimersByTime(expiresAt - T0 - 1);
    expectOpen(client);
    jest.advanceTimersByTime(1);
    expectError(client, 'token-expired');
  });

  it('refuses a frame once the token has expired, even before the timer fires', async () => {
    const client = await connectClient(testServer(), 'alice', { 'expires-at': String(T0 + 1_000) });
    jest.setSystemTime(T0 + 1_000);
    client.send('SEND', { destination: '/topic/a', receipt: 'late' }, 'x');
    expectError(client, 'token-expired', 'late');
  });

  it('does not deliver to a session whose token has expired', async () => {
    const client = await connectClient(testServer(), 'alice', { 'expires-at': String(T0 + 1_000) });
    client.subscribe('s', '/topic/a');
    jest.setSystemTime(T0 + 1_000);
    client.server.broker.publish('/topic/a', message('secret'));
    expect(client.messages).toHaveLength(0);
    expectError(client, 'token-expired');
  });

  it('an Authorization header on a frame refreshes the token and keeps the session open past the old expiry', async () => {
    const refresh = jest.fn((authorization: string) => {
      const [name, at] = authorization.replace('Bearer ', '').split('@');
      return { name: name!, expiresAt: Number(at) };
    });
    const client = await connectClient(testServer({ refresh }), 'alice', { 'expires-at': String(T0 + 60_000) });
    client.subscribe('s', '/topic/a');
    jest.advanceTimersByTime(50_000);
    client.send('SEND', { destination: '/topic/a', Authorization: bearer('alice', T0 + 120_000), receipt: 'refreshed' }, 'x');
    await settle();
    expect(refresh).toHaveBeenCalledWith(bearer('alice', T0 + 120_000), { name: 'alice', expiresAt: T0 + 60_000 });
    expect(client.framesOf('RECEIPT').map((r) => r.header('receipt-id'))).toEqual(['refreshed']);
    expect(client.session.principal).toEqual({ name: 'alice', expiresAt: T0 + 120_000 });
    // The token header is not forwarded to subscribers.
    expect(client.messages[0]!.header('Authorization')).toBeUndefined();
    jest.advanceTimersByTime(60_000);
    expectOpen(client);
    jest.advanceTimersByTime(9_999);
    expectOpen(client);
    jest.advanceTimersByTime(1);
    expectError(client, 'token-expired');
  });

  it('accepts a lower-case authorization header too', async () => {
    const client = await connectClient(testServer(), 'alice', { 'expires-at': String(T0 + 10_000) });
    client.send('SUBSCRIBE', { id: 's', destination: '/topic/a', authorization: bearer('alice', T0 + 20_000) });
    await settle();
    jest.advanceTimersByTime(15_000);
    expectOpen(client);
  });

  it('a frame carrying a fresh token is accepted even after the old one expired', async () => {
    const client = await connectClient(testServer(), 'alice', { 'expires-at': String(T0 + 1_000) });
    jest.setSystemTime(T0 + 2_000);
    client.send('SUBSCRIBE', { id: 's', destination: '/topic/a', Authorization: bearer('alice', T0 + 60_000), receipt: 'ok' });
    await settle();
    expect(client.framesOf('RECEIPT')).toHaveLength(1);
    expectOpen(client);
  });

  it('refuses a refreshed token naming another subject with forbidden', async () => {
    const client = await connectClient(testServer(), 'alice', { 'expires-at': String(T0 + 60_000) });
    client.subscribe('s', '/topic/a');
    client.send('SEND', { destination: '/topic/a', Authorization: bearer('mallory', T0 + 120_000), receipt: 'swap' }, 'x');
    await settle();
    expectError(client, 'forbidden', 'swap');
    expect(client.messages).toHaveLength(0);
  });

  it('refuses an invalid refreshed token with the refresh hook\u2019s error', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.send('SEND', { destination: '/topic/a', Authorization: 'Basic nope', receipt: 'bad' }, 'x');
    await settle();
    expectError(client, 'unauthenticated', 'bad');
  });

  it('refuses a refresh to a token that has already expired, without processing the frame', async () => {
    const server = testServer();
    const watcher = await connectClient(server, 'bob');
    watcher.subscribe('s', '/topic/a');
    const client = await connectClient(server, 'alice', { 'expires-at': String(T0 + 60_000) });
    client.send('SEND', { destination: '/topic/a', Authorization: bearer('alice', T0 - 1), receipt: 'stale' }, 'x');
    await settle();
    expectError(client, 'token-expired', 'stale');
    expect(watcher.messages).toHaveLength(0);
  });

  it('never expires a principal without expiresAt', async () => {
    const client = await connectClient(testServer(), 'alice');
    jest.advanceTimersByTime(365 * 24 * 3600_000);
    expectOpen(client);
  });
});

// ---------------------------------------------------------------------------------------------

describe('outbound flow control (slow reader)', () => {
  const outbound = { highWaterBytes: 1_000, maxMessages: 3, maxBytes: 10_000 };

  async function slowReader(): Promise<{ server: StompServer<TestPrincipal>; client: TestClient }> {
    const server = testServer({}, { outbound });
    const client = await connectClient(server, 'wall');
    client.subscribe('dev', '/topic/devices');
    client.subscribe('alerts', '/topic/alerts');
    client.take();
    return { server, client };
  }
  const status = (device: string, state: string): BrokerMessage<TestPrincipal> =>
    message(`${device}=${state}`, { conflationKey: device });

  it('writes directly while the transport is under its high-water mark', async () => {
    const { server, client } = await slowReader();
    client.connection.pending = 1_000;
    server.broker.publish('/topic/devices', status('d1', 'OK'));
    expect(client.messages).toHaveLength(1);
    expect(client.session.queuedOutbound).toBe(0);
  });

  it('conflates status messages to the latest per key while the reader is slow, and flushes them in order on drain', async () => {
    const { server, client } = await slowReader();
    client.connection.pending = 5_000;
    const publish = (d: string, s: string): void => void server.broker.publish('/topic/devices', status(d, s));
    publish('d1', 'OK');
    publish('d2', 'OK');
    publish('d1', 'FAULT');
    publish('d3', 'OK');
    publish('d2', 'DEGRADED');
    for (let i = 0; i < 50; i++) publish('d1', `v${i}`);
    expect(client.messages).toHaveLength(0);
    expect(client.session.queuedOutbound).toBe(3);
    expectOpen(client);
    client.connection.drain();
    expect(client.messages.map((m) => m.bodyText)).toEqual(['d1=v49', 'd2=DEGRADED', 'd3=OK']);
    expect(client.session.queuedOutbound).toBe(0);
    publish('d1', 'after');
    expect(client.messages.map((m) => m.bodyText).at(-1)).toBe('d1=after');
  });

  it('keeps unconflatable messages in order with conflated ones', async () => {
    const { server, client } = await slowReader();
    client.connection.pending = 5_000;
    server.broker.publish('/topic/devices', status('d1', 'a'));
    server.broker.publish('/topic/alerts', message('alert-1'));
    server.broker.publish('/topic/devices', status('d1', 'b'));
    server.broker.publish('/topic/alerts', message('alert-2'));
    client.connection.drain();
    expect(client.messages.map((m) => m.bodyText)).toEqual(['d1=b', 'alert-1', 'alert-2']);
  });

  it('keeps queueing behind a non-empty queue even once the transport is below high water (order)', async () => {
    const { server, client } = await slowReader();
    client.connection.pending = 5_000;
    server.broker.publish('/topic/alerts', message('1'));
    client.connection.pending = 0; // no drain event yet
    server.broker.publish('/topic/alerts', message('2'));
    expect(client.messages).toHaveLength(0);
    client.connection.drain();
    expect(client.messages.map((m) => m.bodyText)).toEqual(['1', '2']);
  });

  it('flushes only while the transport stays under high water', async () => {
    const { server, client } = await slowReader();
    client.connection.pending = 5_000;
    for (let i = 1; i <= 3; i++) server.broker.publish('/topic/alerts', message(`a${i}`.padEnd(600, '.')));
    client.connection.accumulate = true;
    client.connection.drain(0);
    // The first write (~700 bytes) keeps pending under 1000, the second pushes it over.
    expect(client.messages).toHaveLength(2);
    expect(client.session.queuedOutbound).toBe(1);
    client.connection.drain(0);
    expect(client.messages).toHaveLength(3);
  });

  it('disconnects a reader too slow for unconflatable messages with slow-consumer', async () => {
    const { server, client } = await slowReader();
    let lost = 0;
    client.connection.pending = 5_000;
    for (let i = 1; i <= 3; i++) server.broker.publish('/topic/alerts', message(`alert-${i}`, { onLost: () => lost++ }));
    for (let i = 0; i < 100; i++) server.broker.publish('/topic/devices', status(`d${i % 5}`, String(i)));
    expectOpen(client);
    server.broker.publish('/topic/alerts', message('alert-4', { onLost: () => lost++ }));
    expectError(client, 'slow-consumer');
    expect(client.messages).toHaveLength(0);
    expect(lost).toBe(4);
    expect(server.broker.subscriberCount('/topic/alerts')).toBe(0);
  });

  it('disconnects a reader when queued bytes exceed maxBytes', async () => {
    const server = testServer({}, { outbound: { highWaterBytes: 0, maxMessages: 1000, maxBytes: 100 } });
    const client = await connectClient(server, 'wall');
    client.subscribe('dev', '/topic/devices');
    client.connection.pending = 1;
    server.broker.publish('/topic/devices', message('x'.repeat(60), { conflationKey: 'a' }));
    server.broker.publish('/topic/devices', message('x'.repeat(60), { conflationKey: 'b' }));
    expectError(client, 'slow-consumer');
  });

  it('drops what is queued for a subscription on UNSUBSCRIBE', async () => {
    const { server, client } = await slowReader();
    let lost = 0;
    client.connection.pending = 5_000;
    server.broker.publish('/topic/devices', status('d1', 'x'));
    server.broker.publish('/topic/alerts', message('keep'));
    server.broker.publish('/topic/devices', message('gone', { onLost: () => lost++ }));
    client.send('UNSUBSCRIBE', { id: 'dev' });
    client.connection.drain();
    expect(client.messages.map((m) => m.bodyText)).toEqual(['keep']);
    expect(lost).toBe(1);
  });

  it('gives a queue message waiting in a closed session\u2019s outbound buffer back to the queue', async () => {
    const server = testServer({}, { outbound });
    const slow = await connectClient(server, 'slow');
    slow.subscribe('q', '/queue/work');
    slow.connection.pending = 5_000;
    server.broker.publish('/queue/work', message('w1'));
    expect(slow.session.queuedOutbound).toBe(1);
    slow.session.transportClosed();
    const next = await connectClient(server, 'next');
    next.subscribe('q', '/queue/work');
    expect(next.messages.map((m) => m.bodyText)).toEqual(['w1']);
  });

  it('writes ack ids for queued client-ack messages only when they are flushed', async () => {
    const server = testServer({}, { outbound });
    const client = await connectClient(server, 'c');
    client.subscribe('s', '/topic/cmd', { ack: 'client-individual' });
    client.connection.pending = 5_000;
    let acks = 0;
    server.broker.publish('/topic/cmd', message('c1', { onAck: () => acks++ }));
    client.connection.drain();
    client.send('ACK', { id: client.messages[0]!.header('ack')! });
    expect(acks).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('after an ERROR', () => {
  it('the session is closed, later bytes are ignored, and the server\u2019s other sessions keep working', async () => {
    const server = testServer();
    const bystander = await connectClient(server, 'bob');
    bystander.subscribe('s', '/topic/news');
    const offender = await connectClient(server, 'alice');
    offender.subscribe('s', '/topic/news');
    offender.take();
    offender.send('FOO');
    expectError(offender, 'bad-frame');
    offender.send('SEND', { destination: '/topic/news' }, 'ghost');
    await settle();
    expect(offender.take().map((f) => f.command)).toEqual(['ERROR']);
    expect(server.broker.subscriberCount('/topic/news')).toBe(1);

    const newcomer = await connectClient(server, 'alice');
    newcomer.send('SEND', { destination: '/topic/news', receipt: 'n' }, 'fresh');
    await settle();
    expect(bystander.messages.map((m) => m.bodyText)).toEqual(['fresh']);
    expect(newcomer.framesOf('RECEIPT')).toHaveLength(1);
    expect(server.sessionCount).toBe(2);
  });

  it('a transport close cleans up without writing anything', async () => {
    const server = testServer();
    const onClose = jest.fn();
    server.hooks.onClose = onClose;
    const client = await connectClient(server, 'alice');
    client.subscribe('s', '/topic/a');
    client.session.transportClosed();
    expect(client.session.isClosed).toBe(true);
    expect(client.session.closedBecause).toEqual({ kind: 'transport-closed' });
    expect(client.take()).toHaveLength(0);
    expect(client.connection.closeCalls).toBe(0);
    expect(server.broker.subscriberCount('/topic/a')).toBe(0);
    expect(server.sessionCount).toBe(0);
    expect(onClose).toHaveBeenCalledWith(client.session, { kind: 'transport-closed' });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('fail() and close() are idempotent', async () => {
    const client = await connectClient(testServer(), 'alice');
    client.session.fail(new StompError('server-shutdown', 'bye'));
    client.session.fail(new StompError('bad-frame', 'again'));
    client.session.close();
    expect(client.framesOf('ERROR')).toHaveLength(1);
    expect(client.connection.closeCalls).toBe(1);
  });

  it('reports frames and errors to the observe hooks', async () => {
    const seen: string[] = [];
    const client = await connectClient(
      testServer({
        observe: {
          frameIn: (c) => seen.push(`in ${c}`),
          frameOut: (c) => seen.push(`out ${c}`),
          error: (code) => seen.push(`error ${code}`),
        },
      }),
      'alice',
    );
    client.send('UNSUBSCRIBE', { id: 'x' });
    expect(seen).toEqual(['in CONNECT', 'out CONNECTED', 'in UNSUBSCRIBE', 'error unknown-subscription', 'out ERROR']);
  });
});

describe('transaction bounds', () => {
  it('refuses a transaction past 100 frames with bad-frame, and the server serves the next client', async () => {
    const server = testServer({}, { ratePerS: 0 });
    const client = await connectClient(server, 'tx-big');
    client.send('BEGIN', { transaction: 't1' });
    for (let i = 0; i < 100; i++) client.send('SEND', { destination: '/topic/x', transaction: 't1' }, 'x');
    await settle();
    expect(client.error).toBeUndefined();
    client.send('SEND', { destination: '/topic/x', transaction: 't1', receipt: 'r101' }, 'x');
    await settle();
    expect(client.error?.header('error-code')).toBe('bad-frame');
    expect(client.error?.header('receipt-id')).toBe('r101');
    expect(client.session.isClosed).toBe(true);
    await connectClient(server, 'next');
  });

  it('refuses a 9th open transaction', async () => {
    const server = testServer();
    const client = await connectClient(server, 'tx-many');
    for (let i = 0; i < 8; i++) client.send('BEGIN', { transaction: `t${i}` });
    await settle();
    expect(client.error).toBeUndefined();
    client.send('BEGIN', { transaction: 't8' });
    await settle();
    expect(client.error?.header('error-code')).toBe('bad-frame');
  });
});
