import request from 'supertest';
import { DataSource } from 'typeorm';
import type { DeviceType } from '@landside/contracts';
import { DispatchService } from '@landside/dispatch';
import type { StompFrame } from '@landside/stomp';
import { RawStompClient } from './support/raw-stomp';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * Taxi dispatch end to end (SPEC §7): the stand, taxis and destinations are set up over REST as
 * an admin; a TAXI_LOT_CAMERA reads plates at the stand's LOT_ENTRY lane (SEND /app/events), a
 * DISPATCH_KIOSK asks for a taxi over STOMP (SEND /app/dispatch/requests, reply on
 * /user/queue/replies with the receipt as correlation-id), and the match reaches the driver
 * (principal = plate), the kiosk and an operator on /topic/dispatch/{zone}. Zones, lanes and
 * devices are rows written with SQL, as the registry would. Waits are generous; nothing asserts timing.
 *
 *   T1-TAXI (TAXI_STAND): lanes T1-LOT-IN (LOT_ENTRY), T1-LOT-OUT (LOT_EXIT), T1-CURB (CURB)
 *     lotcam-1 (TAXI_LOT_CAMERA, lane T1-LOT-IN), kiosk-1 (DISPATCH_KIOSK)
 *   T2-TAXI (TAXI_STAND, no stand configured), CP (CAR_PARK)
 */
interface DispatchMessage {
  kind: string;
  zoneId: string;
  at: string;
  plate?: string;
  ticket?: string;
  matchId?: string;
  queue?: string;
  reason?: string;
}
interface TaxiPlace {
  plate: string;
  stage: string;
  queue: string | null;
  position?: number;
}

const ZONE = 'T1-TAXI';
let server: TestServer;
let operator: RawStompClient;
let kiosk: RawStompClient;
let lotcam: RawStompClient;
const clients: RawStompClient[] = [];
const http = () => request(server.httpUrl);
const adminToken = (): string => server.token({ sub: 'admin', role: 'ADMIN' });
const operatorToken = (zones?: string[]): string => server.token({ sub: 'op-dispatch', role: 'OPERATOR', ...(zones ? { zones } : {}) });
const driverToken = (plate: string): string => server.token({ sub: plate, role: 'DRIVER' });

async function addDevice(id: string, type: DeviceType, zoneId: string, laneId: string | null = null): Promise<void> {
  await server.app.get(DataSource).query(`INSERT INTO devices (id, type, name, zone_id, lane_id, secret_hash) VALUES ($1, $2, $1, $3, $4, 'x')`, [id, type, zoneId, laneId]);
}

async function connect(token: string): Promise<RawStompClient> {
  const client = await RawStompClient.tcp(server.tcpPort);
  clients.push(client);
  expect((await client.connect(token)).command).toBe('CONNECTED');
  return client;
}

async function subscribe(client: RawStompClient, destination: string): Promise<void> {
  const receipt = `sub-${destination}`;
  client.send('SUBSCRIBE', { id: destination, destination, receipt });
  await client.take((f) => f.command === 'RECEIPT' && f.header('receipt-id') === receipt);
}

let seq = 0;
async function read(plate: string, laneId = 'T1-LOT-IN'): Promise<void> {
  const receipt = `ev-${++seq}`;
  lotcam.send('SEND', { destination: '/app/events', 'content-type': 'application/json', receipt }, JSON.stringify({ type: 'PLATE_READ', plate, confidence: 0.98, laneId }));
  await lotcam.take((f) => f.command === 'RECEIPT' && f.header('receipt-id') === receipt, 10_000);
  await server.app.get(DispatchService).settled();
}

function body<T>(frame: StompFrame): T {
  return JSON.parse(frame.bodyText) as T;
}

/** The first MESSAGE on `destination` (queued or to come) whose body matches; others stay queued. */
async function message(client: RawStompClient, destination: string, match: (m: DispatchMessage) => boolean, timeoutMs = 15_000): Promise<DispatchMessage> {
  const frame = await client.take((f) => f.command === 'MESSAGE' && f.header('destination') === destination && match(body<DispatchMessage>(f)), timeoutMs);
  return body<DispatchMessage>(frame);
}

