import request from 'supertest';
import { DataSource } from 'typeorm';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * The command REST API's refusals (SPEC §8): 400 with the failing fields, 401, 403, 404, 409,
 * 422 — and after each refusal the server answers the next request normally.
 */
interface CommandBody {
  id: string;
  deviceId: string;
  status: string;
}

let server: TestServer;
const http = () => request(server.httpUrl);
const admin = (): string => `Bearer ${server.token({ sub: 'admin', role: 'ADMIN' })}`;
const operator = (zones?: string[]): string => `Bearer ${server.token({ sub: 'op-1', role: 'OPERATOR', ...(zones ? { zones } : {}) })}`;
const device = (): string => `Bearer ${server.deviceToken('gate-1', 'GATE')}`;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  server = await startTestServer();
  const ds = server.app.get(DataSource);
  await ds.query(`INSERT INTO zones (id, name, kind) VALUES ('P1', 'P1', 'CAR_PARK'), ('P2', 'P2', 'CAR_PARK')`);
  await server.createDevice('gate-1', 'GATE', 'secret-for-tests', 'P1');
  await server.createDevice('gate-2', 'GATE', 'secret-for-tests', 'P2');
  await server.createDevice('sign-1', 'GUIDANCE_SIGN', 'secret-for-tests', 'P1');
});

afterAll(async () => {
  await server.close();
});

/** The server still serves: a normal request right after a refusal. */
async function servesNext(): Promise<void> {
  const res = await http().post('/api/devices/gate-1/commands').set('Authorization', admin()).send({ type: 'RESYNC' });
  expect(res.status).toBe(201);
}

describe('POST /api/devices/{id}/commands', () => {
  const post = (id: string) => http().post(`/api/devices/${id}/commands`);

  it('401 without or with a bad token', async () => {
    expect((await post('gate-1').send({ type: 'OPEN_GATE' })).status).toBe(401);
    expect((await post('gate-1').set('Authorization', 'Bearer not.a.jwt').send({ type: 'OPEN_GATE' })).status).toBe(401);
    await servesNext();
  });

  it('403 for a device token and for an operator sending an unsafe command', async () => {
    expect((await post('gate-1').set('Authorization', device()).send({ type: 'OPEN_GATE' })).status).toBe(403);
    for (const type of ['REBOOT', 'CLOSE_GATE', 'LOCK_OPEN', 'SET_OUT_OF_SERVICE']) {
      const res = await post('gate-1').set('Authorization', operator()).send({ type });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: 'forbidden' });
    }
    await servesNext();
  });

  it('400 with the failing fields', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'FLY' }, 'type'],
      [{}, 'type'],
      [{ type: 'OPEN_GATE', deviceId: 'gate-2' }, 'deviceId'],
      [{ type: 'OPEN_GATE', params: 'open' }, 'params'],
      [{ type: 'OPEN_GATE', ttlS: 0 }, 'ttlS'],
      [{ type: 'OPEN_GATE', ttlS: 2.5 }, 'ttlS'],
      [{ type: 'OPEN_GATE', ttlS: 60 }, 'ttlS'],
      [{ type: 'REBOOT', idempotencyKey: '' }, 'idempotencyKey'],
    ];
    for (const [body, field] of cases) {
      const res = await post('gate-1').set('Authorization', admin()).send(body);
      expect(res.status).toBe(400);
      expect(Object.keys((res.body as { fields: Record<string, string[]> }).fields)).toContain(field);
    }
    const noText = await post('sign-1').set('Authorization', admin()).send({ type: 'DISPLAY_MESSAGE', params: {} });
    expect(noText.status).toBe(400);
    expect(noText.body).toMatchObject({ error: 'invalid', fields: { 'params.text': [expect.any(String)] } });
    await servesNext();
  });

  it('404 for an unknown device and for a device outside the principal zones', async () => {
    const unknown = await post('no-such-gate').set('Authorization', admin()).send({ type: 'OPEN_GATE' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'not-found' });
    expect((await post('gate-1').set('Authorization', operator(['P2'])).send({ type: 'OPEN_GATE' })).status).toBe(404);
    expect((await post('gate-2').set('Authorization', operator(['P2'])).send({ type: 'OPEN_GATE' })).status).toBe(201);
    await servesNext();
  });

  it('422 for a command the device type does not accept', async () => {
    const res = await post('sign-1').set('Authorization', admin()).send({ type: 'OPEN_GATE' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'not-valid-for-device', deviceType: 'GUIDANCE_SIGN', acceptedBy: ['GATE'] });
    expect((await post('gate-1').set('Authorization', admin()).send({ type: 'DISPLAY_MESSAGE', params: { text: 'TICKET PLEASE' } })).status).toBe(201);
    await servesNext();
  });

  it('201 then 200 for an idempotent repeat; 409 when the key is reused for another command', async () => {
    const first = await post('gate-1').set('Authorization', admin()).send({ type: 'REBOOT', idempotencyKey: 'http-1' });
    expect(first.status).toBe(201);
    const repeat = await post('gate-1').set('Authorization', admin()).send({ type: 'REBOOT', idempotencyKey: 'http-1' });
    expect(repeat.status).toBe(200);
    expect((repeat.body as CommandBody).id).toBe((first.body as CommandBody).id);
    const reuse = await post('gate-2').set('Authorization', admin()).send({ type: 'REBOOT', idempotencyKey: 'http-1' });
    expect(reuse.status).toBe(409);
    await servesNext();
  });

  it('audits the creation with who, role, target, source address and outcome', async () => {
    const res = await post('gate-2').set('Authorization', admin()).send({ type: 'ACTIVATE' });
    const rows = (await server.app.get(DataSource).query(
      `SELECT actor, role, action, target, source_address, outcome FROM audit_log WHERE details->>'commandId' = $1`,
      [(res.body as CommandBody).id],
    )) as Array<Record<string, string>>;
    expect(rows).toEqual([{ actor: 'admin', role: 'ADMIN', action: 'command.create', target: 'gate-2', source_address: expect.stringContaining('127.0.0.1'), outcome: 'ok' }]);
  });
});

