import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { MessageBus } from '@landside/bus';
import { INGRESS_CHANNELS, type CommandRequested } from '@landside/contracts';
import type { StompFrame } from '@landside/stomp';
import { RawStompClient } from './support/raw-stomp';
import { startTestServer, TEST_JWT_SECRET, type TestServer } from './support/test-server';

/**
 * Every refusal gets an ERROR with its stable `error-code`, the connection closes, and the server
 * then serves the next client. Hand-written frames over TCP and WebSocket, so nothing in a client
 * library smooths over what the server actually sent.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ STOMP_CONNECT_TIMEOUT_MS: '500', STOMP_RATE_PER_S: '20', STOMP_RATE_BURST: '40' });
});

afterAll(async () => {
  await server.close();
});

function forge(payload: object, options: jwt.SignOptions = {}, secret: jwt.Secret = TEST_JWT_SECRET): string {
  const defaults: jwt.SignOptions = 'exp' in payload ? {} : { expiresIn: 300 };
  return jwt.sign({ role: 'DEVICE', deviceType: 'GATE', ...payload }, secret, {
    algorithm: 'HS256',
    issuer: 'landside',
    audience: 'landside',
    ...defaults,
    ...options,
  });
}

function unsigned(payload: object): string {
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: 'gate-1', role: 'ADMIN', iss: 'landside', aud: 'landside', iat: now, exp: now + 300, ...payload })}.`;
}

/** After a refusal, a fresh client must still connect and get a receipt. */
async function serverStillServes(): Promise<void> {
  const client = await RawStompClient.tcp(server.tcpPort);
  try {
    expect((await client.connect(server.deviceToken(`next-${Math.random()}`))).command).toBe('CONNECTED');
    client.send('SEND', { destination: '/app/heartbeat', receipt: 'alive' }, '{"seq":1,"status":"OK"}');
    expect((await client.next()).header('receipt-id')).toBe('alive');
  } finally {
    client.close();
  }
}

async function expectError(client: RawStompClient, code: string, already?: StompFrame): Promise<StompFrame> {
  const frame = already?.command === 'ERROR' ? already : await client.nextOf('ERROR');
  expect(frame.header('error-code')).toBe(code);
  expect(frame.header('message')).toBeTruthy();
  expect(frame.bodyText.length).toBeGreaterThan(0);
  await client.waitClosed();
  return frame;
}

describe('authentication on CONNECT', () => {
  const cases: Array<[string, () => string | undefined, string]> = [
    ['no token', () => undefined, 'unauthenticated'],
    ['a bad signature', () => forge({ sub: 'gate-1' }, {}, 'another-secret-another-secret-another'), 'unauthenticated'],
    ['an expired token', () => forge({ sub: 'gate-1', exp: Math.floor(Date.now() / 1000) - 10 }), 'token-expired'],
    ['a wrong audience', () => forge({ sub: 'gate-1' }, { audience: 'someone-else' }), 'unauthenticated'],
    ['a wrong issuer', () => forge({ sub: 'gate-1' }, { issuer: 'evil' }), 'unauthenticated'],
    ['alg:none', () => unsigned({}), 'unauthenticated'],
    ['a token with no role', () => jwt.sign({ sub: 'x' }, TEST_JWT_SECRET, { issuer: 'landside', audience: 'landside', expiresIn: 60 }), 'unauthenticated'],
  ];

  it.each(cases)('refuses %s', async (_name, token, code) => {
    const client = await RawStompClient.tcp(server.tcpPort);
    await expectError(client, code, await client.connect(token()));
    await serverStillServes();
  });

  it('accepts the JWT as passcode', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    try {
      client.send('CONNECT', { 'accept-version': '1.2', host: 'x', login: 'gate-pass', passcode: server.deviceToken('gate-pass') });
      expect((await client.next()).command).toBe('CONNECTED');
    } finally {
      client.close();
    }
  });
});

