/**
 * Medium tier, both databases: the dispatch adapter's own rules around the pure domain — no-show
 * timers (and re-armed from the stored deadlines after a restart), near-trip claims presented at
 * lot entry, one taxi at one stand, a ban reaching every stand, metrics from the snapshots.
 */
import { InProcessBus } from '@landside/bus';
import { GATEWAY_CHANNELS, type DeviceEventReceived, type TopicEnvelope } from '@landside/contracts';
import { MetricsService } from '@landside/observability';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '@landside/persistence';
import type { DispatchEvent } from './dispatch.events';
import { DispatchMetrics } from './dispatch.metrics';
import type { DispatchModuleOptions } from './dispatch.options';
import { DispatchRepository } from './dispatch.repository';
import { DispatchService, type DispatchActor } from './dispatch.service';

const ADMIN: DispatchActor = { sub: 'admin', role: 'ADMIN' };
const OPERATOR: DispatchActor = { sub: 'op', role: 'OPERATOR' };
const T0 = Date.UTC(2025, 0, 1, 3, 0, 0);

interface Running {
  readonly service: DispatchService;
  readonly metrics: MetricsService;
  readonly topic: DispatchEvent[];
  close(): Promise<void>;
}

async function start(db: TestDatabase, options: DispatchModuleOptions): Promise<Running> {
  const bus = new InProcessBus();
  const metrics = new MetricsService();
  const service = new DispatchService(new DispatchRepository(db.dataSource), bus, new DispatchMetrics(metrics), { refreshIntervalMs: 0, ...options });
  const topic: DispatchEvent[] = [];
  await bus.subscribe<TopicEnvelope>(GATEWAY_CHANNELS.topic, (env) => topic.push(env.payload as DispatchEvent));
  await service.onApplicationBootstrap();
  return {
    service,
    metrics,
    topic,
    close: async () => {
      await service.onModuleDestroy();
      await bus.close();
    },
  };
}

let seq = 0;
function read(zoneId: string, plate: string, lane: 'IN' | 'CURB' = 'IN', at = Date.now()): DeviceEventReceived {
  return { deviceId: `${zoneId}-cam`, deviceType: 'TAXI_LOT_CAMERA', sessionId: 's', receivedAt: at + ++seq / 1000, event: { type: 'PLATE_READ', plate, confidence: 0.9, laneId: `${zoneId}-${lane}` } };
}

