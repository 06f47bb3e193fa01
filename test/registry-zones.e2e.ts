import request from 'supertest';
import { MessageBus } from '@landside/bus';
import type { FailoverGroupChanged, ZoneChanged } from '../libs/devices/src/registry';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * Zones, lanes, bays and failover groups over REST (SPEC §5, §8): create and read, the
 * refusals (400/401/403/404/409), zone scoping, pagination, zone parent cycles, failover members
 * checked against their zone, and `failover-group.changed` / `zone.changed` on the bus.
 */
interface PageBody<T> {
  items: T[];
  nextCursor: string | null;
}

let server: TestServer;
const http = () => request(server.httpUrl);
const bearer = (token: string): string => `Bearer ${token}`;
const admin = (zones?: string[]): string => bearer(server.token({ sub: 'root', role: 'ADMIN', ...(zones ? { zones } : {}) }));
const operator = (zones?: string[]): string => bearer(server.token({ sub: 'op-1', role: 'OPERATOR', ...(zones ? { zones } : {}) }));

const post = (path: string, body: object, auth = admin()) => http().post(path).set('Authorization', auth).send(body);
const get = (path: string, auth = operator()) => http().get(path).set('Authorization', auth);

async function walk<T extends { id: string }>(path: string, limit: number, auth = admin()): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, auth);
    expect(res.status).toBe(200);
    const page = res.body as PageBody<T>;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

beforeAll(async () => {
  server = await startTestServer();
  expect((await post('/api/zones', { id: 'T1', name: 'Terminal 1 car park', kind: 'CAR_PARK' })).status).toBe(201);
  expect((await post('/api/zones', { id: 'T1-L1', name: 'Level 1', kind: 'LEVEL', parentId: 'T1' })).status).toBe(201);
  expect((await post('/api/zones', { id: 'T1-L2', name: 'Level 2', kind: 'LEVEL', parentId: 'T1' })).status).toBe(201);
  expect((await post('/api/zones', { id: 'STAND', name: 'Taxi stand', kind: 'TAXI_STAND' })).status).toBe(201);
  for (const [id, type, zoneId] of [
    ['g1', 'GATE', 'T1'],
    ['g2', 'GATE', 'T1'],
    ['g3', 'GATE', 'T1'],
    ['cam-l1', 'GUIDANCE_CAMERA', 'T1-L1'],
    ['kiosk-s', 'DISPATCH_KIOSK', 'STAND'],
  ]) {
    expect((await post('/api/devices', { id, type, name: id, zoneId })).status).toBe(201);
  }
});

afterAll(async () => {
  await server.close();
});

afterEach(async () => {
  expect((await get('/api/zones?limit=1', admin())).status).toBe(200);
});

