import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MessageBus } from '@landside/bus';
import type { DeviceType } from '@landside/contracts';
import { REGISTRY_EVENT_CHANNELS } from '@landside/devices';
import { ParkingService } from '@landside/parking';
import type { StompFrame } from '@landside/stomp';
import { RawStompClient } from './support/raw-stomp';
import { startTestServer, type TestServer } from './support/test-server';
import { eventually } from './support/wait';

/**
 * Parking end to end (SPEC §5b): guidance cameras report bays over STOMP/TCP, an operator watches
 * /topic/occupancy, the level's guidance sign receives DISPLAY_MESSAGE commands, LPR cameras at
 * PARK_ENTRY / PARK_EXIT lanes make sessions and exceptions, a payment kiosk finds a car over
 * HTTP, an operator closes a flagged session (audited), and a silent camera's bays turn UNKNOWN
 * (never free). The topology is written with SQL
 * and announced with the registry's `device.registered` events, as the registry would.
 * Waits are polls with generous limits; nothing asserts a tight timing.
 *
 *   CP (CAR_PARK) ── L1 (LEVEL): B1 B2 B3, camera cam-1, sign sign-1
 *                 └─ L2 (LEVEL): B4 B5, camera cam-2 (heartbeat 1 s, tolerance 2)
 *   lanes LE (PARK_ENTRY, lpr-in), LX (PARK_EXIT, lpr-out), LOT (LOT_ENTRY)
 */
interface Occupancy {
  kind: string;
  zoneId: string;
  zoneKind: string;
  total: number;
  occupied: number;
  free: number;
  unknown: number;
  available: number;
  closed: boolean;
  at: string;
}
interface Session {
  id: string;
  plate: string;
  status: string;
  review: boolean;
  entryAt: string;
  exitAt: string | null;
  entryLaneId: string;
  exitLaneId: string | null;
  durationS: number | null;
  closedBy: string | null;
}
interface ParkingException {
  kind: string;
  reason: string | null;
  direction: string;
  plate: string;
  laneId: string;
  deviceId: string | null;
  confidence: number | null;
  sessionId: string | null;
  candidateSessionId: string | null;
}
interface AuditRow {
  actor: string;
  role: string;
  action: string;
  target: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

let server: TestServer;
let watcher: RawStompClient;
let sign: RawStompClient;
let cam1: RawStompClient;
const clients: RawStompClient[] = [];
const http = () => request(server.httpUrl);
const operatorToken = (zones?: string[]): string => server.token({ sub: 'op-parking', role: 'OPERATOR', ...(zones ? { zones } : {}) });
const adminToken = (): string => server.token({ sub: 'admin', role: 'ADMIN' });

async function addDevice(id: string, type: DeviceType, zoneId: string, laneId: string | null = null, heartbeatIntervalS = 60, missTolerance = 3): Promise<void> {
  await server.app.get(DataSource).query(
    `INSERT INTO devices (id, type, name, zone_id, lane_id, secret_hash, heartbeat_interval_s, miss_tolerance) VALUES ($1, $2, $1, $3, $4, 'x', $5, $6)`,
    [id, type, zoneId, laneId, heartbeatIntervalS, missTolerance],
  );
}

async function announce(id: string, type: DeviceType, zoneId: string, laneId: string | null = null, heartbeatIntervalS = 60, missTolerance = 3): Promise<void> {
  await server.app.get(MessageBus).publish(REGISTRY_EVENT_CHANNELS.deviceRegistered, {
    id,
    type,
    name: id,
    zoneId,
    laneId,
    parentId: null,
    heartbeatIntervalS,
    missTolerance,
    maintenance: false,
    disabled: false,
  });
}

async function connect(token: string): Promise<RawStompClient> {
  const client = await RawStompClient.tcp(server.tcpPort);
  clients.push(client);
  expect((await client.connect(token)).command).toBe('CONNECTED');
  return client;
}

let seq = 0;
async function sendEvent(client: RawStompClient, event: Record<string, unknown>): Promise<void> {
  const receipt = `ev-${++seq}`;
  client.send('SEND', { destination: '/app/events', 'content-type': 'application/json', receipt }, JSON.stringify(event));
  await client.take((f) => f.command === 'RECEIPT' && f.header('receipt-id') === receipt, 10_000);
}

async function heartbeat(client: RawStompClient): Promise<void> {
  const receipt = `hb-${++seq}`;
  client.send('SEND', { destination: '/app/heartbeat', 'content-type': 'application/json', receipt }, JSON.stringify({ seq, status: 'OK' }));
  await client.take((f) => f.command === 'RECEIPT' && f.header('receipt-id') === receipt, 10_000);
}

function body<T>(frame: StompFrame): T {
  return JSON.parse(frame.bodyText) as T;
}

/** The first /topic/occupancy message (queued or to come) matching; others stay queued. */
async function occupancy(match: (o: Occupancy) => boolean, timeoutMs = 15_000): Promise<Occupancy> {
  const frame = await watcher.take((f) => f.command === 'MESSAGE' && f.header('destination') === '/topic/occupancy' && match(body<Occupancy>(f)), timeoutMs);
  return body<Occupancy>(frame);
}

/** Waits for a DISPLAY_MESSAGE with `text` on the sign's command queue, ACKing every command on the way. */
async function signShows(text: string, timeoutMs = 15_000): Promise<{ commandId: string; type: string; params: { text: string } }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = await sign.take((f) => f.command === 'MESSAGE' && f.header('destination') === '/user/queue/commands', Math.max(1, deadline - Date.now()));
    sign.send('ACK', { id: frame.header('ack')! });
    const command = body<{ commandId: string; type: string; params: { text: string } }>(frame);
    if (command.type === 'DISPLAY_MESSAGE' && command.params.text === text) return command;
  }
}