async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(testDatabaseKinds())('dispatch adapter on %s', (kind) => {
  let db: TestDatabase;
  let zones = 0;

  beforeAll(async () => {
    db = await openTestDatabase({ kind });
    await db.dataSource.query(
      `INSERT INTO taxis (plate, licence_region, vehicle_class) SELECT p, 'SEOUL', 'STANDARD' FROM unnest($1::text[]) p`,
      [['A1', 'A2', 'B1', 'B2', 'B3', 'C1', 'C2', 'D1']],
    );
    await db.dataSource.query(`INSERT INTO dispatch_destinations (name, display_name, region, near) VALUES ('gangnam', 'Gangnam', 'SEOUL', false), ('unseo', 'Unseo', 'SEOUL', true)`);
  });

  afterAll(async () => {
    await db?.close();
  });

  /** A fresh TAXI_STAND zone with lanes IN (LOT_ENTRY) and CURB, and its lot camera. */
  async function zone(): Promise<string> {
    const id = `Z${++zones}`;
    const q = (sql: string): Promise<unknown> => db.dataSource.query(sql, [id]);
    await q(`INSERT INTO zones (id, name, kind) VALUES ($1, $1, 'TAXI_STAND')`);
    await q(`INSERT INTO lanes (id, zone_id, kind) VALUES ($1 || '-IN', $1, 'LOT_ENTRY'), ($1 || '-CURB', $1, 'CURB')`);
    await q(`INSERT INTO devices (id, type, name, zone_id, lane_id, secret_hash) VALUES ($1 || '-cam', 'TAXI_LOT_CAMERA', 'cam', $1, $1 || '-IN', 'x')`);
    return id;
  }

  const matchRow = async (id: string): Promise<{ status: string; release_reason: string | null } | undefined> =>
    ((await db.dataSource.query(`SELECT status, release_reason FROM dispatch_matches WHERE id = $1`, [id])) as Array<{ status: string; release_reason: string | null }>)[0];

  it('the no-show timer releases an overdue match (TAXI: it never reached the curb); a restarted service re-arms it from the stored deadline', async () => {
    const z = await zone();
    const first = await start(db, { noShowS: 1 });
    try {
      await first.service.createStand(ADMIN, { zoneId: z, mode: 'REGIONAL', regions: ['SEOUL'], curbTarget: 1 });
      await first.service.applyDeviceEvent(read(z, 'A1'));
      const ticket = await first.service.request(OPERATOR, { zoneId: z, destination: 'Gangnam', partySize: 1, vehicleClass: 'STANDARD' });
      const matchId = ticket.match!.matchId;
      await eventually(async () => ((await matchRow(matchId))?.status === 'RELEASED' ? true : undefined), 'the released match');
      expect(await matchRow(matchId)).toEqual({ status: 'RELEASED', release_reason: 'TAXI_NO_SHOW' });
      expect(first.topic.map((e) => e.kind)).toEqual(expect.arrayContaining(['dispatch.released', 'dispatch.taxi-requeued', 'dispatch.passenger-requeued']));
    } finally {
      await first.close();
    }

    // A match made by a process without timers (or one that died): the next process arms it at start.
    const second = await start(db, { noShowS: 1, timers: false });
    let matchId: string;
    try {
      await second.service.applyDeviceEvent(read(z, 'A2'));
      await second.service.settled();
      matchId = second.topic.find((e) => e.kind === 'dispatch.matched' && e['plate'] === 'A2')!['matchId'] as string;
      await second.service.applyDeviceEvent(read(z, 'A2', 'CURB'));
    } finally {
      await second.close();
    }
    expect(await matchRow(matchId)).toEqual({ status: 'ACTIVE', release_reason: null });
    const third = await start(db, { noShowS: 1 });
    try {
      await eventually(async () => ((await matchRow(matchId))?.status === 'RELEASED' ? true : undefined), 'the released match after a restart');
      // A2 had reached the curb: the passenger is the one who did not show
      expect(await matchRow(matchId)).toEqual({ status: 'RELEASED', release_reason: 'PASSENGER_NO_SHOW' });
      const [row] = (await db.dataSource.query(`SELECT no_shows_taxi::int AS taxi, no_shows_passenger::int AS passenger FROM dispatch_stands WHERE zone_id = $1`, [z])) as Array<{ taxi: number; passenger: number }>;
      expect(row!.passenger).toBeGreaterThanOrEqual(1);
      expect(row!.taxi).toBeGreaterThanOrEqual(1);
    } finally {
      await third.close();
    }
  });

  it('a short trip earns a claim, presented by the next lot-entry read: the taxi goes ahead of the lot', async () => {
    const z = await zone();
    let now = T0;
    const r = await start(db, { timers: false, clock: () => now });
    try {
      await r.service.createStand(ADMIN, { zoneId: z, mode: 'REGIONAL', regions: ['SEOUL'], curbTarget: 1, nearDistanceKm: 10 });
      await r.service.applyDeviceEvent(read(z, 'B1', 'IN', (now += 1000)));
      const ticket = await r.service.request(OPERATOR, { zoneId: z, destination: 'Gangnam', partySize: 1, vehicleClass: 'STANDARD' });
      now += 60_000;
      await r.service.pickup(OPERATOR, ticket.match!.matchId);
      now += 20 * 60_000;
      const trip = await r.service.completeTrip(OPERATOR, ticket.match!.matchId, 6.5);
      expect(trip).toMatchObject({ plate: 'B1', short: true, claim: { plate: 'B1', matchId: ticket.match!.matchId } });
      for (const plate of ['B2', 'B3']) await r.service.applyDeviceEvent(read(z, plate, 'IN', (now += 1000)));
      now += 10 * 60_000;
      await r.service.applyDeviceEvent(read(z, 'B1', 'IN', now));
      const view = await r.service.zoneView(OPERATOR, z);
      expect(view.taxis.map((t) => [t.plate, t.stage, t.position, t.priority])).toEqual([
        ['B2', 'CALLED', 1, false],
        ['B1', 'LOT', 1, true],
        ['B3', 'LOT', 2, false],
      ]);
      expect(r.topic.find((e) => e.kind === 'dispatch.taxi-queued' && e['plate'] === 'B1' && e['priority'] === true)).toBeDefined();
    } finally {
      await r.close();
    }
  });

  it('one taxi, one stand: entering another lot takes a waiting taxi out of the first; a called one is refused', async () => {
    const [x, y] = [await zone(), await zone()];
    const r = await start(db, { timers: false });
    try {
      for (const z of [x, y]) await r.service.createStand(ADMIN, { zoneId: z, mode: 'SINGLE_QUEUE', regions: [], curbTarget: 1 });
      await r.service.applyDeviceEvent(read(x, 'C1')); // called at x
      await r.service.applyDeviceEvent(read(x, 'C2')); // waits in x's lot
      await r.service.applyDeviceEvent(read(y, 'C2'));
      await r.service.applyDeviceEvent(read(y, 'C1'));
      const [vx, vy] = [await r.service.zoneView(OPERATOR, x), await r.service.zoneView(OPERATOR, y)];
      expect(vx.taxis.map((t) => [t.plate, t.stage])).toEqual([['C1', 'CALLED']]);
      expect(vy.taxis.map((t) => [t.plate, t.stage])).toEqual([['C2', 'CALLED']]);
      expect(r.topic).toContainEqual(expect.objectContaining({ kind: 'dispatch.taxi-left', zoneId: x, plate: 'C2', reason: 'LOT_EXIT' }));
      expect(r.topic).toContainEqual(expect.objectContaining({ kind: 'dispatch.taxi-refused', zoneId: y, plate: 'C1', reason: 'AT_ANOTHER_STAND', otherZoneId: x }));

      // A ban reaches every stand holding the plate.
      const banned = await r.service.banTaxi(ADMIN, 'c2');
      expect(banned).toMatchObject({ plate: 'C2', banned: true, stands: [y] });
      expect((await r.service.zoneView(OPERATOR, y)).taxis).toEqual([]);
      expect(r.topic).toContainEqual(expect.objectContaining({ kind: 'dispatch.taxi-left', zoneId: y, plate: 'C2', reason: 'BANNED' }));

      const text = await r.metrics.metrics();
      expect(text).toContain(`landside_dispatch_curb_taxis{zone="${x}"} 1`);
      expect(text).toContain(`landside_dispatch_curb_taxis{zone="${y}"} 0`);
      expect(text).toContain(`landside_dispatch_queue_length{zone="${x}",queue="ALL",class="STANDARD"} 0`);
    } finally {
      await r.close();
    }
  });

  it('refused inputs change nothing: no rows, no version bump', async () => {
    const z = await zone();
    const r = await start(db, { timers: false });
    try {
      await r.service.createStand(ADMIN, { zoneId: z, mode: 'REGIONAL', regions: ['SEOUL'], curbTarget: 1 });
      await expect(r.service.request(OPERATOR, { zoneId: z, destination: 'Nowhere', partySize: 1, vehicleClass: 'STANDARD' })).rejects.toMatchObject({ reason: 'unknown-destination' });
      await expect(r.service.request(OPERATOR, { zoneId: z, destination: 'Gangnam', partySize: 9, vehicleClass: 'STANDARD' })).rejects.toMatchObject({ reason: 'invalid' });
      await expect(r.service.request({ ...OPERATOR, zones: ['elsewhere'] }, { zoneId: z, destination: 'Gangnam', partySize: 1, vehicleClass: 'STANDARD' })).rejects.toMatchObject({ code: 'not-found' });
      await expect(r.service.updateStand(ADMIN, z, { regions: [] })).rejects.toMatchObject({ reason: 'invalid' });
      const [row] = (await db.dataSource.query(`SELECT version::int AS version FROM dispatch_stands WHERE zone_id = $1`, [z])) as Array<{ version: number }>;
      expect(row!.version).toBe(1);
      expect(await db.dataSource.query(`SELECT * FROM dispatch_tickets WHERE zone_id = $1`, [z])).toEqual([]);
      // a read of a plate nobody registered is a decision (refused), not an error
      await r.service.applyDeviceEvent(read(z, 'ZZ999'));
      expect(r.topic).toContainEqual(expect.objectContaining({ kind: 'dispatch.taxi-refused', plate: 'ZZ999', reason: 'UNKNOWN_TAXI' }));
    } finally {
      await r.close();
    }
  });

  it('the stand row and its match rows stay in one transaction: a failing write leaves neither', async () => {
    const z = await zone();
    const r = await start(db, { timers: false });
    try {
      await r.service.createStand(ADMIN, { zoneId: z, mode: 'REGIONAL', regions: ['SEOUL'], curbTarget: 1 });
      await r.service.applyDeviceEvent(read(z, 'D1'));
      // Simulate a bug elsewhere: D1 already has an ACTIVE match row (at no stand's knowledge).
      await db.dataSource.query(
        `INSERT INTO dispatch_matches (id, zone_id, plate, ticket, queue, taxi_queue, vehicle_class, status, matched_at) VALUES ('ghost', $1, 'D1', 'X0001', 'SEOUL', 'SEOUL', 'STANDARD', 'ACTIVE', now())`,
        [z],
      );
      await expect(r.service.request(OPERATOR, { zoneId: z, destination: 'Gangnam', partySize: 1, vehicleClass: 'STANDARD' })).rejects.toMatchObject({ code: 'conflict' });
      const [row] = (await db.dataSource.query(`SELECT version::int AS version, jsonb_array_length(state->'passengers') AS passengers FROM dispatch_stands WHERE zone_id = $1`, [z])) as Array<{
        version: number;
        passengers: number;
      }>;
      expect(row!.passengers).toBe(0);
      expect(await db.dataSource.query(`SELECT id FROM dispatch_matches WHERE plate = 'D1' ORDER BY id`)).toEqual([{ id: 'ghost' }]);
      const text = await r.metrics.metrics();
      expect(text).toContain(`landside_dispatch_double_assignments_refused_total{zone="${z}"} 1`);
      await db.dataSource.query(`DELETE FROM dispatch_matches WHERE id = 'ghost'`);
    } finally {
      await r.close();
    }
  });
});
