import request from 'supertest';
import { DataSource } from 'typeorm';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * The audit log (SPEC §6, §8): every registry write leaves a row (who, role, what, target, when,
 * source address, outcome), refused writes too (`denied`, `conflict`); GET /audit is for admins,
 * filtered, newest first, paginated; and an audit row commits or rolls back with its change.
 */
interface AuditRow {
  id: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  sourceAddress: string | null;
  outcome: string;
  details: Record<string, unknown>;
}
interface PageBody<T> {
  items: T[];
  nextCursor: string | null;
}

let server: TestServer;
const http = () => request(server.httpUrl);
const bearer = (token: string): string => `Bearer ${token}`;
const admin = (sub = 'alice', zones?: string[]): string => bearer(server.token({ sub, role: 'ADMIN', ...(zones ? { zones } : {}) }));
const operator = (): string => bearer(server.token({ sub: 'oscar', role: 'OPERATOR' }));
const post = (path: string, body: object, auth = admin()) => http().post(path).set('Authorization', auth).send(body);

async function audit(query: string, auth = admin()): Promise<AuditRow[]> {
  const res = await http().get(`/api/audit?limit=500&${query}`).set('Authorization', auth);
  expect(res.status).toBe(200);
  return (res.body as PageBody<AuditRow>).items;
}

beforeAll(async () => {
  server = await startTestServer();
  expect((await post('/api/zones', { id: 'ZA', name: 'A', kind: 'CAR_PARK' })).status).toBe(201);
  expect((await post('/api/zones', { id: 'ZB', name: 'B', kind: 'CAR_PARK' })).status).toBe(201);
});

afterAll(async () => {
  await server.close();
});

afterEach(async () => {
  expect((await http().get('/api/audit?limit=1').set('Authorization', admin())).status).toBe(200);
});

describe('audit rows for registry writes', () => {
  it('records each write with actor, role, action, target, source address, outcome and zone', async () => {
    expect((await post('/api/devices', { id: 'aud-1', type: 'GATE', name: 'g', zoneId: 'ZA' })).status).toBe(201);
    expect((await http().patch('/api/devices/aud-1').set('Authorization', admin('bob')).send({ maintenance: true })).status).toBe(200);
    expect((await http().post('/api/devices/aud-1/secret').set('Authorization', admin())).status).toBe(200);
    expect((await http().delete('/api/devices/aud-1').set('Authorization', admin())).status).toBe(204);

    const rows = await audit('target=aud-1');
    expect(rows.map((r) => r.action)).toEqual(['device.deleted', 'device.secret-rotated', 'device.updated', 'device.created']);
    for (const row of rows) {
      expect(row).toMatchObject({ role: 'ADMIN', outcome: 'ok', target: 'aud-1', details: { zoneId: 'ZA' } });
      expect(row.sourceAddress).toMatch(/127\.0\.0\.1/);
      expect(new Date(row.at).toISOString()).toBe(row.at);
    }
    expect(rows.find((r) => r.action === 'device.updated')).toMatchObject({ actor: 'bob', details: { fields: ['maintenance'] } });
    expect(rows.find((r) => r.action === 'device.created')!.actor).toBe('alice');
    expect(JSON.stringify(rows)).not.toMatch(/secret_hash|secretHash|"secret"/);

    expect((await audit('action=zone.created')).map((r) => r.target).sort()).toEqual(['ZA', 'ZB']);
  });

  it('records one row for a topology apply, with its counts', async () => {
    const res = await http()
      .put('/api/topology')
      .set('Authorization', admin())
      .send({ zones: [{ id: 'ZT', name: 'T', kind: 'AREA' }], devices: [{ id: 'topo-1', type: 'GATE', zoneId: 'ZT' }] });
    expect(res.status).toBe(200);
    const rows = await audit('action=topology.applied');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      outcome: 'ok',
      target: null,
      details: { applied: { zones: { created: 1 }, devices: { created: 1 } }, secretsGenerated: 1 },
    });
  });

  it('records refusals: conflict (409), denied by zone scope (403), denied by role (403)', async () => {
    expect((await post('/api/zones', { id: 'ZA', name: 'again', kind: 'AREA' })).status).toBe(409);
    expect((await post('/api/devices', { id: 'out-1', type: 'GATE', name: 'x', zoneId: 'ZB' }, admin('carol', ['ZA']))).status).toBe(403);
    expect((await post('/api/devices', { id: 'op-1', type: 'GATE', name: 'x', zoneId: 'ZA' }, operator())).status).toBe(403);
    expect((await http().put('/api/topology').set('Authorization', admin('carol', ['ZA'])).send({})).status).toBe(403);

    expect(await audit('action=zone.created&outcome=conflict')).toMatchObject([{ target: 'ZA', actor: 'alice', details: { reason: "zone 'ZA' already exists" } }]);
    expect(await audit('actor=carol')).toMatchObject([
      { action: 'topology.applied', outcome: 'denied', role: 'ADMIN' },
      { action: 'device.created', outcome: 'denied', target: 'out-1', details: { zoneId: 'ZB' } },
    ]);
    expect(await audit('actor=oscar')).toMatchObject([{ action: 'request.denied', outcome: 'denied', role: 'OPERATOR', target: 'POST /api/devices' }]);
    // refused writes left nothing behind
    expect((await http().get('/api/devices/out-1').set('Authorization', admin())).status).toBe(404);
  });
});