async function sessions(query: string): Promise<Session[]> {
  const res = await http().get(`/api/parking/sessions?${query}`).set('Authorization', `Bearer ${operatorToken()}`);
  expect(res.status).toBe(200);
  return (res.body as { items: Session[] }).items;
}

async function exceptions(query: string): Promise<ParkingException[]> {
  const res = await http().get(`/api/parking/sessions?exceptions=true&${query}`).set('Authorization', `Bearer ${adminToken()}`);
  expect(res.status).toBe(200);
  return (res.body as { items: ParkingException[] }).items;
}

async function auditRows(query: string): Promise<AuditRow[]> {
  const res = await http().get(`/api/audit?${query}`).set('Authorization', `Bearer ${adminToken()}`);
  expect(res.status).toBe(200);
  return (res.body as { items: AuditRow[] }).items;
}

/** `POST /api/parking/sessions/{id}/close`, with a bearer token when given. */
function closeSession(id: string, token?: string, base = server.httpUrl): request.Test {
  const req = request(base).post(`/api/parking/sessions/${id}/close`);
  return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
}

/** The server still serves a normal request. */
async function stillServing(): Promise<void> {
  const res = await http().get('/api/zones/CP/occupancy').set('Authorization', `Bearer ${operatorToken()}`);
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  server = await startTestServer();
  const db = server.app.get(DataSource);
  await db.query(`INSERT INTO zones (id, name, kind, parent_id) VALUES ('CP', 'CP', 'CAR_PARK', NULL), ('L1', 'L1', 'LEVEL', 'CP'), ('L2', 'L2', 'LEVEL', 'CP'), ('ELSE', 'ELSE', 'CAR_PARK', NULL)`);
  await db.query(`INSERT INTO lanes (id, zone_id, kind) VALUES ('LE', 'CP', 'PARK_ENTRY'), ('LX', 'CP', 'PARK_EXIT'), ('LOT', 'CP', 'LOT_ENTRY')`);
  const devices: Array<[string, DeviceType, string, string | null, number, number]> = [
    ['cam-1', 'GUIDANCE_CAMERA', 'L1', null, 60, 3],
    ['cam-2', 'GUIDANCE_CAMERA', 'L2', null, 1, 2],
    ['sign-1', 'GUIDANCE_SIGN', 'L1', null, 60, 3],
    ['lpr-in', 'LPR_CAMERA', 'CP', 'LE', 60, 3],
    ['lpr-out', 'LPR_CAMERA', 'CP', 'LX', 60, 3],
    ['kiosk-1', 'PAYMENT_KIOSK', 'CP', null, 60, 3],
  ];
  for (const d of devices) await addDevice(...d);
  await db.query(`INSERT INTO bays (id, zone_id, camera_id) VALUES ('B1', 'L1', 'cam-1'), ('B2', 'L1', 'cam-1'), ('B3', 'L1', 'cam-1'), ('B4', 'L2', 'cam-2'), ('B5', 'L2', 'cam-2')`);
  for (const d of devices) await announce(...d);
  await server.app.get(ParkingService).settled();

  watcher = await connect(operatorToken());
  watcher.send('SUBSCRIBE', { id: 'occ', destination: '/topic/occupancy', receipt: 'sub-occ' });
  await watcher.take((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'sub-occ');
  sign = await connect(server.deviceToken('sign-1', 'GUIDANCE_SIGN'));
  sign.send('SUBSCRIBE', { id: 'cmds', destination: '/user/queue/commands', ack: 'client-individual', receipt: 'sub-cmds' });
  await sign.take((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'sub-cmds');
  cam1 = await connect(server.deviceToken('cam-1', 'GUIDANCE_CAMERA'));
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
});

describe('occupancy', () => {
  it('a guidance camera reports bays: the operator sees the new counts on /topic/occupancy and the level sign is sent the free count', async () => {
    // before any report every bay is UNKNOWN: the sign shows that it knows nothing
    await signShows('---');
    await sendEvent(cam1, { type: 'BAY_OCCUPANCY', bayId: 'B1', occupied: true, plate: '12가 3456' });
    await sendEvent(cam1, { type: 'BAY_OCCUPANCY', bayId: 'B2', occupied: false });
    await sendEvent(cam1, { type: 'BAY_OCCUPANCY', bayId: 'B3', occupied: false });

    const level = await occupancy((o) => o.zoneId === 'L1' && o.unknown === 0);
    expect(level).toEqual({ kind: 'occupancy.changed', zoneId: 'L1', zoneKind: 'LEVEL', total: 3, occupied: 1, free: 2, unknown: 0, available: 2, closed: false, at: expect.any(String) });
    const carPark = await occupancy((o) => o.zoneId === 'CP' && o.free === 2);
    expect(carPark).toMatchObject({ zoneKind: 'CAR_PARK', total: 5, occupied: 1, free: 2, unknown: 2, available: 2 });

    const command = await signShows('FREE 2');
    expect(command).toMatchObject({ type: 'DISPLAY_MESSAGE', params: { text: 'FREE 2' } });
    const issued = await http().get(`/api/commands/${command.commandId}`).set('Authorization', `Bearer ${adminToken()}`);
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ deviceId: 'sign-1', type: 'DISPLAY_MESSAGE', issuedBy: 'system:parking' });

    const rest = await http().get('/api/zones/CP/occupancy').set('Authorization', `Bearer ${operatorToken()}`);
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual({
      zoneId: 'CP',
      zoneKind: 'CAR_PARK',
      total: 5,
      occupied: 1,
      free: 2,
      unknown: 2,
      available: 2,
      closed: false,
      levels: [
        { zoneId: 'L1', zoneKind: 'LEVEL', total: 3, occupied: 1, free: 2, unknown: 0, available: 2, closed: false },
        { zoneId: 'L2', zoneKind: 'LEVEL', total: 2, occupied: 0, free: 0, unknown: 2, available: 0, closed: false },
      ],
    });

    await server.app.get(ParkingService).settled();
    const stored: Array<{ bay_id: string; status: string; plate: string | null }> = await server.app
      .get(DataSource)
      .query(`SELECT bay_id, status, plate FROM bay_states ORDER BY bay_id`);
    expect(stored.filter((s) => s.status !== 'UNKNOWN')).toEqual([
      { bay_id: 'B1', status: 'OCCUPIED', plate: '12가3456' },
      { bay_id: 'B2', status: 'FREE', plate: null },
      { bay_id: 'B3', status: 'FREE', plate: null },
    ]);

    const metrics = await http().get('/metrics');
    expect(metrics.text).toMatch(/landside_parking_bays\{zone="L1",state="occupied"\} 1/);
    expect(metrics.text).toMatch(/landside_parking_bays\{zone="CP",state="unknown"\} 2/);
  });

  it("a camera's report for a bay it does not own is ignored", async () => {
    await sendEvent(cam1, { type: 'BAY_OCCUPANCY', bayId: 'B4', occupied: true });
    await sendEvent(cam1, { type: 'BAY_OCCUPANCY', bayId: 'NO-SUCH-BAY', occupied: true });
    await server.app.get(ParkingService).settled();
    const rest = await http().get('/api/zones/L2/occupancy').set('Authorization', `Bearer ${operatorToken()}`);
    expect(rest.body).toMatchObject({ total: 2, occupied: 0, unknown: 2, levels: [] });
    const metrics = await http().get('/metrics');
    expect(metrics.text).toMatch(/landside_parking_events_ignored_total\{reason="not-bay-camera"\} [1-9]/);
    expect(metrics.text).toMatch(/landside_parking_events_ignored_total\{reason="unknown-bay"\} [1-9]/);
  });

  it("a camera that goes silent (OFFLINE) makes its bays UNKNOWN, not free", async () => {
    const cam2 = await connect(server.deviceToken('cam-2', 'GUIDANCE_CAMERA'));
    await heartbeat(cam2);
    await sendEvent(cam2, { type: 'BAY_OCCUPANCY', bayId: 'B4', occupied: true });
    await sendEvent(cam2, { type: 'BAY_OCCUPANCY', bayId: 'B5', occupied: false });
    await occupancy((o) => o.zoneId === 'L2' && o.occupied === 1 && o.free === 1);
    // no more heartbeats: OFFLINE after 1 s x 2 missed
    const level = await occupancy((o) => o.zoneId === 'L2' && o.unknown === 2);
    expect(level).toMatchObject({ total: 2, occupied: 0, free: 0, unknown: 2, available: 0 });
    const carPark = await occupancy((o) => o.zoneId === 'CP' && o.unknown === 2 && o.occupied === 1);
    expect(carPark).toMatchObject({ total: 5, free: 2, available: 2 });

    // back: a heartbeat, then at once a report; it counts although the recovery reaches parking
    // (after the health monitor commits it) later than the report
    await heartbeat(cam2);
    await sendEvent(cam2, { type: 'BAY_OCCUPANCY', bayId: 'B5', occupied: true });
    const back = await occupancy((o) => o.zoneId === 'L2' && o.occupied === 1);
    expect(back).toMatchObject({ total: 2, occupied: 1, free: 0, unknown: 1 }); // B4 not re-reported: still unknown
    cam2.close();
  });
});

