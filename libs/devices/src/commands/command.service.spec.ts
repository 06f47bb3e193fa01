/**
 * Medium tier: CommandService and CommandRepository against a real database (PGlite, and
 * PostgreSQL when a URL is set): idempotency under concurrency, conditional transitions, the
 * audit row in the command's transaction, supersede, checks and zone scoping.
 */
import { DomainError, type CreateCommandDto } from '@landside/contracts';
import { Logger } from '@nestjs/common';
import { testDatabaseKinds } from '@landside/persistence';
import { ADMIN, OPERATOR, openHarness, type Harness } from './testing/harness';

function request(overrides: Partial<CreateCommandDto> = {}): CreateCommandDto {
  return { deviceId: 'gate-1', type: 'OPEN_GATE', ...overrides };
}

async function refusal(work: Promise<unknown>): Promise<DomainError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe.each(testDatabaseKinds())('CommandService on %s', (kind) => {
  let h: Harness;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    // not started: no dispatcher on the bus, so nothing is delivered behind the test's back
    h = await openHarness(kind, { start: false });
    await h.addZone('P1');
    await h.addZone('P2');
    await h.addDevice('gate-1', 'GATE', 'P1');
    await h.addDevice('gate-2', 'GATE', 'P2');
    await h.addDevice('sign-1', 'GUIDANCE_SIGN', 'P1');
    await h.addDevice('cam-1', 'LPR_CAMERA', null);
  });

  afterAll(async () => {
    await h.close();
  });

  describe('issue', () => {
    it('inserts a QUEUED command with its TTL, publishes it, and audits it in the same transaction', async () => {
      const { command, created } = await h.service.issue(request(), ADMIN, '10.1.2.3');
      expect(created).toBe(true);
      expect(command).toMatchObject({ deviceId: 'gate-1', zoneId: 'P1', type: 'OPEN_GATE', status: 'QUEUED', issuedBy: 'admin', attempts: 0 });
      expect(Date.parse(command.expiresAt) - Date.parse(command.issuedAt)).toBe(15_000);
      expect(h.topic.statusesOf(command.id)).toEqual(['QUEUED']);
      expect(h.topic.messages.at(-1)).toMatchObject({ zoneId: 'P1', conflationKey: `command:${command.id}` });

      // one transaction wrote both rows: they carry the same transaction id (xmin)
      const rows = (await h.dataSource.query(
        `SELECT c.xmin::text AS command_xid, a.xmin::text AS audit_xid, a.actor, a.role, a.action, a.target, a.source_address, a.outcome, a.details
           FROM commands c JOIN audit_log a ON a.details->>'commandId' = c.id::text WHERE c.id = $1`,
        [command.id],
      )) as Array<Record<string, unknown>>;
      expect(rows).toHaveLength(1);
      expect(rows[0]!['command_xid']).toBe(rows[0]!['audit_xid']);
      expect(rows[0]).toMatchObject({ actor: 'admin', role: 'ADMIN', action: 'command.create', target: 'gate-1', source_address: '10.1.2.3', outcome: 'ok' });
    });

    it('leaves no command when its audit row cannot be written (one transaction)', async () => {
      await h.dataSource.query(`
        CREATE FUNCTION refuse_test_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.actor = 'audit-breaker' THEN RAISE EXCEPTION 'audit refused for the test'; END IF; RETURN NEW; END $$`);
      await h.dataSource.query(`CREATE TRIGGER refuse_test_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_test_audit()`);
      try {
        await expect(h.service.issue(request({ type: 'REBOOT' }), { sub: 'audit-breaker', role: 'ADMIN' }, null)).rejects.toThrow(/audit refused/);
        const rows = (await h.dataSource.query(`SELECT count(*)::int AS n FROM commands WHERE issued_by = 'audit-breaker'`)) as Array<{ n: number }>;
        expect(rows[0]!.n).toBe(0);
      } finally {
        await h.dataSource.query(`DROP TRIGGER refuse_test_audit ON audit_log`);
        await h.dataSource.query(`DROP FUNCTION refuse_test_audit()`);
      }
    });

    it('10 concurrent issues with the same key make one command; all answer it', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => h.service.issue(request({ type: 'REBOOT', idempotencyKey: 'k-race' }), ADMIN, null)),
      );
      const ids = new Set(results.map((r) => r.command.id));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const rows = (await h.dataSource.query(`SELECT count(*)::int AS n FROM commands WHERE idempotency_key = 'k-race'`)) as Array<{ n: number }>;
      expect(rows[0]!.n).toBe(1);
      const audits = (await h.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'command.create' AND details->>'idempotencyKey' = 'k-race'`,
      )) as Array<{ n: number }>;
      expect(audits[0]!.n).toBe(1);
    });

    it('the same key from another principal is another command; for another device it is a conflict', async () => {
      const a = await h.service.issue(request({ idempotencyKey: 'k-1' }), ADMIN, null);
      const b = await h.service.issue(request({ idempotencyKey: 'k-1' }), OPERATOR, null);
      expect(b.command.id).not.toBe(a.command.id);
      const again = await h.service.issue(request({ idempotencyKey: 'k-1' }), ADMIN, null);
      expect(again).toEqual({ command: a.command, created: false });
      const conflict = await refusal(h.service.issue(request({ deviceId: 'gate-2', idempotencyKey: 'k-1' }), ADMIN, null));
      expect(conflict.code).toBe('conflict');
    });

    it('refuses, in order: role (403), input (400), device and zone (404), device type (422)', async () => {
      expect((await refusal(h.service.issue(request({ type: 'REBOOT' }), OPERATOR, null))).code).toBe('forbidden');
      expect((await refusal(h.service.issue(request({ type: 'OPEN_GATE' }), { sub: 'd', role: 'DEVICE' }, null))).code).toBe('forbidden');
      const invalid = await refusal(h.service.issue(request({ ttlS: 60 }), ADMIN, null));
      expect(invalid.code).toBe('invalid');
      expect(invalid.details).toEqual({ fields: { ttlS: [expect.stringMatching(/must not exceed 15/)] } });
      expect((await refusal(h.service.issue(request({ deviceId: 'sign-1', type: 'DISPLAY_MESSAGE', params: {} }), ADMIN, null))).code).toBe(
        'invalid',
      );
      expect((await refusal(h.service.issue(request({ deviceId: 'nope' }), ADMIN, null))).code).toBe('not-found');
      const scoped = { sub: 'op-p2', role: 'OPERATOR', zones: ['P2'] };
      expect((await refusal(h.service.issue(request({ deviceId: 'gate-1' }), scoped, null))).code).toBe('not-found');
      expect((await refusal(h.service.issue(request({ deviceId: 'cam-1', type: 'DISPLAY_MESSAGE', params: { text: 'x' } }), scoped, null))).code).toBe(
        'not-found',
      );
      expect((await h.service.issue(request({ deviceId: 'gate-2' }), scoped, null)).created).toBe(true);
      const wrongType = await refusal(h.service.issue(request({ deviceId: 'sign-1' }), ADMIN, null));
      expect(wrongType.code).toBe('not-valid-for-device');
      expect(wrongType.status).toBe(422);
    });

    it('in-process callers issue any command as SYSTEM, audited with that role', async () => {
      const { command } = await h.service.issue(request({ deviceId: 'gate-2', type: 'DEACTIVATE' }), { sub: 'system:failover', role: 'SYSTEM' }, null);
      const rows = (await h.dataSource.query(`SELECT role FROM audit_log WHERE details->>'commandId' = $1`, [command.id])) as unknown[];
      expect(rows).toEqual([{ role: 'SYSTEM' }]);
    });

    it('records a forbidden attempt in the audit log as denied', async () => {
      await refusal(h.service.issue(request({ deviceId: 'gate-2', type: 'LOCK_OPEN' }), { sub: 'op-audit', role: 'OPERATOR' }, '10.9.9.9'));
      const rows = (await h.dataSource.query(`SELECT action, outcome, target, source_address FROM audit_log WHERE actor = 'op-audit'`)) as unknown[];
      expect(rows).toEqual([{ action: 'command.create', outcome: 'denied', target: 'gate-2', source_address: '10.9.9.9' }]);
    });

    it('a newer DISPLAY_MESSAGE supersedes the undelivered older one, not a delivered one', async () => {
      const first = await h.service.issue(request({ deviceId: 'sign-1', type: 'DISPLAY_MESSAGE', params: { text: 'P1 12 free' } }), ADMIN, null);
      const second = await h.service.issue(request({ deviceId: 'sign-1', type: 'DISPLAY_MESSAGE', params: { text: 'P1 11 free' } }), ADMIN, null);
      const old = await h.repository.find(first.command.id);
      expect(old).toMatchObject({ status: 'CANCELLED', statusReason: 'SUPERSEDED', resultDetail: `superseded by ${second.command.id}` });
      expect(h.topic.statusesOf(first.command.id)).toEqual(['QUEUED', 'CANCELLED']);

      await h.service.transition(second.command.id, { kind: 'send' });
      await h.service.transition(second.command.id, { kind: 'ack' });
      const third = await h.service.issue(request({ deviceId: 'sign-1', type: 'DISPLAY_MESSAGE', params: { text: 'P1 FULL' } }), ADMIN, null);
      expect(await h.statusOf(second.command.id)).toBe('DELIVERED');
      expect(await h.statusOf(third.command.id)).toBe('QUEUED');
    });

    it('concurrent DISPLAY_MESSAGEs to one device leave exactly one undelivered', async () => {
      await h.addDevice('sign-race', 'GUIDANCE_SIGN', 'P1');
      await Promise.all(
        Array.from({ length: 5 }, (_, i) => h.service.issue(request({ deviceId: 'sign-race', type: 'DISPLAY_MESSAGE', params: { text: `m${i}` } }), ADMIN, null)),
      );
      const rows = (await h.dataSource.query(`SELECT status FROM commands WHERE device_id = 'sign-race' ORDER BY issued_at`)) as Array<{ status: string }>;
      expect(rows.filter((r) => r.status === 'QUEUED')).toHaveLength(1);
      expect(rows.filter((r) => r.status === 'CANCELLED')).toHaveLength(4);
    });
  });

  describe('conditional transitions', () => {
    it('of a concurrent DELIVERED and CANCELLED exactly one wins', async () => {
      for (let i = 0; i < 5; i++) {
        const { command } = await h.service.issue(request({ type: 'REBOOT' }), ADMIN, null);
        await h.service.transition(command.id, { kind: 'send' });
        const [delivered, cancelled] = await Promise.allSettled([
          h.service.transition(command.id, { kind: 'ack' }),
          h.service.cancel(command.id, ADMIN, null),
        ]);
        const ackWon = delivered.status === 'fulfilled' && delivered.value !== undefined;
        const cancelWon = cancelled.status === 'fulfilled';
        expect(ackWon !== cancelWon).toBe(true);
        if (!cancelWon) expect(cancelled.status === 'rejected' && cancelled.reason instanceof DomainError && cancelled.reason.code).toBe('conflict');
        expect(await h.statusOf(command.id)).toBe(ackWon ? 'DELIVERED' : 'CANCELLED');
      }
    });

    it('of two concurrent ACKs and of two concurrent results exactly one is written', async () => {
      const { command } = await h.service.issue(request({ type: 'REBOOT' }), ADMIN, null);
      await h.service.transition(command.id, { kind: 'send' });
      const acks = await Promise.all([h.service.transition(command.id, { kind: 'ack' }), h.service.transition(command.id, { kind: 'ack' })]);
      expect(acks.filter((a) => a !== undefined)).toHaveLength(1);
      const results = await Promise.all([
        h.service.transition(command.id, { kind: 'result', outcome: 'SUCCEEDED' }),
        h.service.transition(command.id, { kind: 'result', outcome: 'FAILED' }),
      ]);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      expect(h.topic.statusesOf(command.id).filter((s) => s === 'SUCCEEDED' || s === 'FAILED')).toHaveLength(1);
    });

    it('refuses illegal transitions without writing or publishing', async () => {
      const { command } = await h.service.issue(request({ type: 'REBOOT' }), ADMIN, null);
      const before = h.topic.messages.length;
      expect(await h.service.transition(command.id, { kind: 'ack' })).toBeUndefined();
      expect(await h.service.transition(command.id, { kind: 'time-out' })).toBeUndefined();
      expect(await h.service.transition(command.id, { kind: 'result', outcome: 'SUCCEEDED' })).toBeUndefined();
      expect(h.topic.messages.length).toBe(before);
      expect(await h.statusOf(command.id)).toBe('QUEUED');
    });

    it('guards: a lost delivery requeues only its own attempt; send only while unexpired; results only from the device', async () => {
      const { command } = await h.service.issue(request({ type: 'REBOOT' }), ADMIN, null);
      const first = await h.service.transition(command.id, { kind: 'send' });
      expect(first?.attempts).toBe(1);
      await h.service.transition(command.id, { kind: 'lose' }, { attempt: 1 });
      await h.service.transition(command.id, { kind: 'send' });
      expect(await h.service.transition(command.id, { kind: 'lose' }, { attempt: 1 })).toBeUndefined();
      expect(await h.statusOf(command.id)).toBe('SENT');
      expect(await h.service.transition(command.id, { kind: 'result', outcome: 'SUCCEEDED' }, { deviceId: 'gate-2' })).toBeUndefined();
      expect(await h.service.transition(command.id, { kind: 'result', outcome: 'SUCCEEDED' }, { deviceId: 'gate-1' })).toMatchObject({
        status: 'SUCCEEDED',
      });

      const late = await h.service.issue(request({ type: 'REBOOT' }), ADMIN, null);
      expect(await h.service.transition(late.command.id, { kind: 'send' }, { notExpiredAt: new Date(Date.now() + 120_000) })).toBeUndefined();
      expect(await h.service.transition(late.command.id, { kind: 'expire' }, { expiredBy: new Date() })).toBeUndefined();
      expect(await h.statusOf(late.command.id)).toBe('QUEUED');
    });
  });

  describe('cancel', () => {
    it('cancels a QUEUED command with an audit row, then answers 409', async () => {
      const { command } = await h.service.issue(request({ type: 'REBOOT' }), ADMIN, null);
      const cancelled = await h.service.cancel(command.id, ADMIN, '10.0.0.9', 'wrong gate');
      expect(cancelled).toMatchObject({ status: 'CANCELLED', statusReason: 'ADMIN', resultDetail: 'wrong gate' });
      const audits = (await h.dataSource.query(`SELECT outcome, source_address FROM audit_log WHERE action = 'command.cancel' AND details->>'commandId' = $1`, [
        command.id,
      ])) as unknown[];
      expect(audits).toEqual([{ outcome: 'ok', source_address: '10.0.0.9' }]);
      const again = await refusal(h.service.cancel(command.id, ADMIN, null));
      expect(again.code).toBe('conflict');
    });

    it('is for admins only and scoped to their zones', async () => {
      const { command } = await h.service.issue(request({ type: 'OPEN_GATE' }), ADMIN, null);
      expect((await refusal(h.service.cancel(command.id, OPERATOR, null))).code).toBe('forbidden');
      expect((await refusal(h.service.cancel(command.id, { sub: 'a2', role: 'ADMIN', zones: ['P2'] }, null))).code).toBe('not-found');
      expect((await refusal(h.service.cancel('00000000-0000-4000-8000-000000000000', ADMIN, null))).code).toBe('not-found');
    });
  });

  describe('read', () => {
    it('lists newest first with a cursor, filtered by device and status, scoped to zones', async () => {
      await h.addDevice('gate-list', 'GATE', 'P2');
      const issued: string[] = [];
      for (let i = 0; i < 5; i++) issued.push((await h.service.issue(request({ deviceId: 'gate-list', type: 'REBOOT' }), ADMIN, null)).command.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await h.service.list({ deviceId: 'gate-list', limit: 2, cursor }, ADMIN);
        seen.push(...page.items.map((c) => c.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual([...issued].reverse());
      await h.service.cancel(issued[0]!, ADMIN, null);
      expect((await h.service.list({ deviceId: 'gate-list', status: 'CANCELLED', limit: 10 }, ADMIN)).items.map((c) => c.id)).toEqual([issued[0]]);
      expect((await h.service.list({ deviceId: 'gate-list', limit: 10 }, { sub: 'x', role: 'OPERATOR', zones: ['P1'] })).items).toEqual([]);
      expect((await h.service.list({ deviceId: 'gate-list', limit: 10 }, { sub: 'x', role: 'OPERATOR', zones: ['P2'] })).items).toHaveLength(5);
      expect((await refusal(h.service.list({ limit: 10, cursor: 'bogus' }, ADMIN))).code).toBe('invalid');
    });

    it('get is zone-scoped and 404 for unknown ids', async () => {
      const { command } = await h.service.issue(request({ deviceId: 'gate-2', type: 'REBOOT' }), ADMIN, null);
      expect((await h.service.get(command.id, { sub: 'x', role: 'OPERATOR', zones: ['P2'] })).id).toBe(command.id);
      expect((await refusal(h.service.get(command.id, { sub: 'x', role: 'OPERATOR', zones: ['P1'] }))).code).toBe('not-found');
      expect((await refusal(h.service.get('not-a-uuid', ADMIN))).code).toBe('not-found');
    });
  });
});