describe('GET /api/audit', () => {
  it('is for admins only: 401 without a token, 403 for operators and devices', async () => {
    expect((await http().get('/api/audit')).status).toBe(401);
    expect((await http().get('/api/audit').set('Authorization', operator())).status).toBe(403);
    expect((await http().get('/api/audit').set('Authorization', bearer(server.deviceToken('topo-1')))).status).toBe(403);
    // reads are not audited as refusals
    expect(await audit('action=request.denied&target=GET%20%2Fapi%2Faudit')).toEqual([]);
  });

  it('lists newest first and walks pages without duplicates or misses', async () => {
    for (let i = 0; i < 9; i++) expect((await post('/api/lanes', { id: `lane-${i}`, zoneId: 'ZA', kind: 'CURB' })).status).toBe(201);
    const all = await audit('');
    const seen: AuditRow[] = [];
    let cursor: string | null = null;
    do {
      const res = await http()
        .get(`/api/audit?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        .set('Authorization', admin());
      expect(res.status).toBe(200);
      const page = res.body as PageBody<AuditRow>;
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen.map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
    const times = seen.map((r) => Date.parse(r.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const lanes = seen.filter((r) => r.action === 'lane.created').map((r) => r.target);
    expect(lanes).toEqual(Array.from({ length: 9 }, (_, i) => `lane-${8 - i}`));
  });

  it('filters by time window (from inclusive, to exclusive)', async () => {
    const all = await audit('');
    const middle = all[Math.floor(all.length / 2)]!;
    const from = await audit(`from=${encodeURIComponent(middle.at)}`);
    expect(from.every((r) => Date.parse(r.at) >= Date.parse(middle.at))).toBe(true);
    expect(from.map((r) => r.id)).toContain(middle.id);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await audit(`from=${encodeURIComponent(future)}`)).toEqual([]);
    expect((await audit(`to=${encodeURIComponent(future)}`)).length).toBe(all.length);
    expect(await audit('to=2000-01-01T00:00:00Z')).toEqual([]);
  });

  it('400 for a bad filter or cursor', async () => {
    for (const q of ['from=yesterday', 'to=13', 'limit=501', 'cursor=bogus', 'colour=red']) {
      expect((await http().get(`/api/audit?${q}`).set('Authorization', admin())).status).toBe(400);
    }
  });

  it('a zone-scoped admin sees only rows about its zones', async () => {
    const rows = await audit('', admin('dave', ['ZB']));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.details['zoneId'] === 'ZB')).toBe(true);
  });
});

describe("an audit row shares its change's transaction", () => {
  it('a change that fails after its audit row was written leaves neither', async () => {
    const ds = server.app.get(DataSource);
    // Fails at COMMIT, i.e. after both the device row and its audit row were inserted.
    await ds.query(`
      CREATE FUNCTION test_fail_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.target = 'boom' THEN RAISE EXCEPTION 'injected failure at commit'; END IF;
        RETURN NULL;
      END $$`);
    await ds.query(`
      CREATE CONSTRAINT TRIGGER test_fail_boom AFTER INSERT ON audit_log
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_boom()`);
    try {
      const res = await post('/api/devices', { id: 'boom', type: 'GATE', name: 'b', zoneId: 'ZA' });
      expect(res.status).toBe(500);
      const devices: unknown[] = await ds.query(`SELECT id FROM devices WHERE id = 'boom'`);
      const rows: unknown[] = await ds.query(`SELECT id FROM audit_log WHERE target = 'boom'`);
      expect(devices).toEqual([]);
      expect(rows).toEqual([]);
      expect((await http().get('/api/devices/boom').set('Authorization', admin())).status).toBe(404);
    } finally {
      await ds.query('DROP TRIGGER test_fail_boom ON audit_log');
      await ds.query('DROP FUNCTION test_fail_boom()');
    }
    // the same write goes through once the failure is gone, with its audit row
    expect((await post('/api/devices', { id: 'boom', type: 'GATE', name: 'b', zoneId: 'ZA' })).status).toBe(201);
    expect(await audit('target=boom')).toMatchObject([{ action: 'device.created', outcome: 'ok' }]);
  });
});
