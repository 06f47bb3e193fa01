import request from 'supertest';
import { DataSource } from 'typeorm';
import { MessageBus } from '@landside/bus';
import type { DeviceView } from '../libs/devices/src/registry';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * The device REST resource end to end (SPEC §8, §9): create with a secret shown once (and
 * usable for a device token), read, patch, delete, rotate, history; RBAC (OPERATOR reads, ADMIN
 * writes), zone scoping (other zones are 404), keyset pagination, the refusals 400/401/403/404/409,
 * and the registry events on the bus. After every refusal the server answers the next request.
 */
interface DeviceBody extends DeviceView {
  secret?: string;
}
interface PageBody<T> {
  items: T[];
  nextCursor: string | null;
}

let server: TestServer;
const http = () => request(server.httpUrl);
const bearer = (token: string): string => `Bearer ${token}`;
const admin = (zones?: string[]): string => bearer(server.token({ sub: 'root', role: 'ADMIN', ...(zones ? { zones } : {}) }));
const operator = (zones?: string[]): string => bearer(server.token({ sub: 'op-1', role: 'OPERATOR', ...(zones ? { zones } : {}) }));

async function post(path: string, body: object, auth = admin()): Promise<request.Response> {
  return http().post(path).set('Authorization', auth).send(body);
}

async function createDevice(body: object): Promise<DeviceBody> {
  const res = await post('/api/devices', body);
  expect(res.status).toBe(201);
  return res.body as DeviceBody;
}

/** Every item of a list, page by page, checking each page respects the limit. */
async function walk<T>(path: string, limit: number, auth = admin()): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await http()
      .get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      .set('Authorization', auth);
    expect(res.status).toBe(200);
    const page = res.body as PageBody<T>;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === null) return items;
  }
  throw new Error('pagination did not end');
}

beforeAll(async () => {
  server = await startTestServer();
  for (const id of ['ZA', 'ZB', 'ZP']) expect((await post('/api/zones', { id, name: `Zone ${id}`, kind: 'CAR_PARK' })).status).toBe(201);
  expect((await post('/api/lanes', { id: 'LA-in', zoneId: 'ZA', kind: 'PARK_ENTRY' })).status).toBe(201);
  expect((await post('/api/lanes', { id: 'LB-in', zoneId: 'ZB', kind: 'PARK_ENTRY' })).status).toBe(201);
});

afterAll(async () => {
  await server.close();
});

// After every test (many end in a refusal) the server still answers normally.
afterEach(async () => {
  expect((await http().get('/api/devices?limit=1').set('Authorization', admin())).status).toBe(200);
});

