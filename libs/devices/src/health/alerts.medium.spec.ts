import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '@landside/persistence';
import type { Alert } from '../domain/alert';
import { HealthRepository } from './health.repository';

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

  it('writes a batch of alerts in one go: a resolution and the next opening of the same (device, kind) together, updates, unknown devices skipped', async () => {
    await db.dataSource.query(`INSERT INTO devices (id, type, name, zone_id, secret_hash) VALUES ('d2', 'GATE', 'd2', 'Z', 'x'), ('d3', 'GATE', 'd3', 'Z', 'x')`);
    const repo = new HealthRepository(db.dataSource);
    const t0 = Date.parse('2026-11-23T07:00:00.000Z');
    const alert = (deviceId: string, over: Partial<Alert> = {}): Alert => ({
      id: randomUUID(),
      deviceId,
      kind: 'OFFLINE',
      severity: 'CRITICAL',
      status: 'OPEN',
      openedAt: t0,
      lastOccurredAt: t0,
      occurrences: 1,
      reason: 'HEARTBEAT_MISSED',
      suppressed: false,
      notified: true,
      notifiedAt: t0,
      escalated: false,
      ...over,
    });
    const first = alert('d2');
    const other = alert('d3', { kind: 'FAULT', severity: 'MAJOR' });
    await repo.persist([], [first, other, alert('no-such-device')], () => 'Z');
    // the next batch resolves d2's alert and opens its next one; the open one is listed first (the
    // repository writes resolutions in their own statement first: the order rows take within one
    // INSERT … SELECT is the planner's, so one statement could trip the one-open-alert index)
    const next = alert('d2', { openedAt: t0 + 60_000, lastOccurredAt: t0 + 60_000 });
    const resolved: Alert = { ...first, status: 'RESOLVED', resolvedAt: t0 + 30_000, resolution: 'RECOVERED' };
    const acked: Alert = { ...other, status: 'ACKNOWLEDGED', acknowledgedBy: 'op', acknowledgedAt: t0 + 5_000, note: 'on it' };
    await repo.persist([], [next, resolved, acked], () => 'Z');
    const rows = await db.dataSource.query(
      `SELECT device_id, kind, state, ack_note, resolution FROM alerts WHERE device_id IN ('d2', 'd3', 'no-such-device') ORDER BY device_id, opened_at`,
    );
    expect(rows).toEqual([
      { device_id: 'd2', kind: 'OFFLINE', state: 'RESOLVED', ack_note: null, resolution: 'RECOVERED' },
      { device_id: 'd2', kind: 'OFFLINE', state: 'OPEN', ack_note: null, resolution: null },
      { device_id: 'd3', kind: 'FAULT', state: 'ACKNOWLEDGED', ack_note: 'on it', resolution: null },
    ]);
  });

  it('refuses to update or delete audit rows (append-only)', async () => {
    await db.dataSource.query(`INSERT INTO audit_log (actor, role, action, outcome) VALUES ('a', 'ADMIN', 'x.y', 'ok')`);
    await expect(db.dataSource.query(`UPDATE audit_log SET outcome = 'changed'`)).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    expect((await db.dataSource.query(`SELECT outcome FROM audit_log`))[0].outcome).toBe('ok');
  });
});
