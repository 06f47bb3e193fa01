import request from 'supertest';
import { DataSource } from 'typeorm';
import type { DeviceType } from '@landside/contracts';
import type { StompFrame } from '@landside/stomp';
import { RawStompClient } from './support/raw-stomp';
import { startTestServer, type TestServer } from './support/test-server';
import { eventually } from './support/wait';

/**
 * Device commands end to end (SPEC §4, §6): real devices over STOMP/TCP receive, ACK and
 * answer commands issued over REST and STOMP; an operator watches /topic/commands. Waits are
 * polls with generous limits (the machine is shared); nothing asserts a tight timing.
 */
interface CommandBody {
  id: string;
  deviceId: string;
  type: string;
  status: string;
  statusReason: string | null;
  attempts: number;
  resultDetail: string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let server: TestServer;
const clients: RawStompClient[] = [];
let watcher: RawStompClient;
const adminToken = (): string => server.token({ sub: 'admin', role: 'ADMIN' });
const operatorToken = (): string => server.token({ sub: 'op-1', role: 'OPERATOR' });
const http = () => request(server.httpUrl);

beforeAll(async () => {
  server = await startTestServer({ COMMAND_RESULT_TIMEOUT_S: '60' });
  await server.app.get(DataSource).query(`INSERT INTO zones (id, name, kind) VALUES ('P1', 'P1', 'CAR_PARK'), ('P2', 'P2', 'CAR_PARK')`);
  watcher = await RawStompClient.tcp(server.tcpPort);
  expect((await watcher.connect(server.token({ sub: 'op-watch', role: 'OPERATOR' }))).command).toBe('CONNECTED');
  watcher.send('SUBSCRIBE', { id: 'cmds', destination: '/topic/commands', receipt: 'w' });
  await frame(watcher, (f) => f.command === 'RECEIPT');
});

afterAll(async () => {
  for (const c of clients) c.close();
  watcher.close();
  await server.close();
});

// ---- helpers ----------------------------------------------------------------------------------

/** Waits for (and takes) the first frame matching `match`; other frames stay queued. */
async function frame(client: RawStompClient, match: (f: StompFrame) => boolean, timeoutMs = 15_000): Promise<StompFrame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const i = client.frames.findIndex(match);
    if (i >= 0) return client.frames.splice(i, 1)[0]!;
    if (client.closed || Date.now() > deadline) throw new Error(`no matching frame (closed=${client.closed}); have ${client.frames.map((f) => f.command).join(',')}`);
    await sleep(20);
  }
}

const devices = new Set<string>();
async function ensureDevice(id: string, type: DeviceType, zoneId = 'P1'): Promise<void> {
  if (devices.has(id)) return;
  await server.createDevice(id, type, 'secret-for-tests', zoneId);
  devices.add(id);
}