describe('POST /api/devices', () => {
  it('creates a device, shows its secret once, and the secret gets a device token', async () => {
    const created = await createDevice({ id: 'gate-a1', type: 'GATE', name: 'Gate A1', zoneId: 'ZA', laneId: 'LA-in' });
    expect(created).toMatchObject({
      id: 'gate-a1',
      type: 'GATE',
      name: 'Gate A1',
      zoneId: 'ZA',
      laneId: 'LA-in',
      parentId: null,
      heartbeatIntervalS: 5,
      missTolerance: 3,
      healthOverrides: { heartbeatIntervalS: null, missTolerance: null },
      maintenance: false,
      config: {},
      state: 'UNKNOWN',
    });
    expect(typeof created.secret).toBe('string');
    expect(created.secret!.length).toBeGreaterThanOrEqual(32);
    expect(Date.parse(created.createdAt)).not.toBeNaN();

    const read = await http().get('/api/devices/gate-a1').set('Authorization', operator());
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('secret');
    expect(read.body).not.toHaveProperty('secretHash');

    const token = await http().post('/api/auth/device-token').send({ deviceId: 'gate-a1', secret: created.secret });
    expect(token.status).toBe(200);
    const wrong = await http().post('/api/auth/device-token').send({ deviceId: 'gate-a1', secret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
  });

  it('generates an id when absent and keeps health overrides', async () => {
    const created = await createDevice({ type: 'LPR_CAMERA', name: 'LPR', zoneId: 'ZA', heartbeatIntervalS: 2, missTolerance: 4 });
    expect(created.id).toMatch(/^lpr-camera-[0-9a-f]{12}$/);
    expect(created).toMatchObject({ heartbeatIntervalS: 2, missTolerance: 4, healthOverrides: { heartbeatIntervalS: 2, missTolerance: 4 } });
  });

  it('409 on a duplicate id', async () => {
    await createDevice({ id: 'dup-1', type: 'GATE', name: 'x', zoneId: 'ZA' });
    const res = await post('/api/devices', { id: 'dup-1', type: 'GATE', name: 'again', zoneId: 'ZA' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'conflict' });
  });

  it('400 for an unknown type, missing or unknown fields, bad ids and values', async () => {
    const cases: Array<[object, string]> = [
      [{ id: 'x1', type: 'TOASTER', name: 'x', zoneId: 'ZA' }, 'type'],
      [{ id: 'x2', type: 'GATE', zoneId: 'ZA' }, 'name'],
      [{ id: 'x3', type: 'GATE', name: 'x' }, 'zoneId'],
      [{ id: 'x4', name: 'x', zoneId: 'ZA' }, 'type'],
      [{ id: 'bad id/..', type: 'GATE', name: 'x', zoneId: 'ZA' }, 'id'],
      [{ id: 'x5', type: 'GATE', name: 'x', zoneId: 'ZA', heartbeatIntervalS: 0 }, 'heartbeatIntervalS'],
      [{ id: 'x6', type: 'GATE', name: 'x', zoneId: 'ZA', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await post('/api/devices', body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'validation-failed' });
      expect(Object.keys((res.body as { fields: object }).fields)).toContain(field);
    }
  });

  it('400 naming the field for a zone, lane or parent that does not exist', async () => {
    const cases: Array<[object, string]> = [
      [{ id: 'r1', type: 'GATE', name: 'x', zoneId: 'NOPE' }, 'zoneId'],
      [{ id: 'r2', type: 'GATE', name: 'x', zoneId: 'ZA', laneId: 'no-lane' }, 'laneId'],
      [{ id: 'r3', type: 'GATE', name: 'x', zoneId: 'ZA', laneId: 'LB-in' }, 'laneId'],
      [{ id: 'r4', type: 'GATE', name: 'x', zoneId: 'ZA', parentId: 'no-parent' }, 'parentId'],
    ];
    for (const [body, field] of cases) {
      const res = await post('/api/devices', body);
      expect(res.status).toBe(400);
      expect(Object.keys((res.body as { fields: object }).fields)).toEqual([field]);
    }
    expect((await http().get('/api/devices/r1').set('Authorization', admin())).status).toBe(404);
  });

  it('401 without a token, 403 for operators, devices and admins outside the zone', async () => {
    const body = { id: 'rbac-1', type: 'GATE', name: 'x', zoneId: 'ZA' };
    expect((await http().post('/api/devices').send(body)).status).toBe(401);
    expect((await http().get('/api/devices')).status).toBe(401);
    expect((await post('/api/devices', body, operator())).status).toBe(403);
    expect((await http().get('/api/devices').set('Authorization', bearer(server.deviceToken('gate-a1')))).status).toBe(403);
    const scoped = await post('/api/devices', body, admin(['ZB']));
    expect(scoped.status).toBe(403);
    expect(scoped.body).toMatchObject({ error: 'forbidden' });
    expect((await post('/api/devices', { ...body, zoneId: 'ZB' }, admin(['ZB']))).status).toBe(201);
  });
});

describe('GET /api/devices (pagination, filters, scoping)', () => {
  beforeAll(async () => {
    for (let i = 0; i < 23; i++) {
      const type = i % 3 === 0 ? 'GUIDANCE_SIGN' : 'GUIDANCE_CAMERA';
      await createDevice({ id: `p-${String(i).padStart(2, '0')}`, type, name: `P ${i}`, zoneId: 'ZP' });
    }
    await server.app.get(DataSource).query(`UPDATE devices SET state = 'ONLINE' WHERE id IN ('p-01', 'p-02')`);
  });

  it('walks every page once, in id order, with no duplicates or misses', async () => {
    const items = await walk<DeviceBody>('/api/devices?zoneId=ZP', 5);
    const ids = items.map((d) => d.id);
    expect(ids).toHaveLength(23);
    expect(new Set(ids).size).toBe(23);
    expect(ids).toEqual([...ids].sort());
    const all = await walk<DeviceBody>('/api/devices', 7);
    expect(new Set(all.map((d) => d.id)).size).toBe(all.length);
    expect(all.length).toBeGreaterThan(23);
  });

  it('filters by type and state', async () => {
    const signs = await walk<DeviceBody>('/api/devices?zoneId=ZP&type=GUIDANCE_SIGN', 500);
    expect(signs.map((d) => d.id)).toEqual(['p-00', 'p-03', 'p-06', 'p-09', 'p-12', 'p-15', 'p-18', 'p-21']);
    const online = await walk<DeviceBody>('/api/devices?state=ONLINE', 500);
    expect(online.map((d) => d.id)).toEqual(['p-01', 'p-02']);
  });

  it('400 for a limit over 500, an unknown filter value or a forged cursor', async () => {
    for (const q of ['limit=501', 'limit=0', 'type=TOASTER', 'state=HAPPY', 'cursor=not-a-cursor', 'colour=red']) {
      expect((await http().get(`/api/devices?${q}`).set('Authorization', admin())).status).toBe(400);
    }
  });

  it('an operator of one zone sees nothing of another: lists, get by id, history', async () => {
    const own = await walk<DeviceBody>('/api/devices', 500, operator(['ZA']));
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((d) => d.zoneId === 'ZA')).toBe(true);
    expect(await walk<DeviceBody>('/api/devices?zoneId=ZP', 500, operator(['ZA']))).toEqual([]);
    expect((await http().get('/api/devices/p-01').set('Authorization', operator(['ZA']))).status).toBe(404);
    expect((await http().get('/api/devices/p-01/history').set('Authorization', operator(['ZA']))).status).toBe(404);
    expect((await http().get('/api/devices/p-01').set('Authorization', operator(['ZP']))).status).toBe(200);
    // an admin scoped elsewhere cannot touch it either, and learns nothing of its existence
    expect((await http().patch('/api/devices/p-01').set('Authorization', admin(['ZA'])).send({ name: 'x' })).status).toBe(404);
    expect((await http().delete('/api/devices/p-01').set('Authorization', admin(['ZA']))).status).toBe(404);
    expect((await http().post('/api/devices/p-01/secret').set('Authorization', admin(['ZA']))).status).toBe(404);
  });

  it('404 for an unknown device', async () => {
    expect((await http().get('/api/devices/no-such-device').set('Authorization', operator())).status).toBe(404);
    expect((await http().get('/api/devices/no-such-device/history').set('Authorization', operator())).status).toBe(404);
  });
});

describe('PATCH /api/devices/{id}', () => {
  beforeAll(async () => {
    await createDevice({ id: 'sw-1', type: 'VEHICLE_DETECTOR', name: 'switch', zoneId: 'ZA' });
    await createDevice({ id: 'cam-1', type: 'LPR_CAMERA', name: 'cam', zoneId: 'ZA', parentId: 'sw-1' });
    await createDevice({ id: 'cam-2', type: 'LPR_CAMERA', name: 'cam 2', zoneId: 'ZA', parentId: 'cam-1' });
  });

  it('sets maintenance, config, name, lane, health overrides; null resets to the defaults', async () => {
    const res = await http()
      .patch('/api/devices/cam-1')
      .set('Authorization', admin())
      .send({ maintenance: true, config: { exposure: 'auto', zoom: 2 }, name: 'Camera 1', laneId: 'LA-in', heartbeatIntervalS: 10 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ maintenance: true, config: { exposure: 'auto', zoom: 2 }, name: 'Camera 1', laneId: 'LA-in', heartbeatIntervalS: 10, missTolerance: 3 });
    const reset = await http().patch('/api/devices/cam-1').set('Authorization', admin()).send({ heartbeatIntervalS: null, laneId: null });
    expect(reset.body).toMatchObject({ heartbeatIntervalS: 5, laneId: null, healthOverrides: { heartbeatIntervalS: null } });
  });

  it('400 for parent cycles (self, and through descendants)', async () => {
    for (const [id, parentId] of [
      ['sw-1', 'sw-1'],
      ['sw-1', 'cam-2'],
      ['cam-1', 'cam-2'],
    ]) {
      const res = await http().patch(`/api/devices/${id}`).set('Authorization', admin()).send({ parentId });
      expect(res.status).toBe(400);
      expect(Object.keys((res.body as { fields: object }).fields)).toEqual(['parentId']);
    }
    expect((await http().get('/api/devices/sw-1').set('Authorization', admin())).body).toMatchObject({ parentId: null });
    const moved = await http().patch('/api/devices/cam-2').set('Authorization', admin()).send({ parentId: 'sw-1' });
    expect(moved.body).toMatchObject({ parentId: 'sw-1' });
  });

  it('400 for bad values, unknown fields, an empty patch, a lane of another zone; 403 for operators; 404 unknown', async () => {
    for (const body of [{ maintenance: 'yes' }, { config: 'x' }, { name: null }, { zoneId: 'ZB' }, {}, { laneId: 'LB-in' }, { parentId: 'ghost' }]) {
      expect((await http().patch('/api/devices/cam-1').set('Authorization', admin()).send(body)).status).toBe(400);
    }
    expect((await http().patch('/api/devices/cam-1').set('Authorization', operator()).send({ maintenance: false })).status).toBe(403);
    expect((await http().patch('/api/devices/ghost').set('Authorization', admin()).send({ maintenance: false })).status).toBe(404);
    expect((await http().patch('/api/devices/cam-1').send({ maintenance: false })).status).toBe(401);
  });
});

describe('DELETE /api/devices/{id} and POST /api/devices/{id}/secret', () => {
  it('rotates the secret: the old one stops working, the new one works', async () => {
    const created = await createDevice({ id: 'kiosk-1', type: 'PAYMENT_KIOSK', name: 'kiosk', zoneId: 'ZA' });
    const rotated = await http().post('/api/devices/kiosk-1/secret').set('Authorization', admin());
    expect(rotated.status).toBe(200);
    const { secret } = rotated.body as { secret: string };
    expect(secret).not.toBe(created.secret);
    expect((await http().post('/api/auth/device-token').send({ deviceId: 'kiosk-1', secret: created.secret })).status).toBe(401);
    expect((await http().post('/api/auth/device-token').send({ deviceId: 'kiosk-1', secret })).status).toBe(200);
    expect((await http().post('/api/devices/kiosk-1/secret').set('Authorization', operator())).status).toBe(403);
    expect((await http().post('/api/devices/ghost/secret').set('Authorization', admin())).status).toBe(404);
  });

  it('deletes a device; its children lose their parent; a failover member is refused with 409', async () => {
    await createDevice({ id: 'del-parent', type: 'VEHICLE_DETECTOR', name: 'p', zoneId: 'ZA' });
    await createDevice({ id: 'del-child', type: 'GATE', name: 'c', zoneId: 'ZA', parentId: 'del-parent' });
    await createDevice({ id: 'del-member', type: 'GATE', name: 'm', zoneId: 'ZA' });
    expect((await post('/api/failover-groups', { id: 'fg-del', zoneId: 'ZA', members: ['del-member'] })).status).toBe(201);

    expect((await http().delete('/api/devices/del-parent').set('Authorization', operator())).status).toBe(403);
    expect((await http().delete('/api/devices/del-parent').set('Authorization', admin())).status).toBe(204);
    expect((await http().get('/api/devices/del-parent').set('Authorization', admin())).status).toBe(404);
    expect((await http().get('/api/devices/del-child').set('Authorization', admin())).body).toMatchObject({ parentId: null });
    expect((await http().delete('/api/devices/del-parent').set('Authorization', admin())).status).toBe(404);

    const refused = await http().delete('/api/devices/del-member').set('Authorization', admin());
    expect(refused.status).toBe(409);
    expect((await http().get('/api/devices/del-member').set('Authorization', admin())).status).toBe(200);
  });
});

describe('GET /api/devices/{id}/history', () => {
  it('lists transitions newest first, paginated without duplicates or misses', async () => {
    await createDevice({ id: 'hist-1', type: 'GATE', name: 'h', zoneId: 'ZA' });
    const ds = server.app.get(DataSource);
    // 12 transitions, two of them sharing one instant (the keyset breaks ties by id)
    for (let i = 0; i < 12; i++) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i === 11 ? 10 : i)).toISOString();
      await ds.query(
        `INSERT INTO device_transitions (device_id, from_state, to_state, reason, at) VALUES ('hist-1', $1, $2, 'HEARTBEAT_MISSED', $3)`,
        [i % 2 === 0 ? 'ONLINE' : 'OFFLINE', i % 2 === 0 ? 'OFFLINE' : 'ONLINE', at],
      );
    }
    const items = await walk<{ id: string; at: string; from: string; to: string; reason: string }>('/api/devices/hist-1/history', 5, operator());
    expect(items).toHaveLength(12);
    expect(new Set(items.map((t) => t.id)).size).toBe(12);
    const times = items.map((t) => Date.parse(t.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(items[0]).toMatchObject({ reason: 'HEARTBEAT_MISSED' });
    expect((await http().get('/api/devices/hist-1/history?limit=999').set('Authorization', operator())).status).toBe(400);
  });
});

describe('registry events on the bus', () => {
  it('publishes device.registered, device.updated (with what changed) and device.removed with the device view', async () => {
    const bus = server.app.get(MessageBus);
    const seen: Array<[string, DeviceView & { changed?: string[] }]> = [];
    const unsubscribes = await Promise.all(
      ['device.registered', 'device.updated', 'device.removed'].map((channel) =>
        bus.subscribe<DeviceView & { changed?: string[] }>(channel, (payload) => {
          if (payload.id === 'ev-1') seen.push([channel, payload]);
        }),
      ),
    );
    try {
      await createDevice({ id: 'ev-1', type: 'GUIDANCE_SIGN', name: 'sign', zoneId: 'ZA', missTolerance: 6 });
      expect((await http().patch('/api/devices/ev-1').set('Authorization', admin()).send({ maintenance: true })).status).toBe(200);
      expect((await http().delete('/api/devices/ev-1').set('Authorization', admin())).status).toBe(204);
      await new Promise((r) => setTimeout(r, 50));
      expect(seen.map(([c]) => c)).toEqual(['device.registered', 'device.updated', 'device.removed']);
      expect(seen[0]![1]).toMatchObject({ id: 'ev-1', type: 'GUIDANCE_SIGN', zoneId: 'ZA', heartbeatIntervalS: 5, missTolerance: 6, maintenance: false });
      expect(seen[1]![1]).toMatchObject({ id: 'ev-1', maintenance: true, changed: ['maintenance'] });
      expect(seen[2]![1]).toMatchObject({ id: 'ev-1' });
      expect(seen[0]![1]).not.toHaveProperty('secret');
    } finally {
      await Promise.all(unsubscribes.map((u) => u()));
    }
  });
});
