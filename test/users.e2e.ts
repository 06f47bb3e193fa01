import request from 'supertest';
import { DataSource } from 'typeorm';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from './support/test-server';

/** SPEC §8 `GET/POST /users`, and logins written to the audit log. */
let server: TestServer;
let admin: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = server.token({ sub: 'admin', role: 'ADMIN' });
});

afterAll(async () => {
  await server.close();
});

describe('users', () => {
  it('lets an admin create a zone-scoped operator who can then log in', async () => {
    const http = request(server.httpUrl);
    const created = await http
      .post('/api/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ username: 'op.t1', password: 'operator-pass-1', role: 'OPERATOR', zones: ['T1'] })
      .expect(201);
    expect(created.body).toMatchObject({ username: 'op.t1', role: 'OPERATOR', zones: ['T1'], disabled: false });
    expect(created.body.passwordHash).toBeUndefined();
    const login = await http.post('/api/auth/login').send({ username: 'op.t1', password: 'operator-pass-1' }).expect(200);
    expect(login.body).toMatchObject({ role: 'OPERATOR', zones: ['T1'] });
  });

  it('refuses bad input (400 naming fields), a taken name (409), operators (403), anonymous (401)', async () => {
    const http = request(server.httpUrl);
    const bad = await http.post('/api/users').set('Authorization', `Bearer ${admin}`).send({ username: 'x', password: 'short', role: 'KING' }).expect(400);
    expect(Object.keys(bad.body.fields as object).sort()).toEqual(['password', 'role']);
    await http.post('/api/users').set('Authorization', `Bearer ${admin}`).send({ username: 'dup', password: 'long-enough-1', role: 'OPERATOR' }).expect(201);
    const dup = await http.post('/api/users').set('Authorization', `Bearer ${admin}`).send({ username: 'dup', password: 'long-enough-1', role: 'OPERATOR' }).expect(409);
    expect(dup.body.error).toBe('username-taken');
    const op = server.token({ sub: 'op', role: 'OPERATOR' });
    await http.post('/api/users').set('Authorization', `Bearer ${op}`).send({ username: 'y', password: 'long-enough-1', role: 'OPERATOR' }).expect(403);
    await http.get('/api/users').set('Authorization', `Bearer ${op}`).expect(403);
    await http.get('/api/users').expect(401);
    // still serving
    await http.get('/api/users').set('Authorization', `Bearer ${admin}`).expect(200);
  });

  it('lists users page by page', async () => {
    const http = request(server.httpUrl);
    for (let i = 0; i < 5; i++) {
      await http.post('/api/users').set('Authorization', `Bearer ${admin}`).send({ username: `page-${i}`, password: 'long-enough-1', role: 'DRIVER' }).expect(201);
    }
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await http
        .get(`/api/users?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      names.push(...(res.body.items as Array<{ username: string }>).map((u) => u.username));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['admin', 'page-0', 'page-4']));
  });

  it('audits user creation and every login, successful or not', async () => {
    const http = request(server.httpUrl);
    await http.post('/api/auth/login').send({ username: 'admin', password: 'wrong-password' }).expect(401);
    await http.post('/api/auth/login').send({ username: 'nobody', password: 'wrong-password' }).expect(401);
    await http.post('/api/auth/login').send({ username: 'admin', password: TEST_ADMIN_PASSWORD }).expect(200);
    const rows: Array<{ actor: string; action: string; outcome: string; source_address: string | null }> = await server.app
      .get(DataSource)
      .query(`SELECT actor, action, outcome, source_address FROM audit_log WHERE action IN ('auth.login', 'user.created') ORDER BY id`);
    expect(rows.filter((r) => r.action === 'user.created').map((r) => r.actor)).toContain('admin');
    const logins = rows.filter((r) => r.action === 'auth.login').slice(-3);
    expect(logins.map((r) => `${r.actor}:${r.outcome}`)).toEqual(['admin:denied', 'nobody:denied', 'admin:ok']);
    expect(logins.every((r) => r.source_address !== null)).toBe(true);
  });
});
