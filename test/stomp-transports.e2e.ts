import { Client, type IMessage } from '@stomp/stompjs';
import SockJS from 'sockjs-client';
import WebSocket from 'ws';
import { MessageBus } from '@landside/bus';
import { INGRESS_CHANNELS, type DeviceHeartbeatReceived } from '@landside/contracts';
import { RawStompClient } from './support/raw-stomp';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * The same device flow over all three transports with real clients: @stomp/stompjs over `ws`,
 * @stomp/stompjs over `sockjs-client`, and hand-written frames over TCP. One frame handler
 * behind them, so the observable behaviour must be identical.
 */
let server: TestServer;
let bus: MessageBus;
const heartbeats: DeviceHeartbeatReceived[] = [];

beforeAll(async () => {
  server = await startTestServer();
  bus = server.app.get(MessageBus);
  await bus.subscribe<DeviceHeartbeatReceived>(INGRESS_CHANNELS.heartbeat, (e) => heartbeats.push(e));
});

afterAll(async () => {
  await server.close();
});

function stompClient(factory: () => unknown, token: string): Client {
  return new Client({
    webSocketFactory: factory as () => WebSocket,
    connectHeaders: { Authorization: `Bearer ${token}` },
    reconnectDelay: 0,
    heartbeatIncoming: 0,
    heartbeatOutgoing: 0,
  });
}

function connected(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    client.onConnect = () => resolve();
    client.onStompError = (frame) => reject(new Error(`${frame.headers['error-code']}: ${frame.headers.message}`));
    client.onWebSocketError = () => reject(new Error('websocket error'));
    client.activate();
  });
}

function nextMessage(client: Client, destination: string): Promise<IMessage> {
  return new Promise((resolve) => {
    const sub = client.subscribe(destination, (message) => {
      sub.unsubscribe();
      resolve(message);
    });
  });
}

async function deviceRoundTrip(client: Client, deviceId: string): Promise<void> {
  // subscribe to commands with a receipt, so we know the subscription is live
  const subscribed = new Promise<void>((resolve) => client.watchForReceipt('sub-1', () => resolve()));
  const received = new Promise<IMessage>((resolve) => {
    client.subscribe('/user/queue/commands', (m) => resolve(m), { ack: 'client-individual', receipt: 'sub-1' });
  });
  await subscribed;

  // heartbeat with a receipt: the receipt comes after the event reached the bus
  const before = heartbeats.length;
  const receipted = new Promise<void>((resolve) => client.watchForReceipt('hb-1', () => resolve()));
  client.publish({
    destination: '/app/heartbeat',
    body: JSON.stringify({ seq: 1, status: 'OK', uptimeS: 12, firmware: '1.0.0' }),
    headers: { 'content-type': 'application/json', receipt: 'hb-1' },
  });
  await receipted;
  const mine = heartbeats.slice(before).filter((h) => h.deviceId === deviceId);
  expect(mine).toHaveLength(1);
  expect(mine[0]!.heartbeat).toMatchObject({ seq: 1, status: 'OK', uptimeS: 12 });

  // the server sends to this device's own queue
  await server.gateway.sendToUser({
    user: deviceId,
    destination: '/user/queue/commands',
    payload: { commandId: 'c-1', type: 'OPEN_GATE', params: {} },
    headers: [['command-id', 'c-1']],
  });
  const message = await received;
  expect(message.headers['command-id']).toBe('c-1');
  expect(JSON.parse(message.body)).toMatchObject({ commandId: 'c-1', type: 'OPEN_GATE' });
  expect(message.headers.ack).toBeDefined();
  message.ack();
}

describe('@stomp/stompjs over WebSocket', () => {
  it('connects with a device token, subscribes, sends with receipt and receives', async () => {
    const client = stompClient(() => new WebSocket(server.wsUrl, ['v12.stomp', 'v11.stomp']), server.deviceToken('gate-ws'));
    await connected(client);
    try {
      expect(client.connectedVersion).toBe('1.2');
      await deviceRoundTrip(client, 'gate-ws');
    } finally {
      await client.deactivate();
    }
  });

  it('delivers topic messages to an operator', async () => {
    const client = stompClient(() => new WebSocket(server.wsUrl, ['v12.stomp']), server.token({ sub: 'op-1', role: 'OPERATOR' }));
    await connected(client);
    try {
      const got = nextMessage(client, '/topic/devices');
      // let the SUBSCRIBE reach the server before publishing
      await new Promise((r) => setTimeout(r, 50));
      await server.gateway.publishTopic({ destination: '/topic/devices', payload: { kind: 'device.state-changed', deviceId: 'g1' } });
      const message = await got;
      expect(JSON.parse(message.body)).toEqual({ kind: 'device.state-changed', deviceId: 'g1' });
      expect(message.headers['content-type']).toBe('application/json');
    } finally {
      await client.deactivate();
    }
  });
});

describe('@stomp/stompjs over SockJS', () => {
  it('connects with a device token, subscribes, sends with receipt and receives', async () => {
    const client = stompClient(() => new SockJS(server.sockjsUrl), server.deviceToken('gate-sockjs'));
    await connected(client);
    try {
      await deviceRoundTrip(client, 'gate-sockjs');
    } finally {
      await client.deactivate();
    }
  });

  it.each(['xhr-streaming', 'xhr-polling'])('works when forced to %s', async (transport) => {
    const client = stompClient(() => new SockJS(server.sockjsUrl, null, { transports: [transport] }), server.deviceToken(`gate-${transport}`));
    await connected(client);
    try {
      await deviceRoundTrip(client, `gate-${transport}`);
    } finally {
      await client.deactivate();
    }
  });
});