describe('authorization of every frame', () => {
  async function connectedDevice(id: string): Promise<RawStompClient> {
    const client = await RawStompClient.tcp(server.tcpPort);
    expect((await client.connect(server.deviceToken(id))).command).toBe('CONNECTED');
    return client;
  }

  it('refuses a device sending to another device destination', async () => {
    const client = await connectedDevice('gate-a');
    client.send('SEND', { destination: '/user/gate-b/queue/commands', receipt: 'r1' }, '{}');
    const error = await expectError(client, 'forbidden');
    expect(error.header('receipt-id')).toBe('r1');
    await serverStillServes();
  });

  it('refuses a device subscribing to /topic/alerts', async () => {
    const client = await connectedDevice('gate-c');
    client.send('SUBSCRIBE', { id: '1', destination: '/topic/alerts' });
    await expectError(client, 'forbidden');
    await serverStillServes();
  });

  it('refuses an operator publishing onto a topic', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    await client.connect(server.token({ sub: 'op-x', role: 'OPERATOR' }));
    client.send('SEND', { destination: '/topic/commands' }, '{}');
    await expectError(client, 'forbidden');
    await serverStillServes();
  });

  it('refuses an operator sending a command that is not safe, and passes a safe one on', async () => {
    const requested: CommandRequested[] = [];
    const off = await server.app.get(MessageBus).subscribe<CommandRequested>(INGRESS_CHANNELS.commandRequested, (e) => requested.push(e));
    try {
      const ok = await RawStompClient.tcp(server.tcpPort);
      await ok.connect(server.token({ sub: 'op-cmd', role: 'OPERATOR' }));
      ok.send('SEND', { destination: '/app/commands', receipt: 'open' }, JSON.stringify({ deviceId: 'gate-1', type: 'OPEN_GATE' }));
      expect((await ok.next()).header('receipt-id')).toBe('open');
      expect(requested).toHaveLength(1);
      expect(requested[0]).toMatchObject({ request: { deviceId: 'gate-1', type: 'OPEN_GATE' }, requestedBy: { sub: 'op-cmd', role: 'OPERATOR' }, replyTo: { user: 'op-cmd', correlationId: 'open' } });
      ok.close();

      const client = await RawStompClient.tcp(server.tcpPort);
      await client.connect(server.token({ sub: 'op-cmd2', role: 'OPERATOR' }));
      client.send('SEND', { destination: '/app/commands', receipt: 'reboot' }, JSON.stringify({ deviceId: 'gate-1', type: 'REBOOT' }));
      const error = await expectError(client, 'forbidden');
      expect(error.header('receipt-id')).toBe('reboot');
      expect(requested).toHaveLength(1);
    } finally {
      await off();
    }
    await serverStillServes();
  });

  it('refuses a zone-scoped operator subscribing to another zone', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    await client.connect(server.token({ sub: 'op-z', role: 'OPERATOR', zones: ['T1'] }));
    client.send('SUBSCRIBE', { id: 'a', destination: '/topic/zones/T1/devices', receipt: 'ok' });
    expect((await client.next()).header('receipt-id')).toBe('ok');
    client.send('SUBSCRIBE', { id: 'b', destination: '/topic/zones/T2/devices' });
    await expectError(client, 'forbidden');
    await serverStillServes();
  });

  it('refuses a per-frame token that names another subject', async () => {
    const client = await connectedDevice('gate-d');
    client.send('SEND', { destination: '/app/heartbeat', Authorization: `Bearer ${server.deviceToken('gate-e')}` }, '{"seq":1,"status":"OK"}');
    await expectError(client, 'forbidden');
    await serverStillServes();
  });

  it('refuses a per-frame token with a bad signature', async () => {
    const client = await connectedDevice('gate-f');
    client.send('SEND', { destination: '/app/heartbeat', Authorization: `Bearer ${forge({ sub: 'gate-f' }, {}, 'x'.repeat(40))}` }, '{"seq":1,"status":"OK"}');
    await expectError(client, 'unauthenticated');
    await serverStillServes();
  });
});

