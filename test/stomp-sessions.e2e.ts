import { connect, type Socket } from 'node:net';
import { RawStompClient } from './support/raw-stomp';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * Session lifetime against a real server: heart-beat negotiation and enforcement, a session
 * closed at its token's expiry instant and kept open by an in-band refresh, and a slow reader
 * conflated on status topics but disconnected when commands back up.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ STOMP_HEARTBEAT_MS: '200', STOMP_OUTBOUND_MAX_MESSAGES: '50' });
});

afterAll(async () => {
  await server.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('heart-beats', () => {
  it('negotiates with the MAX rule and reports the server offer', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    try {
      const frame = await client.connect(server.deviceToken('hb-neg'), { 'heart-beat': '500,0' });
      expect(frame.header('heart-beat')).toBe('200,200');
      const session = server.gateway.server.sessionsOf('hb-neg')[0]!;
      // client can send every 500, server wants 200 -> expects every 500; client wants none -> server sends none
      expect(session.heartbeatTerms).toEqual({ sendEveryMs: 0, expectEveryMs: 500 });
    } finally {
      client.close();
    }
  });

  it('uses 0,0 when the client sends no heart-beat header', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    try {
      await client.connect(server.deviceToken('hb-none'));
      expect(server.gateway.server.sessionsOf('hb-none')[0]!.heartbeatTerms).toEqual({ sendEveryMs: 0, expectEveryMs: 0 });
    } finally {
      client.close();
    }
  });

  it('refuses an invalid heart-beat header', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    const frame = await client.connect(server.deviceToken('hb-bad'), { 'heart-beat': '-1,abc' });
    expect(frame.command).toBe('ERROR');
    expect(frame.header('error-code')).toBe('bad-frame');
    await client.waitClosed();
  });

  it('closes a silent client after 2x the interval, keeps one alive by EOLs, and sends its own', async () => {
    const silent = await RawStompClient.tcp(server.tcpPort);
    const chatty = await RawStompClient.tcp(server.tcpPort);
    try {
      await silent.connect(server.deviceToken('hb-silent'), { 'heart-beat': '200,200' });
      await chatty.connect(server.deviceToken('hb-chatty'), { 'heart-beat': '200,200' });
      const ticker = setInterval(() => chatty.write('\n'), 100);
      try {
        const error = await silent.nextOf('ERROR', 3000);
        expect(error.header('error-code')).toBe('heartbeat-timeout');
        await silent.waitClosed();
        await sleep(800);
        expect(chatty.closed).toBe(false);
        expect(chatty.heartbeats).toBeGreaterThan(1);
      } finally {
        clearInterval(ticker);
      }
    } finally {
      silent.close();
      chatty.close();
    }
  });
});

describe('token expiry', () => {
  it('closes a subscribed, idle session at its token expiry instant', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    try {
      const token = server.deviceToken('exp-idle', 'GATE', 2);
      const t0 = Date.now();
      await client.connect(token);
      client.send('SUBSCRIBE', { id: 'c', destination: '/user/queue/commands' });
      const error = await client.nextOf('ERROR', 5000);
      expect(error.header('error-code')).toBe('token-expired');
      expect(Date.now() - t0).toBeLessThan(3500);
      await client.waitClosed();
    } finally {
      client.close();
    }
  });

  it('stays open past the first expiry after an in-band refresh', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    try {
      await client.connect(server.deviceToken('exp-refresh', 'GATE', 2));
      client.send('SUBSCRIBE', { id: 'c', destination: '/user/queue/commands', Authorization: `Bearer ${server.deviceToken('exp-refresh', 'GATE', 60)}`, receipt: 'r' });
      expect((await client.next()).header('receipt-id')).toBe('r');
      await sleep(2600);
      expect(client.closed).toBe(false);
      client.send('SEND', { destination: '/app/heartbeat', receipt: 'still' }, '{"seq":1,"status":"OK"}');
      expect((await client.next()).header('receipt-id')).toBe('still');
    } finally {
      client.close();
    }
  });
});

describe('slow readers', () => {
  /** An operator over TCP that stops reading after CONNECTED+SUBSCRIBE, so the kernel buffers fill. */
  async function stalledSubscriber(name: string, destination: string): Promise<Socket> {
    const socket = connect(server.tcpPort, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.setNoDelay(true);
    const token = server.token({ sub: name, role: name.startsWith('dev') ? 'DEVICE' : 'OPERATOR', deviceType: name.startsWith('dev') ? 'GATE' : undefined });
    socket.write(`CONNECT\naccept-version:1.2\nAuthorization:Bearer ${token}\n\n\0SUBSCRIBE\nid:1\ndestination:${destination}\nreceipt:ok\n\n\0`);
    // wait until subscribed, then stop reading
    await new Promise<void>((resolve) => {
      let seen = '';
      const onData = (chunk: Buffer): void => {
        seen += chunk.toString();
        if (seen.includes('receipt-id:ok')) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
    });
    socket.pause();
    return socket;
  }

  it('conflates status topics to the latest value per entity, with bounded memory', async () => {
    const socket = await stalledSubscriber('op-slow', '/topic/devices');
    const session = server.gateway.server.sessionsOf('op-slow')[0]!;
    const padding = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 3000; i++) {
      await server.gateway.publishTopic({
        destination: '/topic/devices',
        payload: { kind: 'device.state-changed', deviceId: `d${i % 10}`, seq: i, padding },
        conflationKey: `d${i % 10}`,
      });
    }
    // 48 MB published; the reader is stalled, so most of it waited and was conflated per device
    expect(session.isClosed).toBe(false);
    expect(session.queuedOutbound).toBeGreaterThan(0);
    expect(session.queuedOutbound).toBeLessThanOrEqual(10);

    // resume: the last message for each device is the newest one published
    const latest = new Map<string, number>();
    let received = 0;
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let end: number;
      while ((end = buffered.indexOf('\0')) >= 0) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        const json = frame.slice(frame.indexOf('\n\n') + 2);
        if (!frame.trimStart().startsWith('MESSAGE')) continue;
        const body = JSON.parse(json) as { deviceId: string; seq: number };
        latest.set(body.deviceId, body.seq);
        received++;
      }
    });
    socket.resume();
    const deadline = Date.now() + 10_000;
    while ((latest.get('d9') ?? 0) !== 2999 && Date.now() < deadline) await sleep(50);
    for (let d = 0; d < 10; d++) expect(latest.get(`d${d}`)).toBe(2990 + d);
    expect(received).toBeLessThan(3000);
    socket.destroy();
  });

  it('disconnects a reader that lets commands back up, with a reason', async () => {
    const socket = await stalledSubscriber('dev-slow', '/user/queue/commands');
    const session = server.gateway.server.sessionsOf('dev-slow')[0]!;
    const padding = 'y'.repeat(16 * 1024);
    for (let i = 0; i < 3000 && !session.isClosed; i++) {
      await server.gateway.sendToUser({ user: 'dev-slow', destination: '/user/queue/commands', payload: { commandId: `c${i}`, padding } });
    }
    expect(session.isClosed).toBe(true);
    expect(session.closedBecause).toMatchObject({ kind: 'error', code: 'slow-consumer' });
    socket.destroy();
  });
});