describe('GET /api/commands/{id}', () => {
  it('200, and 400/401/403/404 refusals', async () => {
    const created = (await http().post('/api/devices/gate-1/commands').set('Authorization', admin()).send({ type: 'REBOOT' })).body as CommandBody;
    const ok = await http().get(`/api/commands/${created.id}`).set('Authorization', operator());
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: created.id, deviceId: 'gate-1', type: 'REBOOT', status: 'QUEUED', issuedBy: 'admin' });

    expect((await http().get(`/api/commands/${created.id}`)).status).toBe(401);
    expect((await http().get(`/api/commands/${created.id}`).set('Authorization', device())).status).toBe(403);
    const bad = await http().get('/api/commands/not-a-uuid').set('Authorization', admin());
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ fields: { id: [expect.any(String)] } });
    expect((await http().get(`/api/commands/${UNKNOWN_ID}`).set('Authorization', admin())).status).toBe(404);
    expect((await http().get(`/api/commands/${created.id}`).set('Authorization', operator(['P2']))).status).toBe(404);
    await servesNext();
  });
});

describe('GET /api/commands', () => {
  it('pages newest first, filters by device and status, scoped to zones', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(((await http().post('/api/devices/gate-2/commands').set('Authorization', admin()).send({ type: 'RESYNC' })).body as CommandBody).id);
    }
    const first = await http().get('/api/commands?deviceId=gate-2&status=QUEUED&limit=2').set('Authorization', operator());
    expect(first.status).toBe(200);
    const page1 = first.body as { items: CommandBody[]; nextCursor: string | null };
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).not.toBeNull();
    const second = await http()
      .get('/api/commands')
      .query({ deviceId: 'gate-2', status: 'QUEUED', limit: 2, cursor: page1.nextCursor })
      .set('Authorization', operator());
    const all = [...page1.items, ...(second.body as { items: CommandBody[] }).items].map((c) => c.id);
    expect(all.slice(0, 3)).toEqual([...ids].reverse());
    expect(new Set(all).size).toBe(all.length);

    const scoped = await http().get('/api/commands?limit=500').set('Authorization', operator(['P1']));
    expect((scoped.body as { items: CommandBody[] }).items.every((c) => c.deviceId !== 'gate-2')).toBe(true);
  });

  it('400/401/403 refusals', async () => {
    expect((await http().get('/api/commands')).status).toBe(401);
    expect((await http().get('/api/commands').set('Authorization', device())).status).toBe(403);
    for (const query of ['status=BOGUS', 'limit=0', 'limit=501', 'cursor=bogus', 'color=red']) {
      expect((await http().get(`/api/commands?${query}`).set('Authorization', admin())).status).toBe(400);
    }
    await servesNext();
  });
});

describe('POST /api/commands/{id}/cancel', () => {
  const cancel = (id: string) => http().post(`/api/commands/${id}/cancel`);

  it('200 for a queued command with an audit row; 400/401/403/404/409 refusals', async () => {
    const created = (await http().post('/api/devices/gate-1/commands').set('Authorization', admin()).send({ type: 'REBOOT' })).body as CommandBody;
    expect((await cancel(created.id)).status).toBe(401);
    expect((await cancel(created.id).set('Authorization', operator())).status).toBe(403);
    expect((await cancel('nope').set('Authorization', admin())).status).toBe(400);
    expect((await cancel(created.id).set('Authorization', admin()).send({ note: 'x'.repeat(300) })).status).toBe(400);
    expect((await cancel(created.id).set('Authorization', admin()).send({ reason: 'unknown field' })).status).toBe(400);
    expect((await cancel(UNKNOWN_ID).set('Authorization', admin())).status).toBe(404);
    const scopedAdmin = `Bearer ${server.token({ sub: 'admin-p2', role: 'ADMIN', zones: ['P2'] })}`;
    expect((await cancel(created.id).set('Authorization', scopedAdmin)).status).toBe(404);

    const ok = await cancel(created.id).set('Authorization', admin()).send({ note: 'wrong gate' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: created.id, status: 'CANCELLED', statusReason: 'ADMIN', resultDetail: 'wrong gate' });

    const conflict = await cancel(created.id).set('Authorization', admin());
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: 'conflict', status: 'CANCELLED' });

    const audits = (await server.app.get(DataSource).query(
      `SELECT action, outcome FROM audit_log WHERE action = 'command.cancel' AND details->>'commandId' = $1 ORDER BY id`,
      [created.id],
    )) as unknown[];
    expect(audits).toEqual([
      { action: 'command.cancel', outcome: 'ok' },
      { action: 'command.cancel', outcome: 'conflict' },
    ]);
    await servesNext();
  });
});