describe('zones', () => {
  it('creates and reads zones with camelCase fields and ISO dates', async () => {
    const res = await get('/api/zones/T1-L1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'T1-L1', name: 'Level 1', kind: 'LEVEL', parentId: 'T1', closed: false });
    expect(new Date((res.body as { createdAt: string }).createdAt).toISOString()).toBe((res.body as { createdAt: string }).createdAt);
    const levels = await walk<{ id: string }>('/api/zones?kind=LEVEL', 1);
    expect(levels.map((z) => z.id)).toEqual(['T1-L1', 'T1-L2']);
    const children = await walk<{ id: string }>('/api/zones?parentId=T1', 500);
    expect(children.map((z) => z.id)).toEqual(['T1-L1', 'T1-L2']);
  });

  it('400 for an unknown kind, a missing name, a parent that does not exist; 409 for a duplicate', async () => {
    expect((await post('/api/zones', { id: 'Z9', name: 'x', kind: 'MOON' })).status).toBe(400);
    expect((await post('/api/zones', { id: 'Z9', kind: 'AREA' })).status).toBe(400);
    const parent = await post('/api/zones', { id: 'Z9', name: 'x', kind: 'AREA', parentId: 'NOPE' });
    expect(parent.status).toBe(400);
    expect(parent.body).toMatchObject({ fields: { parentId: ["zone 'NOPE' does not exist"] } });
    expect((await post('/api/zones', { id: 'T1', name: 'again', kind: 'CAR_PARK' })).status).toBe(409);
  });

  it('PATCH sets name, parent and closed; refuses parent cycles; publishes zone.changed', async () => {
    const bus = server.app.get(MessageBus);
    const seen: ZoneChanged[] = [];
    const unsubscribe = await bus.subscribe<ZoneChanged>('zone.changed', (e) => seen.push(e));
    try {
      const res = await http().patch('/api/zones/T1-L2').set('Authorization', admin()).send({ name: 'Level 2 (roof)', closed: true });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Level 2 (roof)', closed: true, parentId: 'T1' });
      for (const parentId of ['T1', 'T1-L1']) {
        // T1 under its own child, or under a grandchild: cycles
        const cycle = await http().patch('/api/zones/T1').set('Authorization', admin()).send({ parentId: parentId === 'T1' ? 'T1' : 'T1-L1' });
        expect(cycle.status).toBe(400);
      }
      const detach = await http().patch('/api/zones/T1-L2').set('Authorization', admin()).send({ parentId: null });
      expect(detach.body).toMatchObject({ parentId: null });
      await new Promise((r) => setTimeout(r, 50));
      expect(seen.filter((e) => e.id === 'T1-L2').map((e) => e.closed)).toEqual([true, true]);
    } finally {
      await unsubscribe();
    }
    expect((await http().patch('/api/zones/T1').set('Authorization', admin()).send({})).status).toBe(400);
    expect((await http().patch('/api/zones/T1').set('Authorization', admin()).send({ kind: 'AREA' })).status).toBe(400);
    expect((await http().patch('/api/zones/NOPE').set('Authorization', admin()).send({ closed: true })).status).toBe(404);
    expect((await http().patch('/api/zones/T1').set('Authorization', operator()).send({ closed: true })).status).toBe(403);
  });

  it('scoping: a scoped principal sees its zones only, others are 404; creating outside is 403', async () => {
    const scoped = await walk<{ id: string }>('/api/zones', 500, operator(['STAND']));
    expect(scoped.map((z) => z.id)).toEqual(['STAND']);
    expect((await get('/api/zones/T1', operator(['STAND']))).status).toBe(404);
    expect((await get('/api/zones/STAND', operator(['STAND']))).status).toBe(200);
    expect((await post('/api/zones', { id: 'NEW', name: 'x', kind: 'AREA' }, admin(['STAND']))).status).toBe(403);
    expect((await http().patch('/api/zones/T1').set('Authorization', admin(['STAND'])).send({ closed: true })).status).toBe(404);
    expect((await get('/api/zones/T1', ''))).toHaveProperty('status', 401);
  });
});

describe('lanes and bays', () => {
  it('creates lanes of each kind, lists them by zone with pagination', async () => {
    const kinds = ['PARK_ENTRY', 'PARK_EXIT', 'LOT_ENTRY', 'LOT_EXIT', 'CURB', 'THROUGH'];
    for (const [i, kind] of kinds.entries()) {
      const res = await post('/api/lanes', { id: `lane-${i}`, zoneId: i < 2 ? 'T1' : 'STAND', kind, ...(i === 0 ? { name: 'Entry 1' } : {}) });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id: `lane-${i}`, kind, name: i === 0 ? 'Entry 1' : '' });
    }
    expect((await walk<{ id: string }>('/api/lanes?zoneId=T1', 1)).map((l) => l.id)).toEqual(['lane-0', 'lane-1']);
    expect((await walk<{ id: string }>('/api/lanes', 4)).length).toBe(6);
    expect((await walk<{ id: string }>('/api/lanes', 500, operator(['T1']))).map((l) => l.id)).toEqual(['lane-0', 'lane-1']);
  });

  it('lane refusals: 400 unknown kind or zone, 403 operator or zone outside scope, 409 duplicate', async () => {
    expect((await post('/api/lanes', { id: 'l-x', zoneId: 'T1', kind: 'SIDEWAYS' })).status).toBe(400);
    expect((await post('/api/lanes', { id: 'l-x', zoneId: 'NOPE', kind: 'CURB' })).status).toBe(400);
    expect((await post('/api/lanes', { id: 'l-x', zoneId: 'T1', kind: 'CURB' }, operator())).status).toBe(403);
    expect((await post('/api/lanes', { id: 'l-x', zoneId: 'T1', kind: 'CURB' }, admin(['STAND']))).status).toBe(403);
    expect((await post('/api/lanes', { id: 'lane-0', zoneId: 'T1', kind: 'CURB' })).status).toBe(409);
    expect((await http().post('/api/lanes').send({ id: 'l-x', zoneId: 'T1', kind: 'CURB' })).status).toBe(401);
  });

  it('creates bays with their camera; 400 for a camera or zone that does not exist; 409 duplicate', async () => {
    for (let i = 0; i < 12; i++) {
      expect((await post('/api/bays', { id: `bay-${String(i).padStart(2, '0')}`, zoneId: 'T1-L1', cameraId: 'cam-l1' })).status).toBe(201);
    }
    const bays = await walk<{ id: string; cameraId: string }>('/api/bays?zoneId=T1-L1', 5);
    expect(bays).toHaveLength(12);
    expect(new Set(bays.map((b) => b.id)).size).toBe(12);
    expect(bays[0]).toMatchObject({ zoneId: 'T1-L1', cameraId: 'cam-l1' });
    expect((await post('/api/bays', { id: 'bay-x', zoneId: 'T1-L1', cameraId: 'no-cam' })).body).toMatchObject({ fields: { cameraId: ["device 'no-cam' does not exist"] } });
    expect((await post('/api/bays', { id: 'bay-x', zoneId: 'NOPE' })).status).toBe(400);
    expect((await post('/api/bays', { id: 'bay-00', zoneId: 'T1-L1' })).status).toBe(409);
    expect((await post('/api/bays', { id: 'bay-x', zoneId: 'T1-L1' }, operator())).status).toBe(403);
    expect(await walk('/api/bays', 500, operator(['STAND']))).toEqual([]);
  });
});

