import request from 'supertest';
import { DataSource } from 'typeorm';
import { MessageBus } from '@landside/bus';
import type { DeviceUpdated } from '../libs/devices/src/registry';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * PUT /topology and GET /topology (SPEC §8) end to end: a document of about 2,000 devices
 * applied in one transaction, applied again with nothing changed, exported and re-applied as is;
 * an invalid document reported error by error with its JSON path and nothing applied; RBAC.
 */
interface KindCounts {
  created: number;
  updated: number;
  unchanged: number;
}
interface ApplyBody {
  applied: Record<'zones' | 'lanes' | 'bays' | 'devices' | 'failoverGroups', KindCounts>;
  secrets: Record<string, string>;
}
interface InvalidBody {
  statusCode: number;
  error: string;
  errors: Array<{ path: string; message: string }>;
  errorCount: number;
}
type Doc = Record<string, Array<Record<string, unknown>>>;

let server: TestServer;
const http = () => request(server.httpUrl);
const bearer = (token: string): string => `Bearer ${token}`;
const admin = (zones?: string[]): string => bearer(server.token({ sub: 'root', role: 'ADMIN', ...(zones ? { zones } : {}) }));
const operator = (zones?: string[]): string => bearer(server.token({ sub: 'op-1', role: 'OPERATOR', ...(zones ? { zones } : {}) }));
const put = (doc: unknown, auth = admin()) => http().put('/api/topology').set('Authorization', auth).send(doc as object);

const LEVELS = Array.from({ length: 20 }, (_, i) => `L${String(i + 1).padStart(2, '0')}`);
const SUPPLIED_SECRET = 'a-secret-the-admin-chose-0123';

/**
 * An airport: 2 car parks of 10 levels, a taxi stand, 2,000 devices on the levels, gates, bays, a
 * failover group. Kept compact (short ids, mostly `GATE`): the app's JSON body limit is body-parser's
 * default 100 KB until the runtime raises it for /topology.
 */
function buildDocument(): Doc {
  const zones: Array<Record<string, unknown>> = [
    // children before parents on purpose: the apply orders them
    ...LEVELS.map((id, i) => ({ id, name: `Level ${i + 1}`, kind: 'LEVEL', parentId: i < 10 ? 'P1' : 'P2' })),
    { id: 'P1', name: 'Car park 1', kind: 'CAR_PARK', parentId: 'AIR' },
    { id: 'P2', name: 'Car park 2', kind: 'CAR_PARK', parentId: 'AIR' },
    { id: 'TS', name: 'Taxi stand', kind: 'TAXI_STAND', parentId: 'AIR' },
    { id: 'AIR', name: 'Airport', kind: 'AREA' },
  ];
  const lanes = [
    { id: 'P1-in', zoneId: 'P1', kind: 'PARK_ENTRY', name: 'Entry' },
    { id: 'P1-out', zoneId: 'P1', kind: 'PARK_EXIT' },
    { id: 'TS-in', zoneId: 'TS', kind: 'LOT_ENTRY' },
    { id: 'TS-out', zoneId: 'TS', kind: 'LOT_EXIT' },
  ];
  const devices: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 2000; i++) {
    const id = `d${String(i).padStart(4, '0')}`;
    const zoneId = LEVELS[Math.floor(i / 100)]!;
    const entry: Record<string, unknown> = { id, type: i % 10 === 0 ? 'GUIDANCE_SIGN' : 'GATE', zoneId };
    // every 50th device hangs off the first device of its level (a switch)
    if (i % 50 === 1) entry['parentId'] = `d${String(Math.floor(i / 100) * 100).padStart(4, '0')}`;
    devices.push(entry);
  }
  devices.push(
    { id: 'g1', type: 'GATE', name: 'Gate 1', zoneId: 'P1', laneId: 'P1-in', heartbeatIntervalS: 2, config: { barrier: 'fast', arm: { lengthM: 3 } } },
    { id: 'g2', type: 'GATE', name: 'Gate 2', zoneId: 'P1', laneId: 'P1-in', secret: SUPPLIED_SECRET },
    { id: 'lpr1', type: 'LPR_CAMERA', name: 'LPR 1', zoneId: 'P1', laneId: 'P1-in', parentId: 'g1', missTolerance: 5 },
    { id: 'taxi-cam', type: 'TAXI_LOT_CAMERA', name: 'Lot camera', zoneId: 'TS', laneId: 'TS-in', maintenance: true },
  );
  const bays = Array.from({ length: 40 }, (_, i) => ({ id: `b${String(i).padStart(2, '0')}`, zoneId: 'L01', cameraId: 'd0001' }));
  const failoverGroups = [
    { id: 'fg-p1', zoneId: 'P1', members: ['g1', 'g2'], failback: 'AUTO', fallbackCommand: { type: 'TICKET_MODE', params: { note: 'no gate' } } },
  ];
  return { zones, lanes, bays, devices, failoverGroups };
}