/** A device connected over TCP and subscribed to its command queue with client-individual ACKs. */
async function online(id: string, type: DeviceType = 'GATE'): Promise<RawStompClient> {
  await ensureDevice(id, type);
  const client = await RawStompClient.tcp(server.tcpPort);
  clients.push(client);
  expect((await client.connect(server.deviceToken(id, type))).command).toBe('CONNECTED');
  client.send('SUBSCRIBE', { id: 'cmds', destination: '/user/queue/commands', ack: 'client-individual', receipt: 'sub-cmds' });
  await frame(client, (f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'sub-cmds');
  return client;
}

function commandMessage(client: RawStompClient, commandId?: string, timeoutMs?: number): Promise<StompFrame> {
  return frame(
    client,
    (f) => f.command === 'MESSAGE' && f.header('destination') === '/user/queue/commands' && (commandId === undefined || f.header('command-id') === commandId),
    timeoutMs,
  );
}

async function ack(client: RawStompClient, message: StompFrame): Promise<void> {
  const receipt = `ack-${message.header('command-id')}`;
  client.send('ACK', { id: message.header('ack')!, receipt });
  await frame(client, (f) => f.command === 'RECEIPT' && f.header('receipt-id') === receipt);
}

async function report(client: RawStompClient, commandId: string, outcome: string, detail?: string): Promise<void> {
  const receipt = `res-${commandId}`;
  client.send('SEND', { destination: '/app/command-results', 'content-type': 'application/json', receipt }, JSON.stringify({ commandId, outcome, detail }));
  await frame(client, (f) => f.command === 'RECEIPT' && f.header('receipt-id') === receipt);
}

async function issue(deviceId: string, body: Record<string, unknown>, token = adminToken()): Promise<CommandBody> {
  const res = await http().post(`/api/devices/${deviceId}/commands`).set('Authorization', `Bearer ${token}`).send(body);
  expect(res.status).toBe(201);
  return res.body as CommandBody;
}

async function get(id: string): Promise<CommandBody> {
  const res = await http().get(`/api/commands/${id}`).set('Authorization', `Bearer ${adminToken()}`);
  expect(res.status).toBe(200);
  return res.body as CommandBody;
}

function untilStatus(id: string, status: string): Promise<CommandBody> {
  return eventually(async () => {
    const c = await get(id);
    return c.status === status ? c : undefined;
  }, `command ${id} ${status}`);
}

/** The statuses /topic/commands showed the watcher for one command, in order. */
function topicStatuses(id: string): string[] {
  return watcher.frames
    .filter((f) => f.command === 'MESSAGE' && f.header('destination') === '/topic/commands')
    .map((f) => JSON.parse(f.bodyText) as { kind: string; command: CommandBody })
    .filter((e) => e.kind === 'command.status-changed' && e.command.id === id)
    .map((e) => e.command.status);
}

// ---- the lifecycle ----------------------------------------------------------------------------

describe('an admin command to an online gate', () => {
  it('is delivered, ACKed (DELIVERED), answered (SUCCEEDED), and every step is on /topic/commands', async () => {
    const gate = await online('gate-a');
    const created = await issue('gate-a', { type: 'OPEN_GATE', params: { laneId: 'L1' } });
    expect(created).toMatchObject({ deviceId: 'gate-a', type: 'OPEN_GATE', status: 'QUEUED' });

    const message = await commandMessage(gate, created.id);
    expect(message.header('content-type')).toBe('application/json');
    const body = JSON.parse(message.bodyText) as Record<string, unknown>;
    expect(body).toEqual({ commandId: created.id, type: 'OPEN_GATE', params: { laneId: 'L1' }, issuedAt: expect.any(String), expiresAt: expect.any(String) });
    expect(Date.parse(body['expiresAt'] as string) - Date.parse(body['issuedAt'] as string)).toBe(15_000);
    await untilStatus(created.id, 'SENT');

    await ack(gate, message);
    await untilStatus(created.id, 'DELIVERED');
    await report(gate, created.id, 'SUCCEEDED', 'barrier up');
    const done = await untilStatus(created.id, 'SUCCEEDED');
    expect(done.resultDetail).toBe('barrier up');

    await eventually(async () => (topicStatuses(created.id).length >= 4 ? true : undefined), 'four topic events');
    expect(topicStatuses(created.id)).toEqual(['QUEUED', 'SENT', 'DELIVERED', 'SUCCEEDED']);

    const metrics = await http().get('/metrics');
    expect(metrics.text).toContain('landside_commands_total{type="OPEN_GATE",status="SUCCEEDED"}');
    expect(metrics.text).toContain('landside_command_step_seconds_count{step="sent-to-delivered"}');
  });

  it("ignores another device's result for it", async () => {
    const gate = await online('gate-b');
    const intruder = await online('gate-intruder');
    const created = await issue('gate-b', { type: 'CLOSE_GATE' });
    await ack(gate, await commandMessage(gate, created.id));
    await untilStatus(created.id, 'DELIVERED');
    await report(intruder, created.id, 'SUCCEEDED');
    await sleep(300);
    expect((await get(created.id)).status).toBe('DELIVERED');
    await report(gate, created.id, 'REJECTED', 'lane blocked');
    await untilStatus(created.id, 'REJECTED');
  });
});

describe('offline devices and redelivery', () => {
  it('a command to an offline device waits QUEUED and is delivered on reconnect with its id', async () => {
    await ensureDevice('gate-off', 'GATE');
    const created = await issue('gate-off', { type: 'REBOOT' });
    await sleep(300);
    expect((await get(created.id)).status).toBe('QUEUED');
    const gate = await online('gate-off');
    const message = await commandMessage(gate, created.id);
    await ack(gate, message);
    await untilStatus(created.id, 'DELIVERED');
  });

  it('a device that disconnects before its ACK gets the same command-id again', async () => {
    const first = await online('gate-flaky');
    const created = await issue('gate-flaky', { type: 'LOCK_OPEN' });
    await commandMessage(first, created.id);
    await untilStatus(created.id, 'SENT');
    first.close();
    const requeued = await untilStatus(created.id, 'QUEUED');
    expect(requeued.statusReason).toBe('DELIVERY_LOST');

    const second = await online('gate-flaky');
    const again = await commandMessage(second, created.id);
    expect(again.header('command-id')).toBe(created.id);
    await ack(second, again);
    const delivered = await untilStatus(created.id, 'DELIVERED');
    expect(delivered.attempts).toBe(2);
  });

  it('an expired gate command is never delivered', async () => {
    await ensureDevice('gate-late', 'GATE');
    const created = await issue('gate-late', { type: 'OPEN_GATE', ttlS: 1 });
    const expired = await untilStatus(created.id, 'EXPIRED');
    expect(expired.statusReason).toBe('TTL_EXPIRED');
    const gate = await online('gate-late');
    await sleep(500);
    expect(gate.frames.filter((f) => f.command === 'MESSAGE')).toEqual([]);
  });

  it('a cancelled command is not delivered', async () => {
    await ensureDevice('gate-cx', 'GATE');
    const created = await issue('gate-cx', { type: 'TICKET_MODE', ttlS: 600 });
    const res = await http().post(`/api/commands/${created.id}/cancel`).set('Authorization', `Bearer ${adminToken()}`).send({ note: 'not needed' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, status: 'CANCELLED', statusReason: 'ADMIN' });
    const gate = await online('gate-cx');
    await sleep(500);
    expect(gate.frames.filter((f) => f.command === 'MESSAGE')).toEqual([]);
    const again = await http().post(`/api/commands/${created.id}/cancel`).set('Authorization', `Bearer ${adminToken()}`);
    expect(again.status).toBe(409);
  });

  it('a newer DISPLAY_MESSAGE supersedes the undelivered one; only the newer reaches the sign', async () => {
    await ensureDevice('sign-a', 'GUIDANCE_SIGN');
    const older = await issue('sign-a', { type: 'DISPLAY_MESSAGE', params: { text: 'P1 12 FREE' } });
    const newer = await issue('sign-a', { type: 'DISPLAY_MESSAGE', params: { text: 'P1 FULL', ttlS: 300 } });
    expect(await get(older.id)).toMatchObject({ status: 'CANCELLED', statusReason: 'SUPERSEDED' });
    const sign = await online('sign-a', 'GUIDANCE_SIGN');
    const message = await commandMessage(sign);
    expect(message.header('command-id')).toBe(newer.id);
    expect(JSON.parse(message.bodyText)).toMatchObject({ params: { text: 'P1 FULL', ttlS: 300 } });
    await sleep(300);
    expect(sign.frames.filter((f) => f.command === 'MESSAGE')).toEqual([]);
  });

  it('the same idempotencyKey answers the existing command (200), with one row', async () => {
    await ensureDevice('gate-idem', 'GATE');
    const first = await issue('gate-idem', { type: 'REBOOT', idempotencyKey: 'idem-1' });
    const repeat = await http().post('/api/devices/gate-idem/commands').set('Authorization', `Bearer ${adminToken()}`).send({ type: 'REBOOT', idempotencyKey: 'idem-1' });
    expect(repeat.status).toBe(200);
    expect((repeat.body as CommandBody).id).toBe(first.id);
    const list = await http().get('/api/commands?deviceId=gate-idem').set('Authorization', `Bearer ${adminToken()}`);
    expect((list.body as { items: CommandBody[] }).items.map((c) => c.id)).toEqual([first.id]);
  });
});

// ---- STOMP /app/commands ------------------------------------------------------------------------

describe('SEND /app/commands', () => {
  async function requester(sub: string, role: 'ADMIN' | 'OPERATOR'): Promise<RawStompClient> {
    const client = await RawStompClient.tcp(server.tcpPort);
    clients.push(client);
    expect((await client.connect(server.token({ sub, role }))).command).toBe('CONNECTED');
    client.send('SUBSCRIBE', { id: 'rep', destination: '/user/queue/replies', receipt: 'r1' });
    client.send('SUBSCRIBE', { id: 'err', destination: '/user/queue/errors', receipt: 'r2' });
    await frame(client, (f) => f.header('receipt-id') === 'r1');
    await frame(client, (f) => f.header('receipt-id') === 'r2');
    return client;
  }

  it('an admin gets the created command on /user/queue/replies with correlation-id = receipt, and it is delivered', async () => {
    const gate = await online('gate-stomp');
    const admin = await requester('admin-stomp', 'ADMIN');
    admin.send('SEND', { destination: '/app/commands', 'content-type': 'application/json', receipt: 'req-1' }, JSON.stringify({ deviceId: 'gate-stomp', type: 'RESYNC' }));
    const reply = await frame(admin, (f) => f.command === 'MESSAGE' && f.header('destination') === '/user/queue/replies');
    expect(reply.header('correlation-id')).toBe('req-1');
    const command = JSON.parse(reply.bodyText) as CommandBody;
    expect(command).toMatchObject({ deviceId: 'gate-stomp', type: 'RESYNC', status: 'QUEUED' });
    expect((await commandMessage(gate)).header('command-id')).toBe(command.id);
  });

  it('a refusal arrives on /user/queue/errors and the session keeps serving', async () => {
    await ensureDevice('sign-stomp', 'GUIDANCE_SIGN');
    const admin = await requester('admin-stomp-2', 'ADMIN');
    admin.send('SEND', { destination: '/app/commands', receipt: 'req-bad' }, JSON.stringify({ deviceId: 'sign-stomp', type: 'OPEN_GATE' }));
    const error = await frame(admin, (f) => f.command === 'MESSAGE' && f.header('destination') === '/user/queue/errors');
    expect(JSON.parse(error.bodyText)).toMatchObject({
      error: 'not-valid-for-device',
      destination: '/app/commands',
      receipt: 'req-bad',
      detail: { message: expect.stringContaining('OPEN_GATE') },
    });
    admin.send('SEND', { destination: '/app/commands', receipt: 'req-404' }, JSON.stringify({ deviceId: 'no-such-device', type: 'REBOOT' }));
    const missing = await frame(admin, (f) => f.command === 'MESSAGE' && f.header('destination') === '/user/queue/errors');
    expect(JSON.parse(missing.bodyText)).toMatchObject({ error: 'not-found', receipt: 'req-404' });
    admin.send('SEND', { destination: '/app/commands', receipt: 'req-ok' }, JSON.stringify({ deviceId: 'sign-stomp', type: 'DISPLAY_MESSAGE', params: { text: 'hello' } }));
    const reply = await frame(admin, (f) => f.command === 'MESSAGE' && f.header('destination') === '/user/queue/replies');
    expect(reply.header('correlation-id')).toBe('req-ok');
    expect(admin.closed).toBe(false);
  });

  it('an operator REBOOT is an ERROR forbidden that closes the session; REST answers 403; the server serves on', async () => {
    await ensureDevice('gate-op', 'GATE');
    const op = await requester('op-stomp', 'OPERATOR');
    op.send('SEND', { destination: '/app/commands', receipt: 'req-reboot' }, JSON.stringify({ deviceId: 'gate-op', type: 'REBOOT' }));
    const error = await frame(op, (f) => f.command === 'ERROR');
    expect(error.header('error-code')).toBe('forbidden');
    expect(error.header('receipt-id')).toBe('req-reboot');
    await op.waitClosed();

    const rest = await http().post('/api/devices/gate-op/commands').set('Authorization', `Bearer ${operatorToken()}`).send({ type: 'REBOOT' });
    expect(rest.status).toBe(403);
    expect(rest.body).toMatchObject({ error: 'forbidden' });

    // the operator's safe commands still work, over both edges
    await issue('gate-op', { type: 'OPEN_GATE' }, operatorToken());
    const op2 = await requester('op-stomp-2', 'OPERATOR');
    op2.send('SEND', { destination: '/app/commands', receipt: 'req-open' }, JSON.stringify({ deviceId: 'gate-op', type: 'OPEN_GATE' }));
    const reply = await frame(op2, (f) => f.command === 'MESSAGE' && f.header('destination') === '/user/queue/replies');
    expect(reply.header('correlation-id')).toBe('req-open');
  });
});

// ---- restart ------------------------------------------------------------------------------------

describe('restart', () => {
  it('a command SENT when the server stops is QUEUED after the restart and redelivered with its id', async () => {
    const own = await startTestServer({}, undefined, { persistent: true });
    let current = own;
    try {
      await current.app.get(DataSource).query(`INSERT INTO zones (id, name, kind) VALUES ('R1', 'R1', 'CAR_PARK')`);
      await current.createDevice('gate-r', 'GATE', 'secret-for-tests', 'R1');
      const connectGate = async (s: TestServer): Promise<RawStompClient> => {
        const c = await RawStompClient.tcp(s.tcpPort);
        clients.push(c);
        expect((await c.connect(s.deviceToken('gate-r', 'GATE'))).command).toBe('CONNECTED');
        c.send('SUBSCRIBE', { id: 'cmds', destination: '/user/queue/commands', ack: 'client-individual' });
        return c;
      };
      const before = await connectGate(current);
      await sleep(100);
      const res = await request(current.httpUrl)
        .post('/api/devices/gate-r/commands')
        .set('Authorization', `Bearer ${current.token({ sub: 'admin', role: 'ADMIN' })}`)
        .send({ type: 'REBOOT', ttlS: 600 });
      expect(res.status).toBe(201);
      const id = (res.body as CommandBody).id;
      await commandMessage(before, id);

      current = await current.restart();
      const token = current.token({ sub: 'admin', role: 'ADMIN' });
      const after = await request(current.httpUrl).get(`/api/commands/${id}`).set('Authorization', `Bearer ${token}`);
      expect(after.body).toMatchObject({ status: 'QUEUED', statusReason: 'RESTART' });

      const gate = await connectGate(current);
      const again = await commandMessage(gate, id);
      expect(again.header('command-id')).toBe(id);
    } finally {
      await current.close();
    }
  });
});