describe('failover groups', () => {
  it('creates a group of members in its zone and publishes failover-group.changed', async () => {
    const bus = server.app.get(MessageBus);
    const seen: FailoverGroupChanged[] = [];
    const unsubscribe = await bus.subscribe<FailoverGroupChanged>('failover-group.changed', (e) => seen.push(e));
    try {
      const res = await post('/api/failover-groups', {
        id: 'fg-gates',
        zoneId: 'T1',
        members: ['g1', 'g2', 'g3'],
        failback: 'AUTO',
        fallbackCommand: { type: 'TICKET_MODE', params: { reason: 'no standby' } },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: 'fg-gates',
        zoneId: 'T1',
        members: ['g1', 'g2', 'g3'],
        failback: 'AUTO',
        fallbackCommand: { type: 'TICKET_MODE', params: { reason: 'no standby' } },
        activeMember: null,
      });
      const minimal = await post('/api/failover-groups', { id: 'fg-min', zoneId: 'T1', members: ['g2'] });
      expect(minimal.body).toMatchObject({ failback: 'MANUAL', fallbackCommand: null });
      await new Promise((r) => setTimeout(r, 50));
      expect(seen.map((e) => [e.id, e.created])).toEqual([
        ['fg-gates', true],
        ['fg-min', true],
      ]);
    } finally {
      await unsubscribe();
    }
    expect((await walk<{ id: string }>('/api/failover-groups?zoneId=T1', 1)).map((g) => g.id)).toEqual(['fg-gates', 'fg-min']);
    expect(await walk('/api/failover-groups', 500, operator(['STAND']))).toEqual([]);
  });

  it('400 for members that do not exist, are in another zone or repeat; bad policy; 403; 409', async () => {
    const bad = await post('/api/failover-groups', { id: 'fg-x', zoneId: 'T1', members: ['g1', 'ghost', 'kiosk-s'] });
    expect(bad.status).toBe(400);
    expect((bad.body as { fields: { members: string[] } }).fields.members).toEqual([
      "members[1]: device 'ghost' does not exist",
      "members[2]: device 'kiosk-s' is in zone 'STAND', not 'T1'",
    ]);
    for (const body of [
      { id: 'fg-x', zoneId: 'T1', members: [] },
      { id: 'fg-x', zoneId: 'T1', members: ['g1', 'g1'] },
      { id: 'fg-x', zoneId: 'T1', members: ['g1'], failback: 'SOMETIMES' },
      { id: 'fg-x', zoneId: 'T1', members: ['g1'], fallbackCommand: { type: 'SELF_DESTRUCT' } },
      { id: 'fg-x', zoneId: 'T1', members: ['g1'], fallbackCommand: { type: 'TICKET_MODE', extra: 1 } },
      { id: 'fg-x', zoneId: 'NOPE', members: ['g1'] },
    ]) {
      expect((await post('/api/failover-groups', body)).status).toBe(400);
    }
    expect((await post('/api/failover-groups', { id: 'fg-x', zoneId: 'T1', members: ['g1'] }, operator())).status).toBe(403);
    expect((await post('/api/failover-groups', { id: 'fg-x', zoneId: 'T1', members: ['g1'] }, admin(['STAND']))).status).toBe(403);
    // a scoped admin naming a device of a zone it cannot see learns only that it "does not exist"
    const hidden = await post('/api/failover-groups', { id: 'fg-x', zoneId: 'STAND', members: ['kiosk-s', 'g1'] }, admin(['STAND']));
    expect((hidden.body as { fields: { members: string[] } }).fields.members).toEqual(["members[1]: device 'g1' does not exist"]);
    expect((await post('/api/failover-groups', { id: 'fg-gates', zoneId: 'T1', members: ['g1'] })).status).toBe(409);
  });
});
