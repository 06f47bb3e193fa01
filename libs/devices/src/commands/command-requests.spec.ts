/**
 * Medium tier: `/app/commands` requests with several command-service nodes on one bus and one
 * database (PGlite, and PostgreSQL when a URL is set — there each node has its own connection
 * pool). Every node hears every `command.requested`; exactly one creates the command and answers
 * (reply or refusal), the others skip it.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { INGRESS_CHANNELS, type CommandRequested, type CreateCommandDto } from '@landside/contracts';
import { MetricsService } from '@landside/observability';
import { landsideDataSourceOptions, testDatabaseKinds } from '@landside/persistence';
import { CommandEvents } from './command-events';
import { CommandRequestHandler, REQUEST_CLAIM_RETENTION_MS } from './command-requests';
import { CommandRepository } from './command.repository';
import { CommandService } from './command.service';
import { CommandTargets } from './command-targets';
import { CommandTimers } from './command-timers';
import { eventually, openHarness, RecordingReplies, RecordingTopic, type Harness } from './testing/harness';

interface Node {
  readonly handler: CommandRequestHandler;
  readonly replies: RecordingReplies;
  readonly metrics: MetricsService;
}

function requested(request: CreateCommandDto, overrides: Partial<CommandRequested> = {}): CommandRequested {
  return {
    requestId: randomUUID(),
    request,
    requestedBy: { sub: 'admin-n', role: 'ADMIN' },
    sourceAddress: '10.0.0.1',
    replyTo: { user: 'admin-n', correlationId: `rcpt-${randomUUID()}` },
    receivedAt: Date.now(),
    ...overrides,
  };
}

describe.each(testDatabaseKinds())('CommandRequestHandler, two nodes on %s', (kind) => {
  let h: Harness;
  /** PostgreSQL: node B's own pool on the same database. */
  let second: DataSource | undefined;
  let nodes: Node[];
  let gate = 0;

  const makeNode = (dataSource: DataSource): Node => {
    const metrics = new MetricsService();
    const replies = new RecordingReplies();
    const events = new CommandEvents(new RecordingTopic(), h.bus, metrics);
    const service = new CommandService(dataSource, new CommandRepository(dataSource), new CommandTargets(dataSource), events, new CommandTimers());
    return { handler: new CommandRequestHandler(h.bus, service, replies, dataSource, metrics), replies, metrics };
  };

  const skipped = async (node: Node): Promise<number> => {
    const counter = node.metrics.counter({ name: 'landside_bus_inputs_skipped_total', help: '', labelNames: ['channel'] });
    return (await counter.get()).values.find((v) => v.labels.channel === INGRESS_CHANNELS.commandRequested)?.value ?? 0;
  };
  const totalSkipped = async (): Promise<number> => (await Promise.all(nodes.map(skipped))).reduce((a, b) => a + b, 0);
  const answers = (): number => nodes.reduce((n, node) => n + node.replies.answers, 0);
  const count = async (sql: string, params: unknown[]): Promise<number> => ((await h.dataSource.query(sql, params)) as Array<{ n: number }>)[0]!.n;
  const commandsOf = (deviceId: string): Promise<number> => count(`SELECT count(*)::int AS n FROM commands WHERE device_id = $1`, [deviceId]);
  const newGate = async (): Promise<string> => {
    const id = `gate-n${++gate}`;
    await h.addDevice(id, 'GATE', 'P1');
    return id;
  };

  beforeAll(async () => {
    Logger.overrideLogger(false);
    h = await openHarness(kind, { start: false });
    await h.addZone('P1');
    if (kind === 'postgres') {
      second = await new DataSource({ ...landsideDataSourceOptions({ type: 'postgres', url: h.db.databaseUrl!, extra: { max: 5 } }) }).initialize();
    }
  });

  beforeEach(() => {
    nodes = [makeNode(h.dataSource), makeNode(second ?? h.dataSource)];
  });

  afterEach(async () => {
    for (const node of nodes) await node.handler.onModuleDestroy();
  });

  afterAll(async () => {
    await second?.destroy();
    await h.close();
  });

  it('the same request to both nodes at once makes one command and one reply; the other node skips it', async () => {
    const deviceId = await newGate();
    const e = requested({ deviceId, type: 'REBOOT' });
    await Promise.all(nodes.map((node) => node.handler.handle(e)));

    expect(await commandsOf(deviceId)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'command.create' AND target = $1`, [deviceId])).toBe(1);
    const replies = nodes.flatMap((node) => node.replies.replies);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ user: 'admin-n', correlationId: e.replyTo.correlationId, payload: { deviceId, type: 'REBOOT', status: 'QUEUED' } });
    expect(nodes.flatMap((node) => node.replies.errors)).toEqual([]);
    expect(await totalSkipped()).toBe(1);
  });

  it('a request published on the bus once is handled by one of the subscribed nodes', async () => {
    for (const node of nodes) await node.handler.onModuleInit();
    const deviceId = await newGate();
    await h.bus.publish(INGRESS_CHANNELS.commandRequested, requested({ deviceId, type: 'OPEN_GATE' }));
    // both nodes have seen it once one answered and the other skipped
    await eventually(async () => answers() === 1 && (await totalSkipped()) === 1, 15_000, 'one answer and one skip');
    for (const node of nodes) await node.handler.onModuleDestroy();
    expect(answers()).toBe(1);
    expect(await commandsOf(deviceId)).toBe(1);
    expect(h.busErrors).toEqual([]);
  });

  it('a refusal (unknown device, device type, role) is answered once, and a denial audited once', async () => {
    await h.addDevice('sign-n', 'GUIDANCE_SIGN', 'P1');
    const refusals = [
      requested({ deviceId: 'no-such-device', type: 'REBOOT' }),
      requested({ deviceId: 'sign-n', type: 'OPEN_GATE' }),
      requested({ deviceId: 'sign-n', type: 'REBOOT' }, { requestedBy: { sub: 'op-n', role: 'OPERATOR' }, replyTo: { user: 'op-n', correlationId: 'rcpt-op' } }),
    ];
    for (const e of refusals) await Promise.all(nodes.map((node) => node.handler.handle(e)));

    expect(nodes.flatMap((node) => node.replies.replies)).toEqual([]);
    const errors = nodes.flatMap((node) => node.replies.errors);
    expect(errors.map((x) => [x.body.error, x.body.receipt])).toEqual(
      expect.arrayContaining([
        ['not-found', refusals[0]!.replyTo.correlationId],
        ['not-valid-for-device', refusals[1]!.replyTo.correlationId],
        ['forbidden', 'rcpt-op'],
      ]),
    );
    expect(errors).toHaveLength(3);
    expect(await totalSkipped()).toBe(3);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE actor = 'op-n' AND outcome = 'denied'`, [])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM commands WHERE device_id IN ('no-such-device', 'sign-n')`, [])).toBe(0);
  });

  it('different requests are each handled, even for the same device and receipt', async () => {
    const deviceId = await newGate();
    const a = requested({ deviceId, type: 'REBOOT' });
    const b = { ...a, requestId: randomUUID() };
    await Promise.all([a, b].flatMap((e) => nodes.map((node) => node.handler.handle(e))));
    expect(await commandsOf(deviceId)).toBe(2);
    expect(nodes.flatMap((node) => node.replies.replies)).toHaveLength(2);
    expect(await totalSkipped()).toBe(2);
  });

  it('a request without a requestId (an older publisher) is handled by every node, as before', async () => {
    const deviceId = await newGate();
    const legacy = { ...requested({ deviceId, type: 'REBOOT' }), requestId: undefined } as unknown as CommandRequested;
    await nodes[0]!.handler.handle(legacy);
    expect(await commandsOf(deviceId)).toBe(1);
    expect(nodes[0]!.replies.replies).toHaveLength(1);
  });

  it('a node that cannot write its claim neither creates nor answers', async () => {
    const deviceId = await newGate();
    const down = { query: () => Promise.reject(new Error('database down')) } as unknown as DataSource;
    const replies = new RecordingReplies();
    const service = new CommandService(h.dataSource, new CommandRepository(h.dataSource), new CommandTargets(h.dataSource), new CommandEvents(new RecordingTopic(), h.bus, h.metrics), new CommandTimers());
    const handler = new CommandRequestHandler(h.bus, service, replies, down, new MetricsService());
    await handler.handle(requested({ deviceId, type: 'REBOOT' }));
    expect(replies.answers).toBe(0);
    expect(await commandsOf(deviceId)).toBe(0);
  });

  it('claims older than the retention are pruned by the next request; newer ones stay', async () => {
    const hours = (REQUEST_CLAIM_RETENTION_MS / 3_600_000) * 2;
    await h.dataSource.query(`INSERT INTO bus_input_claims (key, claimed_at) VALUES ('test:old', now() - make_interval(hours => $1)), ('test:new', now())`, [hours]);
    const deviceId = await newGate();
    await nodes[0]!.handler.handle(requested({ deviceId, type: 'REBOOT' }));
    const keys = ((await h.dataSource.query(`SELECT key FROM bus_input_claims WHERE key LIKE 'test:%'`)) as Array<{ key: string }>).map((r) => r.key);
    expect(keys).toEqual(['test:new']);
  });
});
