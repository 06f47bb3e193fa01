/**
 * Medium tier: the dispatcher against a real database with a fake device channel — delivery,
 * ACK, results, lost and NACKed deliveries, expiry, result timeout and restart recovery.
 */
import { INGRESS_CHANNELS, type CommandResultReceived, type CommandOutcome, type DeviceSessionChanged } from '@landside/contracts';
import { Logger } from '@nestjs/common';
import { testDatabaseKinds } from '@landside/persistence';
import { ADMIN, eventually, openHarness, type Harness } from './testing/harness';

describe.each(testDatabaseKinds())('CommandDispatcher on %s', (kind) => {
  let h: Harness;
  let n = 0;
  /** A fresh gate per test, so tests do not see each other's queues. */
  const newGate = async (): Promise<string> => {
    const id = `gate-d${++n}`;
    await h.addDevice(id, 'GATE', 'P1');
    return id;
  };

  const subscribe = async (deviceId: string): Promise<void> => {
    h.channel.subscribe(deviceId);
    const event: DeviceSessionChanged = { deviceId, sessionId: 's', receivedAt: Date.now(), transport: 'tcp', remoteAddress: '127.0.0.1', remainingSessions: 1 };
    await h.bus.publish(INGRESS_CHANNELS.commandsSubscribed, event);
  };

  const result = async (deviceId: string, commandId: string, outcome: CommandOutcome, detail?: string): Promise<void> => {
    const event: CommandResultReceived = { deviceId, sessionId: 's', receivedAt: Date.now(), result: { commandId, outcome, detail } };
    await h.bus.publish(INGRESS_CHANNELS.commandResult, event);
  };

  const issue = async (deviceId: string, type: 'OPEN_GATE' | 'REBOOT' = 'REBOOT', ttlS?: number): Promise<string> =>
    (await h.service.issue({ deviceId, type, ttlS }, ADMIN, null)).command.id;

  const status = (id: string, expected: string): Promise<string> =>
    eventually(async () => ((await h.statusOf(id)) === expected ? expected : undefined), 15_000, `command ${id} ${expected}`);

  beforeAll(async () => {
    Logger.overrideLogger(false);
    h = await openHarness(kind, { resultTimeoutS: 1, nackRetryMs: 50 });
    await h.addZone('P1');
  });

  afterEach(async () => {
    await h.dispatcher.idle();
    expect(h.busErrors).toEqual([]);
  });

  afterAll(async () => {
    await h.close();
  });

  it('delivers to a subscribed device; ACK -> DELIVERED; result -> SUCCEEDED; every step published', async () => {
    const gate = await newGate();
    await subscribe(gate);
    const id = await issue(gate, 'OPEN_GATE');
    const delivery = await eventually(() => h.channel.deliveries(gate)[0], 15_000, 'delivery');
    expect(delivery.message).toMatchObject({ commandId: id, type: 'OPEN_GATE', params: {} });
    await status(id, 'SENT');
    delivery.onAck();
    await status(id, 'DELIVERED');
    await result(gate, id, 'SUCCEEDED', 'opened');
    await status(id, 'SUCCEEDED');
    expect(await h.repository.find(id)).toMatchObject({ resultDetail: 'opened', attempts: 1 });
    expect(h.topic.statusesOf(id)).toEqual(['QUEUED', 'SENT', 'DELIVERED', 'SUCCEEDED']);
    const metrics = await h.metrics.metrics();
    expect(metrics).toContain('landside_commands_total{type="OPEN_GATE",status="SUCCEEDED"} 1');
    for (const step of ['queued-to-sent', 'sent-to-delivered', 'delivered-to-completed']) {
      expect(metrics).toContain(`landside_command_step_seconds_count{step="${step}"}`);
    }
  });

  it('an ACK followed at once by the result is applied in order', async () => {
    const gate = await newGate();
    await subscribe(gate);
    const id = await issue(gate);
    const delivery = await eventually(() => h.channel.deliveries(gate)[0]);
    await status(id, 'SENT');
    delivery.onAck();
    await result(gate, id, 'FAILED', 'jammed');
    await status(id, 'FAILED');
    expect(h.topic.statusesOf(id)).toEqual(['QUEUED', 'SENT', 'DELIVERED', 'FAILED']);
  });

  it('waits QUEUED for an offline device and delivers oldest first when it subscribes', async () => {
    const gate = await newGate();
    const first = await issue(gate);
    const second = await issue(gate);
    await h.dispatcher.idle();
    expect(await h.statusOf(first)).toBe('QUEUED');
    await subscribe(gate);
    await eventually(() => h.channel.deliveries(gate).length === 2);
    expect(h.channel.deliveries(gate).map((d) => d.message.commandId)).toEqual([first, second]);
  });

  it('a lost delivery goes back to QUEUED and is redelivered with the same id', async () => {
    const gate = await newGate();
    await subscribe(gate);
    const id = await issue(gate);
    const lost = await eventually(() => h.channel.deliveries(gate)[0]);
    await status(id, 'SENT');
    h.channel.disconnect(gate, [lost]);
    await status(id, 'QUEUED');
    expect((await h.repository.find(id))?.statusReason).toBe('DELIVERY_LOST');
    await subscribe(gate);
    const again = await eventually(() => h.channel.deliveries(gate)[1]);
    expect(again.message.commandId).toBe(id);
    again.onAck();
    await status(id, 'DELIVERED');
    expect((await h.repository.find(id))?.attempts).toBe(2);
    // the first delivery's late loss changes nothing now
    lost.onLost();
    await h.dispatcher.idle();
    expect(await h.statusOf(id)).toBe('DELIVERED');
  });

  it('a NACKed command is offered again after the retry delay', async () => {
    const gate = await newGate();
    await subscribe(gate);
    const id = await issue(gate);
    const first = await eventually(() => h.channel.deliveries(gate)[0]);
    await status(id, 'SENT');
    first.onNack();
    const second = await eventually(() => h.channel.deliveries(gate)[1], 15_000, 'redelivery after NACK');
    expect(second.message.commandId).toBe(id);
    expect(h.topic.statusesOf(id)).toEqual(['QUEUED', 'SENT', 'QUEUED', 'SENT']);
  });

  it('expires a command whose TTL passes before delivery and never delivers it', async () => {
    const gate = await newGate();
    const id = await issue(gate, 'OPEN_GATE', 1);
    await status(id, 'EXPIRED');
    expect(await h.repository.find(id)).toMatchObject({ statusReason: 'TTL_EXPIRED' });
    await subscribe(gate);
    await h.dispatcher.idle();
    expect(h.channel.deliveries(gate)).toEqual([]);
    expect(h.topic.statusesOf(id)).toEqual(['QUEUED', 'EXPIRED']);
  });

  it('expires a SENT command that is not ACKed within its TTL; a late ACK changes nothing', async () => {
    const gate = await newGate();
    await subscribe(gate);
    const id = await issue(gate, 'OPEN_GATE', 1);
    const delivery = await eventually(() => h.channel.deliveries(gate)[0]);
    await status(id, 'EXPIRED');
    delivery.onAck();
    await h.dispatcher.idle();
    expect(await h.statusOf(id)).toBe('EXPIRED');
  });

  it('times out a delivered command without a result; a late result changes nothing', async () => {
    const gate = await newGate();
    await subscribe(gate);
    const id = await issue(gate);
    const delivery = await eventually(() => h.channel.deliveries(gate)[0]);
    await status(id, 'SENT');
    delivery.onAck();
    await status(id, 'DELIVERED');
    await status(id, 'TIMED_OUT');
    await result(gate, id, 'SUCCEEDED');
    await h.dispatcher.idle();
    expect(await h.repository.find(id)).toMatchObject({ status: 'TIMED_OUT', statusReason: 'NO_RESULT' });
  });

  it("ignores a device's result for another device's command, and for unknown ids", async () => {
    const gate = await newGate();
    const other = await newGate();
    await subscribe(gate);
    const id = await issue(gate);
    const delivery = await eventually(() => h.channel.deliveries(gate)[0]);
    await status(id, 'SENT');
    delivery.onAck();
    await status(id, 'DELIVERED');
    await result(other, id, 'SUCCEEDED');
    await result(other, 'not-a-uuid', 'SUCCEEDED');
    await result(other, '00000000-0000-4000-8000-000000000000', 'SUCCEEDED');
    await h.dispatcher.idle();
    expect(await h.statusOf(id)).toBe('DELIVERED');
  });

  it('a cancelled command is not delivered when the device subscribes', async () => {
    const gate = await newGate();
    const id = await issue(gate);
    await h.service.cancel(id, ADMIN, null);
    await subscribe(gate);
    await h.dispatcher.idle();
    expect(h.channel.deliveries(gate)).toEqual([]);
  });

  it('recovers after a restart: SENT requeued, past deadlines expired and timed out, the rest re-armed', async () => {
    const gate = await newGate();
    const insert = async (status: string, expiresInS: number, deliveredAgoS: number | null): Promise<string> => {
      const rows = (await h.dataSource.query(
        `INSERT INTO commands (device_id, zone_id, type, status, issued_by, issued_role, issued_at, expires_at, sent_at, delivered_at, attempts)
         VALUES ($1, 'P1', 'REBOOT', $2, 'admin', 'ADMIN', now() - interval '1 minute', now() + make_interval(secs => $3),
                 CASE WHEN $2 = 'QUEUED' THEN NULL ELSE now() - interval '50 seconds' END,
                 CASE WHEN $4::int IS NULL THEN NULL ELSE now() - make_interval(secs => $4::int) END, 1)
         RETURNING id`,
        [gate, status, expiresInS, deliveredAgoS],
      )) as Array<{ id: string }>;
      return rows[0]!.id;
    };
    const sent = await insert('SENT', 600, null);
    const sentExpired = await insert('SENT', -5, null);
    const queuedExpired = await insert('QUEUED', -5, null);
    const queued = await insert('QUEUED', 600, null);
    const deliveredLate = await insert('DELIVERED', 600, 40);
    const deliveredRecent = await insert('DELIVERED', 600, 0);

    await h.dispatcher.recover();
    expect(await h.repository.find(sent)).toMatchObject({ status: 'QUEUED', statusReason: 'RESTART' });
    expect(await h.statusOf(sentExpired)).toBe('EXPIRED');
    expect(await h.statusOf(queuedExpired)).toBe('EXPIRED');
    expect(await h.statusOf(queued)).toBe('QUEUED');
    expect(await h.statusOf(deliveredLate)).toBe('TIMED_OUT');
    expect(h.timers.has('expiry', queued)).toBe(true);
    expect(h.timers.has('expiry', sent)).toBe(true);
    // the recent one's result timeout was re-armed (1 s in this harness)
    await status(deliveredRecent, 'TIMED_OUT');

    await subscribe(gate);
    await eventually(() => h.channel.deliveries(gate).length === 2);
    expect(h.channel.deliveries(gate).map((d) => d.message.commandId)).toEqual([sent, queued]);
  });
});