async function zoneView(): Promise<{ queues: Array<{ queue: string; vehicleClass: string; lot: number; curb: number; passengers: number }>; taxis: TaxiPlace[]; [k: string]: unknown }> {
  const res = await http().get(`/api/dispatch/zones/${ZONE}`).set('Authorization', `Bearer ${operatorToken()}`);
  expect(res.status).toBe(200);
  return res.body as { queues: Array<{ queue: string; vehicleClass: string; lot: number; curb: number; passengers: number }>; taxis: TaxiPlace[] };
}

/** The server still answers a normal request. */
async function stillServing(): Promise<void> {
  const res = await http().get('/api/dispatch/stands').set('Authorization', `Bearer ${operatorToken()}`);
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  server = await startTestServer();
  const db = server.app.get(DataSource);
  await db.query(`INSERT INTO zones (id, name, kind) VALUES ('T1-TAXI', 'T1 taxi stand', 'TAXI_STAND'), ('T2-TAXI', 'T2 taxi stand', 'TAXI_STAND'), ('CP', 'car park', 'CAR_PARK')`);
  await db.query(`INSERT INTO lanes (id, zone_id, kind) VALUES ('T1-LOT-IN', 'T1-TAXI', 'LOT_ENTRY'), ('T1-LOT-OUT', 'T1-TAXI', 'LOT_EXIT'), ('T1-CURB', 'T1-TAXI', 'CURB')`);
  await addDevice('lotcam-1', 'TAXI_LOT_CAMERA', ZONE, 'T1-LOT-IN');
  await addDevice('kiosk-1', 'DISPATCH_KIOSK', ZONE);
  await addDevice('gate-1', 'GATE', 'CP');

  const admin = adminToken();
  const destinations = await http()
    .put('/api/dispatch/destinations')
    .set('Authorization', `Bearer ${admin}`)
    .send({
      destinations: [
        { name: 'Gangnam', region: 'SEOUL' },
        { name: 'Seoul Station', region: 'SEOUL' },
        { name: 'Songdo', region: 'INCHEON' },
        { name: 'Yeongjong', region: 'INCHEON', near: true },
        { name: 'Suwon', region: 'GYEONGGI' },
      ],
    });
  expect(destinations.status).toBe(200);
  expect(destinations.body).toMatchObject({ count: 5 });
  for (const [plate, licenceRegion] of [
    ['S1', 'SEOUL'],
    ['S2', 'SEOUL'],
    ['S3', 'SEOUL'],
    ['S4', 'SEOUL'],
    ['I1', 'INCHEON'],
    ['X1', 'SEOUL'],
  ] as const) {
    const res = await http().post('/api/dispatch/taxis').set('Authorization', `Bearer ${admin}`).send({ plate, licenceRegion, vehicleClass: 'STANDARD' });
    expect(res.status).toBe(201);
  }
  const stand = await http()
    .post('/api/dispatch/stands')
    .set('Authorization', `Bearer ${admin}`)
    .send({ zoneId: ZONE, mode: 'REGIONAL', regions: ['SEOUL', 'INCHEON', 'GYEONGGI'], curbTarget: 1, nearQueue: false, priorityWindowMin: 90 });
  expect(stand.status).toBe(201);
  expect(stand.body).toMatchObject({ zoneId: ZONE, mode: 'REGIONAL', regions: ['SEOUL', 'INCHEON', 'GYEONGGI'], curbTarget: 1, version: 1 });

  operator = await connect(operatorToken());
  await subscribe(operator, `/topic/dispatch/${ZONE}`);
  lotcam = await connect(server.deviceToken('lotcam-1', 'TAXI_LOT_CAMERA'));
  kiosk = await connect(server.deviceToken('kiosk-1', 'DISPATCH_KIOSK'));
  await subscribe(kiosk, '/user/queue/replies');
  await subscribe(kiosk, '/user/queue/errors');
  await subscribe(kiosk, '/user/queue/dispatch');
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
});