async function tableCounts(): Promise<Record<string, number>> {
  const rows: Array<{ t: string; n: string }> = await server.app.get(DataSource).query(
    `SELECT 'zones' AS t, count(*) AS n FROM zones UNION ALL SELECT 'lanes', count(*) FROM lanes
     UNION ALL SELECT 'bays', count(*) FROM bays UNION ALL SELECT 'devices', count(*) FROM devices
     UNION ALL SELECT 'failoverGroups', count(*) FROM failover_groups`,
  );
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

async function deviceToken(deviceId: string, secret: string): Promise<number> {
  return (await http().post('/api/auth/device-token').send({ deviceId, secret })).status;
}

const doc = buildDocument();
let firstSecrets: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

afterEach(async () => {
  expect((await http().get('/api/zones?limit=1').set('Authorization', admin())).status).toBe(200);
});

describe('PUT /api/topology', () => {
  it('applies a document of ~2,000 devices in one go, with generated secrets shown once', async () => {
    expect(JSON.stringify(doc).length).toBeLessThan(100 * 1024); // the app's JSON body limit
    const res = await put(doc);
    expect(res.status).toBe(200);
    const body = res.body as ApplyBody;
    expect(body.applied).toEqual({
      zones: { created: 24, updated: 0, unchanged: 0 },
      lanes: { created: 4, updated: 0, unchanged: 0 },
      bays: { created: 40, updated: 0, unchanged: 0 },
      devices: { created: 2004, updated: 0, unchanged: 0 },
      failoverGroups: { created: 1, updated: 0, unchanged: 0 },
    });
    // every new device without a supplied secret got one
    expect(Object.keys(body.secrets)).toHaveLength(2003);
    expect(body.secrets).not.toHaveProperty('g2');
    firstSecrets = body.secrets;
    expect(await tableCounts()).toEqual({ zones: 24, lanes: 4, bays: 40, devices: 2004, failoverGroups: 1 });

    expect(await deviceToken('d1234', firstSecrets['d1234']!)).toBe(200);
    expect(await deviceToken('g2', SUPPLIED_SECRET)).toBe(200);
    const g1 = await http().get('/api/devices/g1').set('Authorization', operator());
    expect(g1.body).toMatchObject({ zoneId: 'P1', laneId: 'P1-in', heartbeatIntervalS: 2, missTolerance: 3, config: { barrier: 'fast', arm: { lengthM: 3 } } });
    const cam = await http().get('/api/devices/taxi-cam').set('Authorization', operator());
    expect(cam.body).toMatchObject({ maintenance: true, zoneId: 'TS' });
    const d51 = await http().get('/api/devices/d0051').set('Authorization', operator());
    expect(d51.body).toMatchObject({ parentId: 'd0000', type: 'GATE', zoneId: 'L01' });
  });

  it('is idempotent: the same document again changes nothing, creates no duplicates, keeps secrets', async () => {
    const before = await tableCounts();
    const res = await put(doc);
    expect(res.status).toBe(200);
    const body = res.body as ApplyBody;
    expect(body.applied).toEqual({
      zones: { created: 0, updated: 0, unchanged: 24 },
      lanes: { created: 0, updated: 0, unchanged: 4 },
      bays: { created: 0, updated: 0, unchanged: 40 },
      devices: { created: 0, updated: 0, unchanged: 2004 },
      failoverGroups: { created: 0, updated: 0, unchanged: 1 },
    });
    expect(body.secrets).toEqual({});
    expect(await tableCounts()).toEqual(before);
    expect(await deviceToken('d1234', firstSecrets['d1234']!)).toBe(200);
    expect(await deviceToken('g2', SUPPLIED_SECRET)).toBe(200);
  });

  it('GET /topology exports what PUT applied (no secrets), and re-applying the export changes nothing', async () => {
    const res = await http().get('/api/topology').set('Authorization', operator());
    expect(res.status).toBe(200);
    const exported = res.body as Doc;
    expect(JSON.stringify(exported)).not.toMatch(/secret/i);
    for (const key of ['zones', 'lanes', 'bays', 'devices', 'failoverGroups']) {
      expect(exported[key]!.map((e) => e['id']).sort()).toEqual(doc[key]!.map((e) => e['id']).sort());
    }
    const byId = (list: Array<Record<string, unknown>>) => new Map(list.map((e) => [e['id'], e]));
    const devices = byId(exported['devices']!);
    expect(devices.get('g1')).toEqual({
      id: 'g1',
      type: 'GATE',
      name: 'Gate 1',
      zoneId: 'P1',
      laneId: 'P1-in',
      heartbeatIntervalS: 2,
      config: { barrier: 'fast', arm: { lengthM: 3 } },
    });
    expect(devices.get('taxi-cam')).toMatchObject({ maintenance: true });
    expect(devices.get('lpr1')).toMatchObject({ parentId: 'g1', missTolerance: 5 });
    // fields at their defaults are left out, so a large export stays small
    expect(devices.get('d0051')).toEqual({ id: 'd0051', type: 'GATE', zoneId: 'L01', parentId: 'd0000' });
    expect(byId(exported['zones']!).get('L01')).toEqual({ id: 'L01', name: 'Level 1', kind: 'LEVEL', parentId: 'P1' });
    expect(byId(exported['lanes']!).get('P1-out')).toEqual({ id: 'P1-out', zoneId: 'P1', kind: 'PARK_EXIT' });
    expect(byId(exported['bays']!).get('b07')).toEqual({ id: 'b07', zoneId: 'L01', cameraId: 'd0001' });
    expect(exported['failoverGroups']).toEqual([
      { id: 'fg-p1', zoneId: 'P1', members: ['g1', 'g2'], failback: 'AUTO', fallbackCommand: { type: 'TICKET_MODE', params: { note: 'no gate' } } },
    ]);

    const again = await put(exported);
    expect(again.status).toBe(200);
    const counts = (again.body as ApplyBody).applied;
    expect(Object.values(counts).every((c) => c.created === 0 && c.updated === 0)).toBe(true);
    expect(counts.devices.unchanged).toBe(2004);
  });

  it('applies changes as updates, leaves entities the document does not name alone, publishes device.updated', async () => {
    expect((await http().post('/api/zones').set('Authorization', admin()).send({ id: 'EXTRA', name: 'x', kind: 'AREA' })).status).toBe(201);
    const bus = server.app.get(MessageBus);
    const updates: DeviceUpdated[] = [];
    const unsubscribe = await bus.subscribe<DeviceUpdated>('device.updated', (e) => updates.push(e));
    try {
      const changed: Doc = {
        devices: [
          { id: 'g1', type: 'GATE', name: 'Gate 1 (renamed)', zoneId: 'P1', laneId: 'P1-in', heartbeatIntervalS: 2, config: { arm: { lengthM: 3 }, barrier: 'fast' } },
          { id: 'd0002', type: 'GATE', zoneId: 'L02' },
          { id: 'new-sign', type: 'GUIDANCE_SIGN', name: 'New sign', zoneId: 'EXTRA' },
        ],
      };
      const res = await put(changed);
      expect(res.status).toBe(200);
      expect((res.body as ApplyBody).applied.devices).toEqual({ created: 1, updated: 2, unchanged: 0 });
      expect(Object.keys((res.body as ApplyBody).secrets)).toEqual(['new-sign']);
      await new Promise((r) => setTimeout(r, 50));
      expect(updates.map((u) => [u.id, u.changed]).sort()).toEqual([
        ['d0002', ['zoneId']],
        ['g1', ['name']],
      ]);
    } finally {
      await unsubscribe();
    }
    const counts = await tableCounts();
    expect(counts).toEqual({ zones: 25, lanes: 4, bays: 40, devices: 2005, failoverGroups: 1 });
    expect((await http().get('/api/zones/EXTRA').set('Authorization', admin())).status).toBe(200);
  });

  it('reports every error of an invalid document by JSON path and applies nothing', async () => {
    const before = await tableCounts();
    const bad = {
      zones: [
        { id: 'NEWZONE', name: 'would be new', kind: 'AREA' },
        { id: 'C1', name: 'c1', kind: 'AREA', parentId: 'C2' },
        { id: 'C2', name: 'c2', kind: 'AREA', parentId: 'C1' },
        { id: 'Q1', name: 'q', kind: 'PLANET' },
      ],
      lanes: [{ id: 'LX', zoneId: 'NEWZONE', kind: 'CURB', colour: 'red' }],
      devices: [
        { id: 'ok-1', type: 'GATE', zoneId: 'NEWZONE' },
        { id: 'x1', type: 'TOASTER', zoneId: 'NEWZONE' },
        { id: 'x2', type: 'GATE', zoneId: 'T9' },
        { id: 'ok-1', type: 'GATE', zoneId: 'NEWZONE' },
        { id: 'x3', type: 'GATE', zoneId: 'NEWZONE', parentId: 'x4' },
        { id: 'x4', type: 'GATE', zoneId: 'NEWZONE', parentId: 'x3' },
        { id: 'x5', type: 'GATE', zoneId: 'NEWZONE', laneId: 'P1-in' },
        { id: 'x6', type: 'GATE', zoneId: 'NEWZONE', heartbeatIntervalS: -1, secret: 'short' },
        { id: 'g2', type: 'GATE', zoneId: 'NEWZONE' },
      ],
      failoverGroups: [{ id: 'fg-bad', zoneId: 'NEWZONE', members: ['ok-1', 'd0003', 'ghost'] }],
      gates: [{ zoneId: 'TS' }],
    };
    const res = await put(bad);
    expect(res.status).toBe(400);
    const body = res.body as InvalidBody;
    expect(body.error).toBe('invalid-topology');
    const errors = new Map(body.errors.map((e) => [e.path, e.message]));
    expect(errors.get('gates')).toMatch(/unknown top-level key/);
    expect(errors.get('zones[3].kind')).toMatch(/unknown value 'PLANET'/);
    expect(errors.get('zones[1].parentId')).toBe('parent cycle: C1 -> C2 -> C1');
    expect(errors.has('zones[2].parentId')).toBe(false); // one cycle, reported once
    expect(errors.get('lanes[0].colour')).toBe('unknown field');
    expect(errors.get('devices[1].type')).toMatch(/unknown value 'TOASTER'/);
    expect(errors.get('devices[2].zoneId')).toBe("zone 'T9' not in document or database");
    expect(errors.get('devices[3].id')).toBe("duplicate id 'ok-1' (first at devices[0])");
    expect(errors.get('devices[4].parentId')).toBe('parent cycle: x3 -> x4 -> x3');
    expect(errors.get('devices[6].laneId')).toBe("lane 'P1-in' is in zone 'P1', not 'NEWZONE'");
    expect(errors.get('devices[7].heartbeatIntervalS')).toMatch(/integer from 1 to 3600/);
    expect(errors.get('devices[7].secret')).toMatch(/16 to 256 characters/);
    expect(errors.get('devices[8].zoneId')).toBe("device is a member of failover group 'fg-p1' of zone 'P1'");
    expect(errors.get('failoverGroups[0].members[1]')).toBe("device 'd0003' is in zone 'L01', not 'NEWZONE'");
    expect(errors.get('failoverGroups[0].members[2]')).toBe("device 'ghost' not in document or database");
    expect(body.errorCount).toBe(body.errors.length);
    expect(body.errors).toHaveLength(14);
    // nothing applied: not even the valid parts
    expect(await tableCounts()).toEqual(before);
    expect((await http().get('/api/zones/NEWZONE').set('Authorization', admin())).status).toBe(404);
  });

  it('400 invalid-topology for a document that is not an object or has lists of the wrong shape', async () => {
    const notObject = await put([1, 2, 3]);
    expect(notObject.status).toBe(400);
    expect(notObject.body).toMatchObject({ error: 'invalid-topology', errors: [{ path: '$' }] });
    const wrong = await put({ zones: 'all of them', devices: [42] });
    expect((wrong.body as InvalidBody).errors).toEqual([
      { path: 'zones', message: 'must be a list' },
      { path: 'devices[0]', message: 'must be a JSON object' },
    ]);
  });

  it('RBAC: 401 without a token; 403 for operators and zone-scoped admins; GET 403 when scoped', async () => {
    expect((await http().put('/api/topology').send({})).status).toBe(401);
    expect((await http().get('/api/topology')).status).toBe(401);
    expect((await put({}, operator())).status).toBe(403);
    const scoped = await put({ zones: [{ id: 'P1', name: 'mine', kind: 'CAR_PARK' }] }, admin(['P1']));
    expect(scoped.status).toBe(403);
    expect((await http().get('/api/zones/P1').set('Authorization', admin())).body).toMatchObject({ name: 'Car park 1' });
    expect((await http().get('/api/topology').set('Authorization', operator(['P1']))).status).toBe(403);
    expect((await http().get('/api/topology').set('Authorization', bearer(server.deviceToken('g1')))).status).toBe(403);
    const empty = await put({});
    expect(empty.status).toBe(200);
  });
});