describe('hand-written frames over TCP', () => {
  it('connects, subscribes, sends with receipt and receives', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    try {
      const connectedFrame = await client.connect(server.deviceToken('gate-tcp'));
      expect(connectedFrame.command).toBe('CONNECTED');
      expect(connectedFrame.header('version')).toBe('1.2');
      expect(connectedFrame.header('heart-beat')).toBe('10000,10000');
      expect(connectedFrame.header('user-name')).toBe('gate-tcp');

      client.send('SUBSCRIBE', { id: 'cmds', destination: '/user/queue/commands', ack: 'client-individual', receipt: 'r-sub' });
      expect((await client.next()).header('receipt-id')).toBe('r-sub');

      const body = JSON.stringify({ seq: 7, status: 'DEGRADED', components: { printer: { status: 'DEGRADED', code: 'PAPER_LOW' } } });
      client.send('SEND', { destination: '/app/heartbeat', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), receipt: 'r-hb' }, body);
      const receipt = await client.next();
      expect(receipt.command).toBe('RECEIPT');
      expect(receipt.header('receipt-id')).toBe('r-hb');
      expect(heartbeats.find((h) => h.deviceId === 'gate-tcp')?.heartbeat.components?.printer?.code).toBe('PAPER_LOW');

      await server.gateway.sendToUser({ user: 'gate-tcp', destination: '/user/queue/commands', payload: { commandId: 'c-9' }, headers: [['command-id', 'c-9']] });
      const message = await client.next();
      expect(message.command).toBe('MESSAGE');
      expect(message.header('subscription')).toBe('cmds');
      expect(message.header('command-id')).toBe('c-9');
      expect(message.header('destination')).toBe('/user/queue/commands');
      client.send('ACK', { id: message.header('ack')!, receipt: 'r-ack' });
      expect((await client.next()).header('receipt-id')).toBe('r-ack');

      client.send('DISCONNECT', { receipt: 'bye' });
      expect((await client.next()).header('receipt-id')).toBe('bye');
      await client.waitClosed();
    } finally {
      client.close();
    }
  });
});

describe('JSON bodies are validated without closing the connection', () => {
  it('refuses a body class-transformer cannot read (nested truthy `constructor`) as a bad body, not a server error', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    try {
      await client.connect(server.token({ sub: 'admin-odd-body', role: 'ADMIN' }));
      client.send('SUBSCRIBE', { id: 'errs', destination: '/user/queue/errors', receipt: 'r0' });
      await client.nextOf('RECEIPT');
      const odd = '{"deviceId":"gate-1","type":"OPEN_GATE","params":{"constructor":{"y":1}}}';
      client.send('SEND', { destination: '/app/commands', receipt: 'odd' }, odd);
      const refusal = await client.next();
      expect(refusal.command).toBe('MESSAGE');
      expect(JSON.parse(refusal.bodyText)).toMatchObject({ error: 'validation-failed', destination: '/app/commands', receipt: 'odd' });
      // the session goes on: a frame after it is answered
      client.send('SUBSCRIBE', { id: 'more', destination: '/topic/commands', receipt: 'r1' });
      expect((await client.nextOf('RECEIPT')).header('receipt-id')).toBe('r1');
      expect(client.closed).toBe(false);
    } finally {
      client.close();
    }
  });

  it('answers a bad body on /user/queue/errors, drops the frame, sends no receipt, keeps serving', async () => {
    const client = await RawStompClient.tcp(server.tcpPort);
    try {
      await client.connect(server.deviceToken('gate-badbody'));
      client.send('SUBSCRIBE', { id: 'errs', destination: '/user/queue/errors', receipt: 'r0' });
      await client.nextOf('RECEIPT');
      const before = heartbeats.length;

      client.send('SEND', { destination: '/app/heartbeat', receipt: 'bad-1' }, JSON.stringify({ seq: -1, status: 'MAYBE' }));
      const error = await client.next();
      expect(error.command).toBe('MESSAGE');
      const body = JSON.parse(error.bodyText) as { error: string; detail: { fields: Record<string, string[]> }; destination: string; receipt: string };
      expect(body.error).toBe('validation-failed');
      expect(Object.keys(body.detail.fields).sort()).toEqual(['seq', 'status']);
      expect(body.destination).toBe('/app/heartbeat');
      expect(body.receipt).toBe('bad-1');

      client.send('SEND', { destination: '/app/heartbeat', receipt: 'bad-2' }, '{not json');
      expect(JSON.parse((await client.next()).bodyText)).toMatchObject({ error: 'invalid-json', receipt: 'bad-2' });

      client.send('SEND', { destination: '/app/events', receipt: 'bad-3' }, JSON.stringify({ type: 'PLATE_READ', confidence: 0.5 }));
      expect(JSON.parse((await client.next()).bodyText)).toMatchObject({ error: 'validation-failed', detail: { fields: { plate: expect.any(Array) } } });


      // nothing reached the domain, and the same session still works
      expect(heartbeats.length).toBe(before);
      client.send('SEND', { destination: '/app/heartbeat', receipt: 'good' }, JSON.stringify({ seq: 2, status: 'OK' }));
      const ok = await client.next();
      expect(ok.command).toBe('RECEIPT');
      expect(ok.header('receipt-id')).toBe('good');
      expect(client.closed).toBe(false);
    } finally {
      client.close();
    }
  });
});
