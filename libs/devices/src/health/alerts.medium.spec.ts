import 'reflect-metadata';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '@landside/persistence';

/**
 * The database, not only the engine, guarantees at most one open alert per (device, kind):
 * concurrent raises from several control processes (or a bug) cannot create a second one.
 */
describe.each(testDatabaseKinds())('alerts on %s', (kind) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase({ kind });
    await db.dataSource.query(`INSERT INTO zones (id, name, kind) VALUES ('Z', 'Z', 'AREA')`);
    await db.dataSource.query(`INSERT INTO devices (id, type, name, zone_id, secret_hash) VALUES ('d1', 'GATE', 'd1', 'Z', 'x')`);
  });

  afterAll(async () => {
    await db.close();
  });

  const raise = (): Promise<unknown> =>
    db.dataSource.query(
      `INSERT INTO alerts (device_id, zone_id, kind, severity, opened_at, last_occurred_at) VALUES ('d1', 'Z', 'OFFLINE', 'CRITICAL', now(), now())`,
    );

  it('keeps exactly one open alert under 10 concurrent raises', async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, raise));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(String((r.reason as { code?: string }).code)).toBe('23505');
    }
    const open = await db.dataSource.query(`SELECT count(*)::int AS n FROM alerts WHERE device_id = 'd1' AND kind = 'OFFLINE' AND state <> 'RESOLVED'`);
    expect(open[0].n).toBe(1);
  });

  it('allows a new open alert once the previous one is resolved, and other kinds meanwhile', async () => {
    await db.dataSource.query(
      `INSERT INTO alerts (device_id, zone_id, kind, severity, opened_at, last_occurred_at) VALUES ('d1', 'Z', 'FAULT', 'CRITICAL', now(), now())`,
    );
    await db.dataSource.query(`UPDATE alerts SET state = 'RESOLVED', resolved_at = now() WHERE device_id = 'd1' AND kind = 'OFFLINE'`);
    await raise();
    const rows = await db.dataSource.query(`SELECT kind, state FROM alerts WHERE device_id = 'd1' ORDER BY kind, state`);
    expect(rows).toEqual([
      { kind: 'FAULT', state: 'OPEN' },
      { kind: 'OFFLINE', state: 'OPEN' },
      { kind: 'OFFLINE', state: 'RESOLVED' },
    ]);
  });

  it('refuses to update or delete audit rows (append-only)', async () => {
    await db.dataSource.query(`INSERT INTO audit_log (actor, role, action, outcome) VALUES ('a', 'ADMIN', 'x.y', 'ok')`);
    await expect(db.dataSource.query(`UPDATE audit_log SET outcome = 'changed'`)).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    expect((await db.dataSource.query(`SELECT outcome FROM audit_log`))[0].outcome).toBe('ok');
  });
});
