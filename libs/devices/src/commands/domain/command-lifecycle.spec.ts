import { COMMAND_OUTCOMES } from '@landside/contracts';
import { applyEvent, recoveryPlan, resultDeadline, toCommandView, toDeviceMessage, type CommandRecord } from './command';
import {
  COMMAND_STATUSES,
  FINAL_STATUSES,
  LIFECYCLE_EVENT_KINDS,
  sourcesOf,
  transition,
  type CommandStatus,
  type LifecycleEvent,
  type LifecycleEventKind,
} from './command-lifecycle';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const at = (s: number): Date => new Date(T0.getTime() + s * 1000);

function command(overrides: Partial<CommandRecord> = {}): CommandRecord {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    deviceId: 'gate-1',
    zoneId: 'P1',
    type: 'OPEN_GATE',
    params: {},
    status: 'QUEUED',
    statusReason: null,
    issuedBy: 'admin',
    issuedRole: 'ADMIN',
    sourceAddress: '10.0.0.1',
    idempotencyKey: null,
    issuedAt: T0,
    expiresAt: at(15),
    sentAt: null,
    deliveredAt: null,
    completedAt: null,
    resultDetail: null,
    attempts: 0,
    ...overrides,
  };
}

const sample: Record<LifecycleEventKind, LifecycleEvent> = {
  send: { kind: 'send' },
  ack: { kind: 'ack' },
  lose: { kind: 'lose' },
  nack: { kind: 'nack' },
  restart: { kind: 'restart' },
  result: { kind: 'result', outcome: 'SUCCEEDED', detail: 'opened' },
  expire: { kind: 'expire' },
  'time-out': { kind: 'time-out' },
  cancel: { kind: 'cancel', note: 'wrong lane' },
  supersede: { kind: 'supersede', by: 'newer' },
};

/** Every allowed (from, event) -> to, written out. Everything not listed is illegal. */
const ALLOWED: Array<[CommandStatus, LifecycleEventKind, CommandStatus]> = [
  ['QUEUED', 'send', 'SENT'],
  ['QUEUED', 'expire', 'EXPIRED'],
  ['QUEUED', 'cancel', 'CANCELLED'],
  ['QUEUED', 'supersede', 'CANCELLED'],
  ['SENT', 'ack', 'DELIVERED'],
  ['SENT', 'lose', 'QUEUED'],
  ['SENT', 'nack', 'QUEUED'],
  ['SENT', 'restart', 'QUEUED'],
  ['SENT', 'result', 'SUCCEEDED'],
  ['SENT', 'expire', 'EXPIRED'],
  ['SENT', 'cancel', 'CANCELLED'],
  ['SENT', 'supersede', 'CANCELLED'],
  ['DELIVERED', 'result', 'SUCCEEDED'],
  ['DELIVERED', 'time-out', 'TIMED_OUT'],
];

describe('transition table', () => {
  const pairs = COMMAND_STATUSES.flatMap((s) => LIFECYCLE_EVENT_KINDS.map((e) => [s, e] as const));

  it.each(pairs)('%s + %s', (from, kind) => {
    const expected = ALLOWED.find(([f, k]) => f === from && k === kind);
    const decision = transition(from, sample[kind], T0);
    if (expected) {
      expect(decision).toMatchObject({ ok: true, change: { status: expected[2] } });
    } else {
      expect(decision.ok).toBe(false);
      if (!decision.ok) expect(decision.reason).toContain(`not allowed from ${from}`);
    }
  });

  it('final statuses are final: no event leaves them', () => {
    for (const status of FINAL_STATUSES) {
      for (const kind of LIFECYCLE_EVENT_KINDS) expect(sourcesOf(kind)).not.toContain(status);
    }
  });

  it('DELIVERED is reached only by the device ACK', () => {
    const into = COMMAND_STATUSES.flatMap((from) =>
      LIFECYCLE_EVENT_KINDS.filter((kind) => {
        const d = transition(from, sample[kind], T0);
        return d.ok && d.change.status === 'DELIVERED';
      }),
    );
    expect(into).toEqual(['ack']);
  });

  it('a delivered command cannot be cancelled, superseded or expired', () => {
    for (const kind of ['cancel', 'supersede', 'expire'] as const) expect(transition('DELIVERED', sample[kind], T0).ok).toBe(false);
  });

  it.each(COMMAND_OUTCOMES)('a result %s completes a delivered command with its detail', (outcome) => {
    expect(transition('DELIVERED', { kind: 'result', outcome, detail: 'd' }, at(3))).toEqual({
      ok: true,
      change: { status: outcome, statusReason: null, completedAt: at(3), resultDetail: 'd' },
    });
  });
});