describe('find-my-car', () => {
  it('a payment kiosk finds the bay where a guidance camera read the plate', async () => {
    const kiosk = server.deviceToken('kiosk-1', 'PAYMENT_KIOSK');
    const res = await http().get(`/api/parking/vehicles/${encodeURIComponent('12가3456')}`).set('Authorization', `Bearer ${kiosk}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ plate: '12가3456', bayId: 'B1', levelId: 'L1', zoneId: 'L1', carParkId: 'CP', since: expect.any(String), stale: false });
    // matched after normalization
    const spaced = await http().get(`/api/parking/vehicles/${encodeURIComponent('12가-3456')}`).set('Authorization', `Bearer ${kiosk}`);
    expect(spaced.body).toMatchObject({ bayId: 'B1' });
  });

  it('refuses: 401 without a token, 403 for another device type, 400 for an unreadable plate, 404 for an unknown or out-of-scope car', async () => {
    const path = `/api/parking/vehicles/${encodeURIComponent('12가3456')}`;
    expect((await http().get(path)).status).toBe(401);
    await stillServing();
    const bySign = await http().get(path).set('Authorization', `Bearer ${server.deviceToken('sign-1', 'GUIDANCE_SIGN')}`);
    expect(bySign.status).toBe(403);
    await stillServing();
    const unreadable = await http().get(`/api/parking/vehicles/${encodeURIComponent('- -')}`).set('Authorization', `Bearer ${operatorToken()}`);
    expect(unreadable.status).toBe(400);
    expect(unreadable.body).toMatchObject({ error: 'invalid', fields: { plate: expect.any(Array) } });
    await stillServing();
    const unknown = await http().get('/api/parking/vehicles/99ZZ9999').set('Authorization', `Bearer ${operatorToken()}`);
    expect(unknown.status).toBe(404);
    await stillServing();
    const scoped = await http().get(path).set('Authorization', `Bearer ${operatorToken(['ELSE'])}`);
    expect(scoped.status).toBe(404);
    await stillServing();
  });
});

describe('parking sessions', () => {
  let lprIn: RawStompClient;
  let lprOut: RawStompClient;
  const ago = (s: number): string => new Date(Date.now() - s * 1000).toISOString();

  beforeAll(async () => {
    lprIn = await connect(server.deviceToken('lpr-in', 'LPR_CAMERA'));
    lprOut = await connect(server.deviceToken('lpr-out', 'LPR_CAMERA'));
  });

  it('an entry read then an exit read make one closed session with its duration', async () => {
    const entryAt = ago(3600);
    const exitAt = new Date(Date.parse(entryAt) + 3540_000).toISOString();
    await sendEvent(lprIn, { type: 'PLATE_READ', plate: '34나5678', confidence: 0.95, at: entryAt });
    const open = await eventually(async () => (await sessions('plate=34나5678&state=open'))[0], 'open session');
    expect(open).toMatchObject({ status: 'OPEN', entryLaneId: 'LE', entryAt });
    await sendEvent(lprOut, { type: 'PLATE_READ', plate: '34 나 5678', confidence: 0.97, at: exitAt });

    const list = await eventually(async () => {
      const items = await sessions('plate=34나5678');
      return items.length === 1 && items[0]!.status === 'CLOSED' ? items : undefined;
    }, 'closed session');
    expect(list[0]).toMatchObject({ id: open.id, plate: '34나5678', status: 'CLOSED', entryLaneId: 'LE', exitLaneId: 'LX', exitAt, durationS: 3540, closedBy: 'EXIT_READ', review: false });
  });

  it('a low-confidence exit does not close the session and is listed as a flagged read', async () => {
    await sendEvent(lprIn, { type: 'PLATE_READ', plate: '56다7890', confidence: 0.93, at: ago(600) });
    await sendEvent(lprOut, { type: 'PLATE_READ', plate: '56다7890', confidence: 0.41, at: ago(1) });
    const flagged = await eventually(async () => (await exceptions('plate=56다7890'))[0], 'flagged read');
    const [session] = await sessions('plate=56다7890');
    expect(session).toMatchObject({ status: 'OPEN', exitAt: null, durationS: null });
    expect(flagged).toMatchObject({ kind: 'FLAGGED_READ', reason: 'LOW_CONFIDENCE', direction: 'EXIT', laneId: 'LX', deviceId: 'lpr-out', confidence: 0.41, candidateSessionId: session!.id });
    expect(await sessions('plate=56다7890&state=closed')).toEqual([]);
  });

  it('an exit without an entry is an exception; reads at lanes that are not parking lanes are ignored', async () => {
    await sendEvent(lprOut, { type: 'PLATE_READ', plate: '78라1234', confidence: 0.99 });
    await sendEvent(lprIn, { type: 'PLATE_READ', plate: '90마1234', confidence: 0.99, laneId: 'LOT' });
    const exception = await eventually(async () => (await exceptions('plate=78라1234'))[0], 'exception');
    expect(exception).toMatchObject({ kind: 'EXIT_WITHOUT_ENTRY', reason: null, direction: 'EXIT', laneId: 'LX', deviceId: 'lpr-out', confidence: 0.99 });
    expect(await sessions('plate=78라1234')).toEqual([]);
    expect(await sessions('plate=90마1234')).toEqual([]);
  });

  it('pages through sessions with a cursor', async () => {
    const first = await http().get('/api/parking/sessions?limit=1').set('Authorization', `Bearer ${operatorToken()}`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await http()
      .get(`/api/parking/sessions?limit=1&cursor=${encodeURIComponent(first.body.nextCursor as string)}`)
      .set('Authorization', `Bearer ${operatorToken()}`);
    expect(second.status).toBe(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });
});

describe('an operator closes a session (POST /api/parking/sessions/{id}/close)', () => {
  let lprIn: RawStompClient;
  let lprOut: RawStompClient;
  const ago = (s: number): string => new Date(Date.now() - s * 1000).toISOString();
  const q = (plate: string): string => `plate=${encodeURIComponent(plate)}`;

  /** A low-confidence entry read: a review session is opened and the read flagged; its id. */
  async function flaggedEntry(plate: string, secondsAgo = 900): Promise<string> {
    await sendEvent(lprIn, { type: 'PLATE_READ', plate, confidence: 0.42, at: ago(secondsAgo) });
    const flag = await eventually(async () => (await exceptions(q(plate))).find((e) => e.kind === 'FLAGGED_READ' && e.sessionId !== null), 'flagged entry');
    return flag.sessionId!;
  }

  beforeAll(async () => {
    lprIn = await connect(server.deviceToken('lpr-in', 'LPR_CAMERA'));
    lprOut = await connect(server.deviceToken('lpr-out', 'LPR_CAMERA'));
    // a PARK_EXIT lane of another car park, for the scope checks on exitLaneId
    await server.app.get(DataSource).query(`INSERT INTO lanes (id, zone_id, kind) VALUES ('EX', 'ELSE', 'PARK_EXIT')`);
  });

  it('closes a flagged session: 200 with the closed session, shown closed in GET /api/parking/sessions, audited with the note', async () => {
    const plate = '11가1111';
    const id = await flaggedEntry(plate);
    const [open] = await sessions(q(plate));
    expect(open).toMatchObject({ id, status: 'OPEN', review: true });

    const note = 'plate checked on the entry image; car left by the exit barrier';
    const res = await closeSession(id, operatorToken(['CP'])).send({ exitLaneId: 'LX', note });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, plate, status: 'CLOSED', closedBy: 'OPERATOR', review: true, exitLaneId: 'LX', exitDeviceId: null, exitConfidence: null });
    expect(res.body.durationS).toBeGreaterThanOrEqual(899);

    const [listed] = await sessions(q(plate));
    expect(listed).toMatchObject({ id, status: 'CLOSED', closedBy: 'OPERATOR', exitLaneId: 'LX', exitAt: res.body.exitAt, durationS: res.body.durationS });
    expect(await sessions(`${q(plate)}&state=open`)).toEqual([]);

    const audit = await auditRows(`action=parking.session-closed&target=${id}`);
    expect(audit).toEqual([
      expect.objectContaining({
        actor: 'op-parking',
        role: 'OPERATOR',
        target: id,
        outcome: 'ok',
        details: { zoneId: 'CP', plate, entryAt: open!.entryAt, exitLaneId: 'LX', durationS: res.body.durationS, note },
      }),
    ]);
    const [row] = await server.app.get(DataSource).query(`SELECT closed_by_user FROM parking_sessions WHERE id = $1`, [id]);
    expect(row).toEqual({ closed_by_user: 'op-parking' });

    // memory closed it too: an exit read now has no entry, and a new entry opens a new session
    // (no DUPLICATE_ENTRY of the closed one)
    await sendEvent(lprOut, { type: 'PLATE_READ', plate, confidence: 0.97 });
    await sendEvent(lprIn, { type: 'PLATE_READ', plate, confidence: 0.97 });
    const kinds = await eventually(async () => {
      const items = await exceptions(q(plate));
      return items.some((e) => e.kind === 'EXIT_WITHOUT_ENTRY') ? items.map((e) => e.kind).sort() : undefined;
    }, 'exit without entry');
    expect(kinds).toEqual(['EXIT_WITHOUT_ENTRY', 'FLAGGED_READ']);
    const after = await eventually(async () => {
      const items = await sessions(q(plate));
      return items.length === 2 ? items : undefined;
    }, 'new session');
    expect(after.map((s) => [s.status, s.closedBy])).toEqual([
      ['OPEN', null],
      ['CLOSED', 'OPERATOR'],
    ]);
  });

  it('an admin closes, without a body, the session a low-confidence exit was not matched to', async () => {
    const plate = '33다3333';
    await sendEvent(lprIn, { type: 'PLATE_READ', plate, confidence: 0.96, at: ago(1200) });
    await sendEvent(lprOut, { type: 'PLATE_READ', plate, confidence: 0.35, at: ago(5) });
    const flag = await eventually(async () => (await exceptions(q(plate))).find((e) => e.direction === 'EXIT'), 'flagged exit');
    expect(flag).toMatchObject({ kind: 'FLAGGED_READ', reason: 'LOW_CONFIDENCE', candidateSessionId: expect.any(String) });

    const res = await closeSession(flag.candidateSessionId!, adminToken());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: flag.candidateSessionId, status: 'CLOSED', closedBy: 'OPERATOR', review: true, exitLaneId: null });
    expect(await auditRows(`action=parking.session-closed&target=${flag.candidateSessionId!}`)).toEqual([
      expect.objectContaining({ actor: 'admin', role: 'ADMIN', outcome: 'ok', details: expect.objectContaining({ zoneId: 'CP', exitLaneId: null, note: null }) }),
    ]);
  });

  it('a close whose audit row cannot be written is not made: the session stays open in the database and in memory', async () => {
    const plate = '44마4444';
    const id = await flaggedEntry(plate, 300);
    const db = server.app.get(DataSource);
    await db.query(`ALTER TABLE audit_log ADD CONSTRAINT e2e_no_parking_close CHECK (action <> 'parking.session-closed') NOT VALID`);
    try {
      const res = await closeSession(id, operatorToken()).send({ note: 'will not commit' });
      expect(res.status).toBe(500);
    } finally {
      await db.query(`ALTER TABLE audit_log DROP CONSTRAINT e2e_no_parking_close`);
    }
    await stillServing();
    expect((await sessions(q(plate)))[0]).toMatchObject({ id, status: 'OPEN', closedBy: null });
    expect(await auditRows(`action=parking.session-closed&target=${id}`)).toEqual([]);
    // the domain still holds it: a confident exit read closes it as usual
    await sendEvent(lprOut, { type: 'PLATE_READ', plate, confidence: 0.97 });
    const closed = await eventually(async () => (await sessions(`${q(plate)}&state=closed`))[0], 'closed by the exit read');
    expect(closed).toMatchObject({ id, closedBy: 'EXIT_READ', exitLaneId: 'LX', review: true });
  });

  it('refuses: 401, 403 for a device (audited), 404 unknown or out of scope, 400 bad id or body, 409 closed (audited); nothing changes until the close, and the server still answers', async () => {
    const plate = '22라2222';
    const id = await flaggedEntry(plate);
    const op = operatorToken(['CP']);

    expect((await closeSession(id).send({})).status).toBe(401);
    await stillServing();
    for (const [device, type] of [
      ['kiosk-1', 'PAYMENT_KIOSK'],
      ['lpr-out', 'LPR_CAMERA'],
    ] as const) {
      const res = await closeSession(id, server.deviceToken(device, type)).send({});
      expect([device, res.status]).toEqual([device, 403]);
      await stillServing();
    }
    const elsewhere = await closeSession(id, operatorToken(['ELSE'])).send({});
    expect(elsewhere.status).toBe(404);
    await stillServing();
    const unknown = await closeSession(randomUUID(), op).send({});
    expect(unknown.status).toBe(404);
    expect(elsewhere.body).toEqual({ ...(unknown.body as object), message: expect.any(String) }); // out of scope looks like missing
    await stillServing();
    const badId = await closeSession('not-a-session', op).send({});
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ fields: { id: expect.any(Array) } });
    await stillServing();
    const badBodies: Array<[Record<string, unknown>, string]> = [
      [{ exitLaneId: 7 }, 'exitLaneId'],
      [{ exitLaneId: '' }, 'exitLaneId'],
      [{ note: 5 }, 'note'],
      [{ note: 'x'.repeat(1001) }, 'note'],
      [{ bogus: 1 }, 'bogus'],
      [{ exitLaneId: 'NOPE' }, 'exitLaneId'], // no such lane
      [{ exitLaneId: 'LE' }, 'exitLaneId'], // an entry lane
      [{ exitLaneId: 'EX' }, 'exitLaneId'], // an exit lane outside the operator's zones
    ];
    for (const [body, field] of badBodies) {
      const res = await closeSession(id, op).send(body);
      expect([body, res.status, Object.keys((res.body as { fields?: object }).fields ?? {})]).toEqual([body, 400, [field]]);
      await stillServing();
    }

    expect((await sessions(q(plate)))[0]).toMatchObject({ id, status: 'OPEN', closedBy: null });
    expect(await auditRows(`action=parking.session-closed&target=${id}`)).toEqual([]);
    const denied = await auditRows(`action=request.denied&target=${encodeURIComponent(`POST /api/parking/sessions/${id}/close`)}`);
    expect(denied.map((r) => [r.actor, r.role, r.outcome]).sort()).toEqual([
      ['kiosk-1', 'DEVICE', 'denied'],
      ['lpr-out', 'DEVICE', 'denied'],
    ]);

    // two operators at once: one closes it, the other is told it is closed
    const both = await Promise.all([closeSession(id, op).send({ note: 'first' }), closeSession(id, operatorToken()).send({ note: 'second' })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    await stillServing();
    const again = await closeSession(id, op).send({});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'conflict' });
    await stillServing();
    const rows = await auditRows(`action=parking.session-closed&target=${id}`);
    expect(rows.map((r) => r.outcome).sort()).toEqual(['conflict', 'conflict', 'ok']);
    expect((await sessions(q(plate)))[0]).toMatchObject({ id, status: 'CLOSED', closedBy: 'OPERATOR' });
  });
});

describe('rejections', () => {
  it('zone occupancy: 401, 403, 404 (unknown or out of scope); the server still answers', async () => {
    expect((await http().get('/api/zones/CP/occupancy')).status).toBe(401);
    await stillServing();
    const kiosk = await http().get('/api/zones/CP/occupancy').set('Authorization', `Bearer ${server.deviceToken('kiosk-1', 'PAYMENT_KIOSK')}`);
    expect(kiosk.status).toBe(403);
    await stillServing();
    expect((await http().get('/api/zones/NOPE/occupancy').set('Authorization', `Bearer ${operatorToken()}`)).status).toBe(404);
    await stillServing();
    expect((await http().get('/api/zones/CP/occupancy').set('Authorization', `Bearer ${operatorToken(['ELSE'])}`)).status).toBe(404);
    await stillServing();
    const inScope = await http().get('/api/zones/L1/occupancy').set('Authorization', `Bearer ${operatorToken(['L1'])}`);
    expect(inScope.status).toBe(200);
  });

  it('sessions: 400 for bad filters, limit or cursor; 403 for a device; the server still answers', async () => {
    for (const query of ['state=parked', 'limit=0', 'limit=501', 'cursor=not-a-cursor', 'exceptions=true&state=open', 'exceptions=yes', 'bogus=1']) {
      const res = await http().get(`/api/parking/sessions?${query}`).set('Authorization', `Bearer ${operatorToken()}`);
      expect([query, res.status]).toEqual([query, 400]);
      await stillServing();
    }
    const kiosk = await http().get('/api/parking/sessions').set('Authorization', `Bearer ${server.deviceToken('kiosk-1', 'PAYMENT_KIOSK')}`);
    expect(kiosk.status).toBe(403);
    await stillServing();
  });

  it('a malformed BAY_OCCUPANCY is answered on the errors queue and the camera stays connected', async () => {
    cam1.send('SUBSCRIBE', { id: 'errs', destination: '/user/queue/errors', receipt: 'sub-errs' });
    await cam1.take((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'sub-errs');
    cam1.send('SEND', { destination: '/app/events', 'content-type': 'application/json' }, JSON.stringify({ type: 'BAY_OCCUPANCY', occupied: 'yes' }));
    const error = await cam1.take((f) => f.command === 'MESSAGE' && f.header('destination') === '/user/queue/errors');
    expect(body<{ error: string }>(error).error).toBeDefined();
    await sendEvent(cam1, { type: 'BAY_OCCUPANCY', bayId: 'B2', occupied: true });
    await occupancy((o) => o.zoneId === 'L1' && o.occupied === 2 && o.free === 1);
  });
});

describe('zone closure', () => {
  it('an admin closing a level turns its sign to CLOSED and /topic/occupancy shows it closed, nothing available', async () => {
    const res = await http().patch('/api/zones/L1').set('Authorization', `Bearer ${adminToken()}`).send({ closed: true });
    expect(res.status).toBe(200);
    const level = await occupancy((o) => o.zoneId === 'L1' && o.closed);
    expect(level).toMatchObject({ available: 0, free: 1, occupied: 2 });
    await signShows('CLOSED');
    const reopened = await http().patch('/api/zones/L1').set('Authorization', `Bearer ${adminToken()}`).send({ closed: false });
    expect(reopened.status).toBe(200);
    await occupancy((o) => o.zoneId === 'L1' && !o.closed && o.available === 1);
    await signShows('FREE 1');
  });
});

describe('restart', () => {
  it('restores counts, find-my-car and open sessions from the database', async () => {
    let first: TestServer | undefined = await startTestServer({}, undefined, { persistent: true });
    let second: TestServer | undefined;
    const local: RawStompClient[] = [];
    try {
      const db = first.app.get(DataSource);
      await db.query(`INSERT INTO zones (id, name, kind) VALUES ('RP', 'RP', 'CAR_PARK')`);
      await db.query(`INSERT INTO lanes (id, zone_id, kind) VALUES ('RE', 'RP', 'PARK_ENTRY'), ('RX', 'RP', 'PARK_EXIT')`);
      await db.query(
        `INSERT INTO devices (id, type, name, zone_id, lane_id, secret_hash) VALUES ('rcam', 'GUIDANCE_CAMERA', 'rcam', 'RP', NULL, 'x'), ('rlpr', 'LPR_CAMERA', 'rlpr', 'RP', 'RE', 'x'), ('rout', 'LPR_CAMERA', 'rout', 'RP', 'RX', 'x')`,
      );
      await db.query(`INSERT INTO bays (id, zone_id, camera_id) VALUES ('R1', 'RP', 'rcam'), ('R2', 'RP', 'rcam'), ('R3', 'RP', 'rcam')`);
      await first.app.get(MessageBus).publish(REGISTRY_EVENT_CHANNELS.zoneChanged, { id: 'RP', name: 'RP', kind: 'CAR_PARK', parentId: null, closed: false, created: true });
      await first.app.get(ParkingService).settled();

      const cam = await RawStompClient.tcp(first.tcpPort);
      local.push(cam);
      expect((await cam.connect(first.deviceToken('rcam', 'GUIDANCE_CAMERA'))).command).toBe('CONNECTED');
      await sendEvent(cam, { type: 'BAY_OCCUPANCY', bayId: 'R1', occupied: true, plate: 'AB123' });
      await sendEvent(cam, { type: 'BAY_OCCUPANCY', bayId: 'R2', occupied: false });
      const lpr = await RawStompClient.tcp(first.tcpPort);
      local.push(lpr);
      expect((await lpr.connect(first.deviceToken('rlpr', 'LPR_CAMERA'))).command).toBe('CONNECTED');
      await sendEvent(lpr, { type: 'PLATE_READ', plate: 'AB123', confidence: 0.9, at: new Date(Date.now() - 120_000).toISOString() });
      await first.app.get(ParkingService).settled();
      for (const c of local.splice(0)) c.close();

      second = await first.restart();
      first = undefined;
      const token = second.token({ sub: 'op-r', role: 'OPERATOR' });
      const counts = await request(second.httpUrl).get('/api/zones/RP/occupancy').set('Authorization', `Bearer ${token}`);
      expect(counts.body).toMatchObject({ total: 3, occupied: 1, free: 1, unknown: 1, available: 1 });
      const car = await request(second.httpUrl).get('/api/parking/vehicles/ab123').set('Authorization', `Bearer ${token}`);
      expect(car.body).toMatchObject({ plate: 'AB123', bayId: 'R1', zoneId: 'RP', carParkId: 'RP', levelId: null, stale: false });

      const out = await RawStompClient.tcp(second.tcpPort);
      local.push(out);
      expect((await out.connect(second.deviceToken('rout', 'LPR_CAMERA'))).command).toBe('CONNECTED');
      await sendEvent(out, { type: 'PLATE_READ', plate: 'AB123', confidence: 0.9 });
      const closed = await eventually(async () => {
        const res = await request(second!.httpUrl).get('/api/parking/sessions?plate=AB123').set('Authorization', `Bearer ${token}`);
        const items = (res.body as { items: Session[] }).items;
        return items.length === 1 && items[0]!.status === 'CLOSED' ? items[0] : undefined;
      }, 'session closed after the restart');
      expect(closed.durationS).toBeGreaterThanOrEqual(119);
    } finally {
      for (const c of local) c.close();
      await first?.close();
      await second?.close();
    }
  });

  it('an operator close survives a restart; a session restored after a restart can be closed by an operator', async () => {
    let first: TestServer | undefined = await startTestServer({}, undefined, { persistent: true });
    let second: TestServer | undefined;
    const local: RawStompClient[] = [];
    try {
      const db = first.app.get(DataSource);
      await db.query(`INSERT INTO zones (id, name, kind) VALUES ('OP', 'OP', 'CAR_PARK')`);
      await db.query(`INSERT INTO lanes (id, zone_id, kind) VALUES ('OE', 'OP', 'PARK_ENTRY'), ('OX', 'OP', 'PARK_EXIT')`);
      await db.query(`INSERT INTO devices (id, type, name, zone_id, lane_id, secret_hash) VALUES ('olpr', 'LPR_CAMERA', 'olpr', 'OP', 'OE', 'x'), ('oout', 'LPR_CAMERA', 'oout', 'OP', 'OX', 'x')`);
      await first.app.get(MessageBus).publish(REGISTRY_EVENT_CHANNELS.zoneChanged, { id: 'OP', name: 'OP', kind: 'CAR_PARK', parentId: null, closed: false, created: true });
      await first.app.get(ParkingService).settled();

      const lpr = await RawStompClient.tcp(first.tcpPort);
      local.push(lpr);
      expect((await lpr.connect(first.deviceToken('olpr', 'LPR_CAMERA'))).command).toBe('CONNECTED');
      const at = new Date(Date.now() - 600_000).toISOString();
      await sendEvent(lpr, { type: 'PLATE_READ', plate: 'CL111', confidence: 0.3, at });
      await sendEvent(lpr, { type: 'PLATE_READ', plate: 'CL222', confidence: 0.95, at });
      await first.app.get(ParkingService).settled();
      const firstOp = first.token({ sub: 'op-r', role: 'OPERATOR', zones: ['OP'] });
      const list = async (s: TestServer, plate: string): Promise<Session[]> => {
        const res = await request(s.httpUrl).get(`/api/parking/sessions?plate=${plate}`).set('Authorization', `Bearer ${s.token({ sub: 'op-r', role: 'OPERATOR' })}`);
        expect(res.status).toBe(200);
        return (res.body as { items: Session[] }).items;
      };
      const [flagged] = await list(first, 'CL111');
      expect(flagged).toMatchObject({ status: 'OPEN', review: true });
      expect((await closeSession(flagged!.id, firstOp, first.httpUrl).send({ note: 'checked' })).status).toBe(200);
      for (const c of local.splice(0)) c.close();

      second = await first.restart();
      first = undefined;
      const op = second.token({ sub: 'op-r', role: 'OPERATOR', zones: ['OP'] });
      expect(await list(second, 'CL111')).toEqual([expect.objectContaining({ id: flagged!.id, status: 'CLOSED', closedBy: 'OPERATOR' })]);
      const audit = await request(second.httpUrl)
        .get(`/api/audit?action=parking.session-closed&target=${flagged!.id}`)
        .set('Authorization', `Bearer ${second.token({ sub: 'admin', role: 'ADMIN' })}`);
      expect(audit.body.items).toEqual([expect.objectContaining({ actor: 'op-r', outcome: 'ok', details: expect.objectContaining({ zoneId: 'OP', note: 'checked' }) })]);
      expect((await closeSession(flagged!.id, op, second.httpUrl).send({})).status).toBe(409);

      // the restored domain holds CL222 open, not CL111: an operator closes CL222; CL111's exit has no entry
      const [open] = await list(second, 'CL222');
      const closed = await closeSession(open!.id, op, second.httpUrl).send({ exitLaneId: 'OX' });
      expect(closed.status).toBe(200);
      expect(closed.body).toMatchObject({ id: open!.id, status: 'CLOSED', closedBy: 'OPERATOR', exitLaneId: 'OX' });
      expect(closed.body.durationS).toBeGreaterThanOrEqual(599);
      const out = await RawStompClient.tcp(second.tcpPort);
      local.push(out);
      expect((await out.connect(second.deviceToken('oout', 'LPR_CAMERA'))).command).toBe('CONNECTED');
      await sendEvent(out, { type: 'PLATE_READ', plate: 'CL111', confidence: 0.95 });
      await sendEvent(out, { type: 'PLATE_READ', plate: 'CL222', confidence: 0.95 });
      await second.app.get(ParkingService).settled();
      const exceptionsAfter = await request(second.httpUrl)
        .get('/api/parking/sessions?exceptions=true')
        .set('Authorization', `Bearer ${op}`);
      const kinds = (exceptionsAfter.body.items as ParkingException[]).filter((e) => e.direction === 'EXIT').map((e) => [e.plate, e.kind]).sort();
      expect(kinds).toEqual([
        ['CL111', 'EXIT_WITHOUT_ENTRY'],
        ['CL222', 'EXIT_WITHOUT_ENTRY'],
      ]);
    } finally {
      for (const c of local) c.close();
      await first?.close();
      await second?.close();
    }
  });
});