describe('protocol limits', () => {
  it('refuses an oversized frame before CONNECTED (8 KiB) and after (64 KiB)', async () => {
    const early = await RawStompClient.tcp(server.tcpPort);
    early.send('CONNECT', { 'accept-version': '1.2', junk: 'x'.repeat(9 * 1024) });
    await expectError(early, 'frame-too-large');

    const late = await RawStompClient.tcp(server.tcpPort);
    await late.connect(server.deviceToken('gate-big'));
    late.send('SEND', { destination: '/app/heartbeat' }, 'x'.repeat(65 * 1024));
    await expectError(late, 'frame-too-large');
    await serverStillServes();
  });

  it('refuses a 33rd subscription', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    await client.connect(server.token({ sub: 'op-subs', role: 'OPERATOR' }));
    for (let i = 0; i < 32; i++) client.send('SUBSCRIBE', { id: `s${i}`, destination: '/topic/devices' });
    client.send('SUBSCRIBE', { id: 's32', destination: '/topic/devices', receipt: 'r33' });
    const error = await expectError(client, 'too-many-subscriptions');
    expect(error.header('receipt-id')).toBe('r33');
    await serverStillServes();
  });

  it('refuses a malformed frame', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    await client.connect(server.deviceToken('gate-mal'));
    client.write('SEND\ndestination:/app/heartbeat\nno-colon-here\n\n{}\0');
    await expectError(client, 'bad-frame');
    await serverStillServes();
  });

  it('refuses an unknown command', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    await client.connect(server.deviceToken('gate-unk'));
    client.write('FLY\ndestination:/app/heartbeat\n\n\0');
    await expectError(client, 'bad-frame');
    await serverStillServes();
  });

  it('refuses an undefined escape and a negative content-length', async () => {
    const a = await RawStompClient.tcp(server.tcpPort);
    await a.connect(server.deviceToken('gate-esc'));
    a.write('SEND\ndestination:/app/he\\tartbeat\n\n{}\0');
    await expectError(a, 'bad-frame');
    const b = await RawStompClient.tcp(server.tcpPort);
    await b.connect(server.deviceToken('gate-cl'));
    b.write('SEND\ndestination:/app/heartbeat\ncontent-length:-5\n\n{}\0');
    await expectError(b, 'bad-frame');
    await serverStillServes();
  });

  it('refuses a frame flood with rate-limited and retry-after', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    await client.connect(server.deviceToken('gate-flood'));
    let flood = '';
    for (let i = 0; i < 200; i++) flood += `SEND\ndestination:/app/heartbeat\n\n{"seq":${i},"status":"OK"}\0`;
    client.write(flood);
    const error = await expectError(client, 'rate-limited');
    expect(Number(error.header('retry-after'))).toBeGreaterThanOrEqual(1);
    await serverStillServes();
  });

  it('closes a connection that sends no CONNECT within the login timeout', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    await expectError(client, 'connect-timeout');
    await serverStillServes();
  });

  it('refuses frames before CONNECT and a second CONNECT', async () => {
    const a = await RawStompClient.tcp(server.tcpPort);
    a.send('SEND', { destination: '/app/heartbeat', receipt: 'early' }, '{}');
    expect((await expectError(a, 'bad-frame')).header('receipt-id')).toBe('early');
    const b = await RawStompClient.tcp(server.tcpPort);
    await b.connect(server.deviceToken('gate-twice'));
    b.send('CONNECT', { 'accept-version': '1.2', Authorization: `Bearer ${server.deviceToken('gate-twice')}` });
    await expectError(b, 'bad-frame');
    await serverStillServes();
  });

  it('refuses a client with no shared version, naming the versions it supports', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    const error = await client.connect(server.deviceToken('gate-v'), { 'accept-version': '2.0' });
    expect(error.command).toBe('ERROR');
    expect(error.header('error-code')).toBe('unsupported-version');
    expect(error.header('version')).toBe('1.0,1.1,1.2');
    await client.waitClosed();
    await serverStillServes();
  });

  it('refuses a WebSocket from a foreign Origin and serves an allowed one', async () => {
    await expect(RawStompClient.ws(server.wsUrl, ['v12.stomp'], { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    const ok = await RawStompClient.ws(server.wsUrl, ['v12.stomp'], { Origin: 'http://localhost:3000' });
    try {
      expect((await ok.connect(server.deviceToken('gate-origin'))).command).toBe('CONNECTED');
    } finally {
      ok.close();
    }
  });
});

describe('one session per device: the newest wins', () => {
  it('closes the older session with session-replaced', async () => {
    const first = await RawStompClient.tcp(server.tcpPort);
    await first.connect(server.deviceToken('gate-dup'));
    const second = await RawStompClient.tcp(server.tcpPort);
    expect((await second.connect(server.deviceToken('gate-dup'))).command).toBe('CONNECTED');
    await expectError(first, 'session-replaced');
    second.send('DISCONNECT', { receipt: 'x' });
    await second.next();
    second.close();
  });

  it('refuses a 6th concurrent operator session with too-many-sessions', async () => {
    const clients: RawStompClient[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const c = await RawStompClient.tcp(server.tcpPort);
        expect((await c.connect(server.token({ sub: 'op-many', role: 'OPERATOR' }))).command).toBe('CONNECTED');
        clients.push(c);
      }
      const sixth = await RawStompClient.tcp(server.tcpPort);
      await expectError(sixth, 'too-many-sessions', await sixth.connect(server.token({ sub: 'op-many', role: 'OPERATOR' })));
    } finally {
      for (const c of clients) c.close();
    }
    await serverStillServes();
  });
});

describe('HS/RS confusion', () => {
  let rsServer: TestServer;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  beforeAll(async () => {
    rsServer = await startTestServer({ JWT_PUBLIC_KEY: publicPem, JWT_PRIVATE_KEY: privatePem, JWT_SECRET: '' }, 'pglite');
  });
  afterAll(async () => {
    await rsServer.close();
  });

  it('refuses an HS256 token signed with the RS public key, accepts RS256', async () => {
    // Signed by hand: the classic attack uses the server's public key as an HMAC secret.
    const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsignedPart = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: 'gate-1', role: 'DEVICE', iss: 'landside', aud: 'landside', iat: now, exp: now + 60 })}`;
    const confused = `${unsignedPart}.${createHmac('sha256', publicPem).update(unsignedPart).digest('base64url')}`;
    const bad = await RawStompClient.tcp(rsServer.tcpPort);
    await expectError(bad, 'unauthenticated', await bad.connect(confused));

    const good = await RawStompClient.tcp(rsServer.tcpPort);
    try {
      expect((await good.connect(rsServer.deviceToken('gate-rs'))).command).toBe('CONNECTED');
    } finally {
      good.close();
    }
  });
});