describe('a command through its life', () => {
  it('QUEUED -> SENT -> DELIVERED -> SUCCEEDED stamps each step', () => {
    let c = command();
    c = applyEvent(c, { kind: 'send' }, at(1));
    expect(c).toMatchObject({ status: 'SENT', sentAt: at(1), attempts: 1 });
    c = applyEvent(c, { kind: 'ack' }, at(2));
    expect(c).toMatchObject({ status: 'DELIVERED', deliveredAt: at(2) });
    c = applyEvent(c, { kind: 'result', outcome: 'SUCCEEDED', detail: 'opened' }, at(3));
    expect(c).toMatchObject({ status: 'SUCCEEDED', completedAt: at(3), resultDetail: 'opened', statusReason: null });
  });

  it('a lost delivery goes back to QUEUED and the redelivery counts a second attempt, same id', () => {
    let c = applyEvent(command(), { kind: 'send' }, at(1));
    c = applyEvent(c, { kind: 'lose' }, at(2));
    expect(c).toMatchObject({ status: 'QUEUED', statusReason: 'DELIVERY_LOST', attempts: 1 });
    c = applyEvent(c, { kind: 'send' }, at(3));
    expect(c).toMatchObject({ id: command().id, status: 'SENT', sentAt: at(3), attempts: 2, statusReason: null });
  });

  it('NACK and restart requeue with their reasons', () => {
    const sent = applyEvent(command(), { kind: 'send' }, at(1));
    expect(applyEvent(sent, { kind: 'nack' }, at(2))).toMatchObject({ status: 'QUEUED', statusReason: 'NACKED' });
    expect(applyEvent(sent, { kind: 'restart' }, at(2))).toMatchObject({ status: 'QUEUED', statusReason: 'RESTART' });
  });

  it('expiry, time-out, cancel and supersede name their reasons', () => {
    expect(applyEvent(command(), { kind: 'expire' }, at(15))).toMatchObject({ status: 'EXPIRED', statusReason: 'TTL_EXPIRED', completedAt: at(15) });
    const delivered = applyEvent(applyEvent(command(), { kind: 'send' }, at(1)), { kind: 'ack' }, at(2));
    expect(applyEvent(delivered, { kind: 'time-out' }, at(40))).toMatchObject({ status: 'TIMED_OUT', statusReason: 'NO_RESULT' });
    expect(applyEvent(command(), { kind: 'cancel', note: 'n' }, at(1))).toMatchObject({ status: 'CANCELLED', statusReason: 'ADMIN', resultDetail: 'n' });
    expect(applyEvent(command(), { kind: 'supersede', by: 'c2' }, at(1))).toMatchObject({
      status: 'CANCELLED',
      statusReason: 'SUPERSEDED',
      resultDetail: 'superseded by c2',
    });
  });

  it('a result before the ACK completes without claiming DELIVERED', () => {
    const sent = applyEvent(command(), { kind: 'send' }, at(1));
    expect(applyEvent(sent, { kind: 'result', outcome: 'FAILED' }, at(2))).toMatchObject({ status: 'FAILED', deliveredAt: null, completedAt: at(2) });
  });

  it('illegal events throw and leave the record as it was', () => {
    const c = command();
    expect(() => applyEvent(c, { kind: 'ack' }, at(1))).toThrow(/ack is not allowed from QUEUED/);
    const done = applyEvent(c, { kind: 'expire' }, at(20));
    expect(() => applyEvent(done, { kind: 'send' }, at(21))).toThrow(/not allowed from EXPIRED/);
    expect(c.status).toBe('QUEUED');
  });
});

describe('recovery after a restart', () => {
  const timeoutMs = 30_000;

  it('requeues SENT and re-arms its expiry, or expires it when past its TTL', () => {
    const sent = command({ status: 'SENT', sentAt: at(1), attempts: 1 });
    expect(recoveryPlan(sent, at(5).getTime(), timeoutMs)).toEqual([
      { kind: 'event', event: { kind: 'restart' } },
      { kind: 'arm-expiry', at: at(15).getTime() },
    ]);
    expect(recoveryPlan(sent, at(15).getTime(), timeoutMs)).toEqual([
      { kind: 'event', event: { kind: 'restart' } },
      { kind: 'event', event: { kind: 'expire' } },
    ]);
  });

  it('expires a QUEUED command past its TTL and re-arms the rest', () => {
    expect(recoveryPlan(command(), at(16).getTime(), timeoutMs)).toEqual([{ kind: 'event', event: { kind: 'expire' } }]);
    expect(recoveryPlan(command(), at(1).getTime(), timeoutMs)).toEqual([{ kind: 'arm-expiry', at: at(15).getTime() }]);
  });

  it('times out DELIVERED past the result timeout and re-arms the rest', () => {
    const delivered = command({ status: 'DELIVERED', sentAt: at(1), deliveredAt: at(2), attempts: 1 });
    expect(recoveryPlan(delivered, at(32).getTime(), timeoutMs)).toEqual([{ kind: 'event', event: { kind: 'time-out' } }]);
    expect(recoveryPlan(delivered, at(10).getTime(), timeoutMs)).toEqual([{ kind: 'arm-result-timeout', at: at(32).getTime() }]);
    expect(recoveryPlan(delivered, at(1000).getTime(), 0)).toEqual([]);
  });

  it('leaves final commands alone', () => {
    for (const status of FINAL_STATUSES) expect(recoveryPlan(command({ status }), at(1000).getTime(), timeoutMs)).toEqual([]);
  });

  it('result deadline is off with a zero timeout and undefined before delivery', () => {
    expect(resultDeadline(command(), timeoutMs)).toBeUndefined();
    expect(resultDeadline(command({ deliveredAt: at(2) }), 0)).toBeUndefined();
    expect(resultDeadline(command({ deliveredAt: at(2) }), 1000)).toBe(at(3).getTime());
  });
});

describe('views', () => {
  it('the client view has ISO timestamps and no source address', () => {
    const view = toCommandView(command());
    expect(view).toMatchObject({ issuedAt: T0.toISOString(), expiresAt: at(15).toISOString(), sentAt: null, status: 'QUEUED' });
    expect(view).not.toHaveProperty('sourceAddress');
  });

  it('the device message is what SPEC §4 names', () => {
    expect(toDeviceMessage(command({ params: { a: 1 } }))).toEqual({
      commandId: command().id,
      type: 'OPEN_GATE',
      params: { a: 1 },
      issuedAt: T0.toISOString(),
      expiresAt: at(15).toISOString(),
    });
  });
});