describe('a taxi, a passenger, a match', () => {
  let matchId: string;

  it('the lot camera queues the taxi and calls it up; the kiosk request gets a ticket and the match reaches driver, kiosk and operator', async () => {
    const driver = await connect(driverToken('S1'));
    await subscribe(driver, '/user/queue/dispatch');

    await read('S1');
    expect(await message(operator, `/topic/dispatch/${ZONE}`, (m) => m.kind === 'dispatch.taxi-queued')).toMatchObject({ zoneId: ZONE, plate: 'S1', queue: 'SEOUL' });
    expect(await message(driver, '/user/queue/dispatch', (m) => m.kind === 'dispatch.called')).toMatchObject({ zoneId: ZONE, plate: 'S1', queue: 'SEOUL' });

    kiosk.send('SEND', { destination: '/app/dispatch/requests', 'content-type': 'application/json', receipt: 'req-1' }, JSON.stringify({ destination: 'Gangnam', partySize: 2, vehicleClass: 'STANDARD' }));
    const reply = await kiosk.take((f) => f.command === 'MESSAGE' && f.header('destination') === '/user/queue/replies', 15_000);
    expect(reply.header('correlation-id')).toBe('req-1');
    const ticket = body<{ ticket: string; zoneId: string; region: string; match?: { matchId: string; plate: string } }>(reply);
    expect(ticket).toMatchObject({ zoneId: ZONE, ticket: 'A0001', region: 'SEOUL', stage: 'MATCHED', match: { plate: 'S1' } });
    matchId = ticket.match!.matchId;

    const toDriver = await message(driver, '/user/queue/dispatch', (m) => m.kind === 'dispatch.matched');
    expect(toDriver).toMatchObject({ zoneId: ZONE, matchId, plate: 'S1', ticket: 'A0001', queue: 'SEOUL', vehicleClass: 'STANDARD' });
    expect(await message(kiosk, '/user/queue/dispatch', (m) => m.kind === 'dispatch.matched')).toMatchObject({ matchId, plate: 'S1', ticket: 'A0001' });
    const onTopic = await message(operator, `/topic/dispatch/${ZONE}`, (m) => m.kind === 'dispatch.matched');
    expect(onTopic).toEqual(toDriver);

    const rows: Array<{ id: string; plate: string; ticket: string; status: string }> = await server.app
      .get(DataSource)
      .query(`SELECT id, plate, ticket, status FROM dispatch_matches WHERE zone_id = $1`, [ZONE]);
    expect(rows).toEqual([{ id: matchId, plate: 'S1', ticket: 'A0001', status: 'ACTIVE' }]);
    const audit: Array<{ actor: string; action: string; details: { zoneId: string } }> = await server.app
      .get(DataSource)
      .query(`SELECT actor, action, details FROM audit_log WHERE target = $1`, [matchId]);
    expect(audit).toEqual([expect.objectContaining({ actor: 'kiosk-1', action: 'match.created', details: expect.objectContaining({ zoneId: ZONE }) })]);
  });

  it('GET /api/dispatch/zones/{id} shows the queues per region and class, lot and curb, the active match', async () => {
    const view = await zoneView();
    expect(view).toMatchObject({ zoneId: ZONE, mode: 'REGIONAL', lot: 0, curb: 0, matchesTotal: 1, counts: { activeMatches: 1, matchedTaxis: 1 } });
    expect(view.queues).toHaveLength(3 * 4);
    expect(view.queues).toContainEqual({ queue: 'SEOUL', vehicleClass: 'STANDARD', lot: 0, curb: 0, passengers: 0 });
    expect(view.queues).toContainEqual({ queue: 'GYEONGGI', vehicleClass: 'ACCESSIBLE', lot: 0, curb: 0, passengers: 0 });
    expect(view['activeMatches']).toEqual([expect.objectContaining({ matchId, plate: 'S1', ticket: 'A0001', status: 'ACTIVE' })]);
  });

  it('a bad kiosk request is answered on /user/queue/errors and the session stays open', async () => {
    kiosk.send('SEND', { destination: '/app/dispatch/requests', 'content-type': 'application/json', receipt: 'req-bad' }, JSON.stringify({ destination: 'Atlantis', partySize: 1, vehicleClass: 'STANDARD' }));
    const error = await kiosk.take((f) => f.command === 'MESSAGE' && f.header('destination') === '/user/queue/errors', 15_000);
    expect(body(error)).toMatchObject({ error: 'invalid', destination: '/app/dispatch/requests', receipt: 'req-bad', detail: { reason: 'unknown-destination' } });
    expect(kiosk.closed).toBe(false);
  });

  it('the kiosk confirms the pickup over REST; the stand counts the match', async () => {
    const res = await http().post(`/api/dispatch/matches/${matchId}/pickup`).set('Authorization', `Bearer ${server.deviceToken('kiosk-1', 'DISPATCH_KIOSK')}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matchId, status: 'COMPLETED', plate: 'S1' });
    expect(await message(operator, `/topic/dispatch/${ZONE}`, (m) => m.kind === 'dispatch.completed')).toMatchObject({ matchId });
    const again = await http().post(`/api/dispatch/matches/${matchId}/pickup`).set('Authorization', `Bearer ${adminToken()}`);
    expect(again.status).toBe(409);
    const metrics = await http().get('/metrics');
    expect(metrics.text).toMatch(/landside_dispatch_matches_total\{zone="T1-TAXI"\} 1/);
    expect(metrics.text).toMatch(/landside_dispatch_lot_taxis\{zone="T1-TAXI"\} 0/);
    expect(metrics.text).toMatch(/landside_dispatch_no_shows_total\{zone="T1-TAXI",side="TAXI"\} 0/);
  });
});

describe('refusals', () => {
  it('a banned plate is refused at the lot', async () => {
    const ban = await http().post('/api/dispatch/taxis/X1/ban').set('Authorization', `Bearer ${adminToken()}`);
    expect(ban.status).toBe(200);
    expect(ban.body).toMatchObject({ plate: 'X1', banned: true, bannedBy: 'admin' });
    await read('X1');
    expect(await message(operator, `/topic/dispatch/${ZONE}`, (m) => m.kind === 'dispatch.taxi-refused')).toMatchObject({ plate: 'X1', reason: 'BANNED' });
    expect((await zoneView()).taxis.map((t) => t.plate)).not.toContain('X1');
  });

  it('REST error paths answer 400/401/403/404/409, and the server keeps serving', async () => {
    const admin = adminToken();
    const standBody = { zoneId: ZONE, mode: 'REGIONAL', regions: ['SEOUL'], curbTarget: 1, nearQueue: false, priorityWindowMin: 90 };

    const unauthenticated = await http().post('/api/dispatch/stands').send(standBody);
    expect(unauthenticated.status).toBe(401);
    await stillServing();

    const asOperator = await http().post('/api/dispatch/stands').set('Authorization', `Bearer ${operatorToken()}`).send(standBody);
    expect(asOperator.status).toBe(403);
    await stillServing();

    const duplicate = await http().post('/api/dispatch/stands').set('Authorization', `Bearer ${admin}`).send(standBody);
    expect(duplicate.status).toBe(409);
    await stillServing();

    const carPark = await http().post('/api/dispatch/stands').set('Authorization', `Bearer ${admin}`).send({ ...standBody, zoneId: 'CP' });
    expect(carPark.status).toBe(400);
    expect(carPark.body).toMatchObject({ fields: { zoneId: expect.any(Array) } });
    const missing = await http().post('/api/dispatch/stands').set('Authorization', `Bearer ${admin}`).send({ ...standBody, zoneId: 'NOWHERE' });
    expect(missing.status).toBe(400);
    const badField = await http().post('/api/dispatch/stands').set('Authorization', `Bearer ${admin}`).send({ ...standBody, zoneId: 'T2-TAXI', curbTarget: 0, extra: 1 });
    expect(badField.status).toBe(400);
    expect(badField.body).toMatchObject({ error: 'validation-failed', fields: { curbTarget: expect.any(Array), extra: expect.any(Array) } });
    const noRegions = await http().post('/api/dispatch/stands').set('Authorization', `Bearer ${admin}`).send({ ...standBody, zoneId: 'T2-TAXI', regions: [] });
    expect(noRegions.status).toBe(400);
    await stillServing();

    expect((await http().get('/api/dispatch/zones/NOWHERE').set('Authorization', `Bearer ${operatorToken()}`)).status).toBe(404);
    expect((await http().get(`/api/dispatch/zones/${ZONE}`).set('Authorization', `Bearer ${operatorToken(['T2-TAXI'])}`)).status).toBe(404);
    expect((await http().post('/api/dispatch/taxis/NOPE99/ban').set('Authorization', `Bearer ${admin}`)).status).toBe(404);
    expect((await http().post('/api/dispatch/matches/NOPE/pickup').set('Authorization', `Bearer ${admin}`)).status).toBe(404);
    expect((await http().patch('/api/dispatch/stands/T2-TAXI').set('Authorization', `Bearer ${admin}`).send({ mode: 'SINGLE_QUEUE' })).status).toBe(404);
    await stillServing();

    const gate = await http().post('/api/dispatch/requests').set('Authorization', `Bearer ${server.deviceToken('gate-1', 'GATE')}`).send({ destination: 'Gangnam', partySize: 1, vehicleClass: 'STANDARD' });
    expect(gate.status).toBe(403);
    const otherDriver = await http().post('/api/dispatch/drivers/S4/region').set('Authorization', `Bearer ${driverToken('S3')}`).send({ region: 'SEOUL' });
    expect(otherDriver.status).toBe(403);
    const unknownRegion = await http().post('/api/dispatch/drivers/S3/region').set('Authorization', `Bearer ${driverToken('S3')}`).send({ region: 'BUSAN', zoneId: ZONE });
    expect(unknownRegion.status).toBe(400);
    const tooMany = await http().post('/api/dispatch/requests').set('Authorization', `Bearer ${operatorToken()}`).send({ zoneId: ZONE, destination: 'Gangnam', partySize: 5, vehicleClass: 'STANDARD' });
    expect(tooMany.status).toBe(400);
    await stillServing();

    const denied: Array<{ action: string; outcome: string; target: string }> = await server.app
      .get(DataSource)
      .query(`SELECT action, outcome, target FROM audit_log WHERE outcome IN ('denied', 'conflict') ORDER BY id`);
    expect(denied).toEqual(
      expect.arrayContaining([
        { action: 'request.denied', outcome: 'denied', target: 'POST /api/dispatch/stands' },
        { action: 'stand.created', outcome: 'conflict', target: ZONE },
      ]),
    );
  });
});

describe('mode switch', () => {
  it('PATCH mode keeps every taxi in its order, and switching back restores the queues', async () => {
    for (const plate of ['S2', 'S3', 'I1', 'S4']) await read(plate);
    // curb target 1 per queue: S2 (SEOUL) and I1 (INCHEON) are called, S3 then S4 wait in the SEOUL lot
    const before = (await zoneView()).taxis;
    expect(before.map((t) => [t.plate, t.stage, t.queue, t.position])).toEqual([
      ['S2', 'CALLED', 'SEOUL', 1],
      ['S3', 'LOT', 'SEOUL', 1],
      ['S4', 'LOT', 'SEOUL', 2],
      ['I1', 'CALLED', 'INCHEON', 1],
    ]);

    const single = await http().patch(`/api/dispatch/stands/${ZONE}`).set('Authorization', `Bearer ${adminToken()}`).send({ mode: 'SINGLE_QUEUE' });
    expect(single.status).toBe(200);
    expect(single.body).toMatchObject({ mode: 'SINGLE_QUEUE', regions: ['SEOUL', 'INCHEON', 'GYEONGGI'] });
    expect(await message(operator, `/topic/dispatch/${ZONE}`, (m) => m.kind === 'dispatch.mode-changed')).toMatchObject({ from: 'REGIONAL', to: 'SINGLE_QUEUE' });
    const merged = (await zoneView()).taxis;
    expect(merged.map((t) => [t.plate, t.stage, t.queue, t.position])).toEqual([
      ['S2', 'CALLED', 'ALL', 1],
      ['I1', 'CALLED', 'ALL', 2],
      ['S3', 'LOT', 'ALL', 1],
      ['S4', 'LOT', 'ALL', 2],
    ]);

    const back = await http().patch(`/api/dispatch/stands/${ZONE}`).set('Authorization', `Bearer ${adminToken()}`).send({ mode: 'REGIONAL' });
    expect(back.status).toBe(200);
    expect((await zoneView()).taxis.map((t) => [t.plate, t.stage, t.queue, t.position])).toEqual(before.map((t) => [t.plate, t.stage, t.queue, t.position]));

    // an operator's REST request is served by the head of the SEOUL curb
    const res = await http().post('/api/dispatch/requests').set('Authorization', `Bearer ${operatorToken()}`).send({ zoneId: ZONE, destination: 'seoul  station', partySize: 1, vehicleClass: 'STANDARD' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ticket: 'A0002', destination: 'Seoul Station', stage: 'MATCHED', match: { plate: 'S2' } });
    expect((await zoneView()).taxis.map((t) => [t.plate, t.stage])).toEqual([
      ['S3', 'CALLED'],
      ['S4', 'LOT'],
      ['I1', 'CALLED'],
      ['S2', 'MATCHED'],
    ]);

    const audit: Array<{ action: string; actor: string }> = await server.app
      .get(DataSource)
      .query(`SELECT action, actor FROM audit_log WHERE action = 'stand.updated' AND outcome = 'ok' ORDER BY id`);
    expect(audit).toEqual([
      { action: 'stand.updated', actor: 'admin' },
      { action: 'stand.updated', actor: 'admin' },
    ]);
  });

  it('a driver chooses its own region over REST (remembered outside DRIVER_SELECTED); a LOT_EXIT read lets a waiting taxi go', async () => {
    const res = await http().post('/api/dispatch/drivers/S4/region').set('Authorization', `Bearer ${driverToken('S4')}`).send({ region: 'incheon' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ zoneId: ZONE, plate: 'S4', region: 'INCHEON', taxi: { plate: 'S4', stage: 'LOT', queue: 'SEOUL' } });
    await read('S4', 'T1-LOT-OUT');
    expect(await message(operator, `/topic/dispatch/${ZONE}`, (m) => m.kind === 'dispatch.taxi-left')).toMatchObject({ plate: 'S4', reason: 'LOT_EXIT' });
    expect((await zoneView()).taxis.map((t) => t.plate)).not.toContain('S4');
  });
});

describe('cancelling a waiting ticket (POST /api/dispatch/zones/{zoneId}/tickets/{ticket}/cancel)', () => {
  const TOPIC = `/topic/dispatch/${ZONE}`;
  const kioskToken = (): string => server.deviceToken('kiosk-1', 'DISPATCH_KIOSK');
  const cancel = (zoneId: string, ticket: string, token: string, payload: object = {}) =>
    http().post(`/api/dispatch/zones/${zoneId}/tickets/${ticket}/cancel`).set('Authorization', `Bearer ${token}`).send(payload);
  /** A ticket that waits: nobody serves GYEONGGI at this stand. */
  async function waitingTicket(token: string, zoneId?: string): Promise<string> {
    const res = await http()
      .post('/api/dispatch/requests')
      .set('Authorization', `Bearer ${token}`)
      .send({ destination: 'Suwon', partySize: 1, vehicleClass: 'STANDARD', ...(zoneId === undefined ? {} : { zoneId }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ zoneId: ZONE, region: 'GYEONGGI', stage: 'WAITING' });
    return (res.body as { ticket: string }).ticket;
  }
  const passengers = async (): Promise<string[]> => ((await zoneView())['passengers'] as Array<{ ticket: string }>).map((p) => p.ticket);
  const standVersion = async (): Promise<number> =>
    Number(((await server.app.get(DataSource).query(`SELECT version::text AS version FROM dispatch_stands WHERE zone_id = $1`, [ZONE])) as Array<{ version: string }>)[0]!.version);
  const auditOf = (target: string): Promise<Array<{ actor: string; role: string; outcome: string; details: Record<string, unknown> }>> =>
    server.app.get(DataSource).query(`SELECT actor, role, outcome, details FROM audit_log WHERE action = 'ticket.cancelled' AND target = $1 ORDER BY id`, [target]);
  let cancelledByKiosk: string;

  it("the stand's kiosk cancels: TICKET_CANCELLED on the topic and to the requester, audited in the input's transaction", async () => {
    const ticket = await waitingTicket(kioskToken());
    expect(await passengers()).toContain(ticket);
    const before = await standVersion();

    const res = await cancel(ZONE, ticket, kioskToken(), { reason: 'passenger took the bus' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ zoneId: ZONE, ticket, destination: 'Suwon', region: 'GYEONGGI', queue: 'GYEONGGI', vehicleClass: 'STANDARD', partySize: 1, stage: 'CANCELLED' });
    const onTopic = await message(operator, TOPIC, (m) => m.kind === 'dispatch.ticket-cancelled' && m.ticket === ticket);
    expect(onTopic).toMatchObject({ zoneId: ZONE, ticket, reason: 'CANCELLED' });
    expect(await message(kiosk, '/user/queue/dispatch', (m) => m.kind === 'dispatch.ticket-cancelled' && m.ticket === ticket)).toEqual(onTopic);

    expect(await passengers()).not.toContain(ticket);
    expect(await standVersion()).toBe(before + 1);
    expect(await auditOf(`${ZONE}/${ticket}`)).toEqual([
      {
        actor: 'kiosk-1',
        role: 'DEVICE',
        outcome: 'ok',
        details: { zoneId: ZONE, ticket, cancelReason: 'passenger took the bus', decisions: ['TICKET_CANCELLED'] },
      },
    ]);
    cancelledByKiosk = ticket;
  });

  it('an operator of the zone cancels a ticket the kiosk asked for; the kiosk is told', async () => {
    const ticket = await waitingTicket(kioskToken());
    const res = await cancel(ZONE, ticket, operatorToken([ZONE]));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ticket, stage: 'CANCELLED' });
    expect(await message(operator, TOPIC, (m) => m.kind === 'dispatch.ticket-cancelled' && m.ticket === ticket)).toMatchObject({ reason: 'CANCELLED' });
    expect(await message(kiosk, '/user/queue/dispatch', (m) => m.kind === 'dispatch.ticket-cancelled' && m.ticket === ticket)).toMatchObject({ zoneId: ZONE });
    expect(await auditOf(`${ZONE}/${ticket}`)).toEqual([expect.objectContaining({ actor: 'op-dispatch', role: 'OPERATOR', outcome: 'ok' })]);
    expect(await passengers()).not.toContain(ticket);
  });

  it('refusals (403 other stand / not a kiosk / driver, 404 out of zone / unknown, 409 matched, 400 bad input) change nothing; the server keeps serving', async () => {
    await addDevice('kiosk-2', 'DISPATCH_KIOSK', 'T2-TAXI');
    const ticket = await waitingTicket(operatorToken(), ZONE);
    const matched = (await zoneView())['activeMatches'] as Array<{ ticket: string }>;
    expect(matched.length).toBeGreaterThan(0);
    const matchedTicket = matched[0]!.ticket;
    const version = await standVersion();
    const admin = adminToken();

    const otherKiosk = await cancel(ZONE, ticket, server.deviceToken('kiosk-2', 'DISPATCH_KIOSK'));
    expect(otherKiosk.status).toBe(403);
    expect(otherKiosk.body).toMatchObject({ error: 'forbidden' });
    await stillServing();
    expect((await cancel(ZONE, ticket, server.deviceToken('gate-1', 'GATE'))).status).toBe(403);
    await stillServing();
    const driver = await cancel(ZONE, ticket, driverToken('S3'));
    expect(driver.status).toBe(403);
    await stillServing();

    expect((await cancel(ZONE, ticket, operatorToken(['T2-TAXI']))).status).toBe(404);
    await stillServing();
    expect((await cancel('T2-TAXI', ticket, admin)).status).toBe(404); // a zone without a stand
    await stillServing();
    expect((await cancel('NOWHERE', ticket, admin)).status).toBe(404);
    await stillServing();
    const unknown = await cancel(ZONE, 'A9999', admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'not-found', reason: 'not-found', ticket: 'A9999' });
    await stillServing();
    expect((await cancel(ZONE, cancelledByKiosk, kioskToken())).status).toBe(404); // no longer waiting
    await stillServing();

    const conflict = await cancel(ZONE, matchedTicket, kioskToken());
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: 'conflict', ticket: matchedTicket });
    await stillServing();

    const badTicket = await cancel(ZONE, 'A%201', admin);
    expect(badTicket.status).toBe(400);
    expect(badTicket.body).toMatchObject({ error: 'validation-failed', fields: { ticket: expect.any(Array) } });
    await stillServing();
    expect((await cancel(ZONE, 'A'.repeat(33), admin)).status).toBe(400);
    await stillServing();
    const badBody = await cancel(ZONE, ticket, admin, { reason: 7, extra: true });
    expect(badBody.status).toBe(400);
    expect(badBody.body).toMatchObject({ error: 'validation-failed', fields: { reason: expect.any(Array), extra: expect.any(Array) } });
    await stillServing();
    expect((await cancel(ZONE, ticket, admin, { reason: '' })).status).toBe(400);
    await stillServing();

    // nothing was applied: same stand version, the ticket still waits, the match still runs
    expect(await standVersion()).toBe(version);
    expect(await passengers()).toContain(ticket);
    expect(((await zoneView())['activeMatches'] as Array<{ ticket: string }>).map((m) => m.ticket)).toContain(matchedTicket);
    expect((await auditOf(`${ZONE}/${ticket}`)).map((r) => [r.actor, r.outcome])).toEqual([
      ['kiosk-2', 'denied'],
      ['gate-1', 'denied'],
    ]);
    expect((await auditOf(`${ZONE}/${matchedTicket}`)).map((r) => [r.actor, r.outcome])).toEqual([['kiosk-1', 'conflict']]);
    const roleRefusals: Array<{ actor: string; outcome: string }> = await server.app
      .get(DataSource)
      .query(`SELECT actor, outcome FROM audit_log WHERE action = 'request.denied' AND target = $1`, [`POST /api/dispatch/zones/${ZONE}/tickets/${ticket}/cancel`]);
    expect(roleRefusals).toEqual([{ actor: 'S3', outcome: 'denied' }]);

    // and the ticket can still be cancelled
    expect((await cancel(ZONE, ticket, admin)).status).toBe(200);
  });
});

describe('unbanning a taxi (POST /api/dispatch/taxis/{plate}/unban)', () => {
  it('ADMIN lifts the ban, audited; the next LOT_ENTRY read is accepted, even within the de-dup window of its refusal', async () => {
    const admin = adminToken();
    expect((await http().post('/api/dispatch/taxis').set('Authorization', `Bearer ${admin}`).send({ plate: 'X2', licenceRegion: 'SEOUL', vehicleClass: 'STANDARD' })).status).toBe(201);
    expect((await http().post('/api/dispatch/taxis/X2/ban').set('Authorization', `Bearer ${admin}`)).status).toBe(200);
    await read('X2');
    expect(await message(operator, `/topic/dispatch/${ZONE}`, (m) => m.kind === 'dispatch.taxi-refused' && m.plate === 'X2')).toMatchObject({ reason: 'BANNED' });

    const res = await http().post('/api/dispatch/taxis/x%202/unban').set('Authorization', `Bearer ${admin}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ plate: 'X2', banned: false, bannedAt: null, bannedBy: null, wasBanned: true });
    const row: Array<{ banned: boolean; banned_at: Date | null; banned_by: string | null }> = await server.app
      .get(DataSource)
      .query(`SELECT banned, banned_at, banned_by FROM taxis WHERE plate = 'X2'`);
    expect(row).toEqual([{ banned: false, banned_at: null, banned_by: null }]);
    const audit: Array<{ actor: string; outcome: string; details: Record<string, unknown> }> = await server.app
      .get(DataSource)
      .query(`SELECT actor, outcome, details FROM audit_log WHERE action = 'taxi.unbanned' AND target = 'X2'`);
    expect(audit).toEqual([{ actor: 'admin', outcome: 'ok', details: expect.objectContaining({ plate: 'X2', wasBanned: true, bannedBy: 'admin' }) }]);

    await read('X2');
    expect(await message(operator, `/topic/dispatch/${ZONE}`, (m) => m.kind === 'dispatch.taxi-queued' && m.plate === 'X2')).toMatchObject({ zoneId: ZONE, queue: 'SEOUL' });
    expect((await zoneView()).taxis).toContainEqual(expect.objectContaining({ plate: 'X2', stage: 'LOT', queue: 'SEOUL' }));

    const again = await http().post('/api/dispatch/taxis/X2/unban').set('Authorization', `Bearer ${admin}`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ plate: 'X2', banned: false, wasBanned: false });
  });

  it('a non-admin is refused 403 (audited request.denied), an unknown plate 404; the server keeps serving and X1 stays banned', async () => {
    const asOperator = await http().post('/api/dispatch/taxis/X1/unban').set('Authorization', `Bearer ${operatorToken()}`);
    expect(asOperator.status).toBe(403);
    await stillServing();
    const asDriver = await http().post('/api/dispatch/taxis/X1/unban').set('Authorization', `Bearer ${driverToken('X1')}`);
    expect(asDriver.status).toBe(403);
    await stillServing();
    expect((await http().post('/api/dispatch/taxis/X1/unban')).status).toBe(401);
    await stillServing();
    const unknown = await http().post('/api/dispatch/taxis/NOPE99/unban').set('Authorization', `Bearer ${adminToken()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'not-found', reason: 'unknown-taxi' });
    await stillServing();

    const x1: Array<{ banned: boolean }> = await server.app.get(DataSource).query(`SELECT banned FROM taxis WHERE plate = 'X1'`);
    expect(x1).toEqual([{ banned: true }]);
    const denied: Array<{ actor: string; role: string }> = await server.app
      .get(DataSource)
      .query(`SELECT actor, role FROM audit_log WHERE action = 'request.denied' AND target = 'POST /api/dispatch/taxis/X1/unban' ORDER BY id`);
    expect(denied).toEqual([
      { actor: 'op-dispatch', role: 'OPERATOR' },
      { actor: 'X1', role: 'DRIVER' },
    ]);
    expect(await server.app.get(DataSource).query(`SELECT 1 FROM audit_log WHERE action = 'taxi.unbanned' AND target IN ('X1', 'NOPE99')`)).toEqual([]);
  });
});
