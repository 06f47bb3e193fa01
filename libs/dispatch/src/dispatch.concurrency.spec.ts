/**
 * Medium tier, both databases: eight dispatch service instances — on PostgreSQL each with its own
 * connection, on PGlite sharing its one — apply thousands of lot-camera reads, passenger requests,
 * curb arrivals, pickups and no-show sweeps to ONE stand at the same time. Whatever the
 * interleaving, no taxi and no passenger is matched twice: checked with SQL on dispatch_matches,
 * not by trusting the service. A second test gives the same bus inputs to all eight (as Redis
 * does with several dispatch processes): each is applied exactly once.
 */
import { DataSource } from 'typeorm';
import { InProcessBus } from '@landside/bus';
import { DISPATCH_CHANNELS, GATEWAY_CHANNELS, INGRESS_CHANNELS, type DeviceEventReceived, type DispatchRequestReceived, type TopicEnvelope, type UserEnvelope } from '@landside/contracts';
import { MetricsService } from '@landside/observability';
import { landsideDataSourceOptions, openTestDatabase, testDatabaseKinds, type TestDatabase } from '@landside/persistence';
import { DispatchMetrics } from './dispatch.metrics';
import { DispatchRepository } from './dispatch.repository';
import { DispatchService, type DispatchActor } from './dispatch.service';
import type { DispatchEvent } from './dispatch.events';
import { DispatchError, type VehicleClass } from './domain';

const INSTANCES = 8;
/**
 * Taxis and requests per run (DISPATCH_TAXIS / DISPATCH_REQUESTS override). PGlite has one
 * connection, so its run proves the instances' interleaving, not the database's: half the size.
 */
const size = (kind: string, variable: string): number => Number(process.env[variable] ?? (kind === 'postgres' ? 2000 : 1000));
const ZONE = 'T1-TAXI';
/** 12:00 in Incheon: the run never crosses the local midnight that restarts ticket numbers. */
const T0 = Date.UTC(2025, 0, 1, 3, 0, 0);
const OPERATOR: DispatchActor = { sub: 'op-test', role: 'OPERATOR' };
const ADMIN: DispatchActor = { sub: 'admin', role: 'ADMIN' };

/** Deterministic PRNG (mulberry32); interleaving across instances is not, and need not be. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: () => number, list: readonly T[]): T | undefined => (list.length === 0 ? undefined : list[Math.floor(rng() * list.length)]);

interface Harness {
  readonly services: DispatchService[];
  readonly bus: InProcessBus;
  close(): Promise<void>;
}

/** Eight services on the test database; `now` is the shared clock they read. */
async function startServices(db: TestDatabase, clock: () => number, noShowS: number): Promise<Harness> {
  const bus = new InProcessBus();
  const sources: DataSource[] = [];
  const services: DispatchService[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    let ds = db.dataSource;
    if (db.kind === 'postgres') {
      ds = await new DataSource({ ...landsideDataSourceOptions({ type: 'postgres', url: db.databaseUrl!, extra: { max: 1 } }), migrationsRun: false }).initialize();
      sources.push(ds);
    }
    const service = new DispatchService(new DispatchRepository(ds), bus, new DispatchMetrics(new MetricsService()), {
      noShowS,
      timers: false,
      refreshIntervalMs: 0,
      clock,
      stand: { historyRetentionMin: 1, statsRetentionMin: 2 },
    });
    await service.onApplicationBootstrap();
    services.push(service);
  }
  return {
    services,
    bus,
    close: async () => {
      for (const s of services) await s.onModuleDestroy();
      for (const ds of sources) await ds.destroy();
      await bus.close();
    },
  };
}

async function seedTopology(db: TestDatabase, zoneId: string, kiosk?: string): Promise<void> {
  const q = (sql: string, params: unknown[] = []): Promise<unknown> => db.dataSource.query(sql, params);
  await q(`INSERT INTO zones (id, name, kind) VALUES ($1, $1, 'TAXI_STAND')`, [zoneId]);
  await q(`INSERT INTO lanes (id, zone_id, kind) VALUES ($1 || '-IN', $1, 'LOT_ENTRY'), ($1 || '-CURB', $1, 'CURB')`, [zoneId]);
  await q(`INSERT INTO devices (id, type, name, zone_id, lane_id, secret_hash) VALUES ($1 || '-cam', 'TAXI_LOT_CAMERA', 'cam', $1, $1 || '-IN', 'x')`, [zoneId]);
  if (kiosk !== undefined) await q(`INSERT INTO devices (id, type, name, zone_id, secret_hash) VALUES ($1, 'DISPATCH_KIOSK', 'kiosk', $2, 'x')`, [kiosk, zoneId]);
}

let sessionSeq = 0;
function plateRead(zoneId: string, plate: string, lane: 'IN' | 'CURB', at: number): DeviceEventReceived {
  return {
    deviceId: `${zoneId}-cam`,
    deviceType: 'TAXI_LOT_CAMERA',
    sessionId: 's-1',
    receivedAt: at + (++sessionSeq % 1000) / 1000,
    event: { type: 'PLATE_READ', plate, confidence: 0.99, laneId: `${zoneId}-${lane}` },
  };
}

describe.each(testDatabaseKinds())('dispatch on %s', (kind) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase({ kind });
  });

  afterAll(async () => {
    await db?.close();
  });

  const TAXIS = size(kind, 'DISPATCH_TAXIS');
  const REQUESTS = size(kind, 'DISPATCH_REQUESTS');

  it(`${INSTANCES} instances on one stand, ${TAXIS} taxis and ${REQUESTS} requests interleaved with random no-shows: never a double assignment`, async () => {
    let now = T0;
    const harness = await startServices(db, () => now, 60);
    const [first] = harness.services;
    try {
      await seedTopology(db, ZONE);
      const rng = prng(7);
      const classOf = (r: number): VehicleClass => (r < 0.8 ? 'STANDARD' : 'LARGE');
      const regions = ['SEOUL', 'INCHEON'] as const;
      const taxis = Array.from({ length: TAXIS }, (_, i) => ({ plate: `T${String(i).padStart(5, '0')}`, region: regions[i % 2]!, vehicleClass: classOf(rng()) }));
      for (let i = 0; i < taxis.length; i += 500) {
        const part = taxis.slice(i, i + 500);
        await db.dataSource.query(
          `INSERT INTO taxis (plate, licence_region, vehicle_class) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
          [part.map((t) => t.plate), part.map((t) => t.region), part.map((t) => t.vehicleClass)],
        );
      }
      await first!.replaceDestinations(ADMIN, [
        { destination: 'Gangnam', region: 'SEOUL' },
        { destination: 'Songdo', region: 'INCHEON' },
      ]);
      await first!.createStand(ADMIN, { zoneId: ZONE, mode: 'REGIONAL', regions: ['SEOUL', 'INCHEON'], curbTarget: 2 });

      type Op = { kind: 'taxi'; plate: string } | { kind: 'request'; destination: string; vehicleClass: VehicleClass; partySize: number };
      const ops: Op[] = [
        ...taxis.map((t): Op => ({ kind: 'taxi', plate: t.plate })),
        ...Array.from({ length: REQUESTS }, (): Op => ({ kind: 'request', destination: rng() < 0.5 ? 'Gangnam' : 'Songdo', vehicleClass: classOf(rng()), partySize: 1 + Math.floor(rng() * 4) })),
      ];
      for (let i = ops.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [ops[i], ops[j]] = [ops[j]!, ops[i]!];
      }

      // What the stand says, from its published decisions: matches to pick up, taxis that may arrive.
      const active = new Set<string>();
      const neverPickedUp = new Set<string>();
      const onTheWay = new Set<string>();
      const seen = new Map<string, number>();
      await harness.bus.subscribe<TopicEnvelope>(GATEWAY_CHANNELS.topic, (env) => {
        const e = env.payload as DispatchEvent & { matchId?: string; plate?: string };
        seen.set(e.kind, (seen.get(e.kind) ?? 0) + 1);
        if (e.kind === 'dispatch.matched') {
          active.add(e.matchId!);
          if (rng() < 0.1) neverPickedUp.add(e.matchId!);
        } else if (e.kind === 'dispatch.completed' || e.kind === 'dispatch.released') active.delete(e.matchId!);
        if (e.kind === 'dispatch.called') onTheWay.add(e.plate!);
        else if (e.kind === 'dispatch.taxi-at-curb' || e.kind === 'dispatch.completed' || e.kind === 'dispatch.taxi-requeued') onTheWay.delete(e.plate!);
      });

      const tolerated = async (work: Promise<unknown>): Promise<void> => {
        try {
          await work;
        } catch (error) {
          // a pickup racing a no-show sweep of another instance: the loser is told so
          if (!(error instanceof DispatchError) || (error.reason !== 'conflict' && error.reason !== 'not-found')) throw error;
        }
      };
      let next = 0;
      const worker = async (service: DispatchService, seed: number): Promise<void> => {
        const r = prng(seed);
        for (;;) {
          const op = ops[next++];
          if (op === undefined) return;
          now += 200;
          if (op.kind === 'taxi') await service.applyDeviceEvent(plateRead(ZONE, op.plate, 'IN', now));
          else await service.request(OPERATOR, { zoneId: ZONE, destination: op.destination, vehicleClass: op.vehicleClass, partySize: op.partySize });
          if (r() < 0.45) {
            const id = pick(r, [...active].filter((m) => !neverPickedUp.has(m)));
            if (id !== undefined) await tolerated(service.pickup(OPERATOR, id));
          }
          if (r() < 0.25) {
            const plate = pick(r, [...onTheWay]);
            if (plate !== undefined) await service.applyDeviceEvent(plateRead(ZONE, plate, 'CURB', now));
          }
          if (r() < 0.02) await service.releaseOverdue(ZONE);
        }
      };
      await Promise.all(harness.services.map((s, i) => worker(s, 100 + i)));
      now += 10 * 60_000;
      await first!.releaseOverdue(ZONE);

      const q = <T>(sql: string): Promise<T[]> => db.dataSource.query(sql);
      const [{ n: matches }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM dispatch_matches`);
      const byStatus = await q<{ status: string; release_reason: string | null; n: number }>(
        `SELECT status, release_reason, count(*)::int AS n FROM dispatch_matches GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      expect(matches).toBeGreaterThan(TAXIS / 2);
      expect(seen.get('dispatch.matched')).toBe(matches);
      expect(byStatus.find((s) => s.status === 'COMPLETED')?.n ?? 0).toBeGreaterThan(TAXIS / 4);
      expect(byStatus.find((s) => s.release_reason === 'TAXI_NO_SHOW')?.n ?? 0).toBeGreaterThan(0);
      expect(byStatus.find((s) => s.release_reason === 'PASSENGER_NO_SHOW')?.n ?? 0).toBeGreaterThan(0);

      // No plate, no ticket with two ACTIVE matches.
      expect(await q(`SELECT plate FROM dispatch_matches WHERE status = 'ACTIVE' GROUP BY plate HAVING count(*) > 1`)).toEqual([]);
      expect(await q(`SELECT ticket FROM dispatch_matches WHERE status = 'ACTIVE' GROUP BY zone_id, ticket HAVING count(*) > 1`)).toEqual([]);
      // Within one visit (each taxi enters once), a plate is matched again only after a no-show
      // released its earlier match, never while it runs; a ticket likewise, after a taxi no-show.
      expect(
        await q(`SELECT a.id, b.id AS later FROM dispatch_matches a JOIN dispatch_matches b ON b.plate = a.plate AND b.id > a.id
                  WHERE a.status <> 'RELEASED' OR a.ended_at > b.matched_at`),
      ).toEqual([]);
      expect(
        await q(`SELECT a.id, b.id AS later FROM dispatch_matches a JOIN dispatch_matches b ON b.zone_id = a.zone_id AND b.ticket = a.ticket AND b.id > a.id
                  WHERE a.release_reason IS DISTINCT FROM 'TAXI_NO_SHOW' OR a.ended_at > b.matched_at`),
      ).toEqual([]);
      expect(await q(`SELECT plate FROM dispatch_matches WHERE status = 'COMPLETED' GROUP BY plate HAVING count(*) > 1`)).toEqual([]);
      // Classes apart, regions kept: the taxi's class is the passenger's, its licence the queue.
      expect(
        await q(`SELECT m.id FROM dispatch_matches m
                   JOIN taxis t ON t.plate = m.plate
                   JOIN dispatch_tickets k ON k.zone_id = m.zone_id AND k.ticket = m.ticket
                  WHERE t.vehicle_class <> m.vehicle_class OR k.vehicle_class <> m.vehicle_class OR t.licence_region <> m.taxi_queue`),
      ).toEqual([]);
      // Every match has its audit row; the stand's own record agrees with the table.
      const [{ n: audited }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'match.created'`);
      expect(audited).toBe(matches);
      const [stand] = await q<{ active: string[]; version: string; match: number }>(
        `SELECT (SELECT coalesce(array_agg(m->>'matchId' ORDER BY m->>'matchId'), '{}') FROM jsonb_array_elements(state->'matches') m WHERE m->>'status' = 'ACTIVE') AS active,
                version::text AS version, (state->'counters'->>'match')::int AS match
           FROM dispatch_stands WHERE zone_id = '${ZONE}'`,
      );
      const activeRows = await q<{ id: string }>(`SELECT id FROM dispatch_matches WHERE status = 'ACTIVE' ORDER BY id`);
      expect(stand!.active).toEqual(activeRows.map((r) => r.id));
      expect(stand!.match).toBe(matches);
    } finally {
      await harness.close();
    }
  }, 600_000);

  it(`bus inputs received by all ${INSTANCES} instances are applied once`, async () => {
    const zone = 'T2-TAXI';
    const harness = await startServices(db, Date.now, 180);
    try {
      await seedTopology(db, zone, 'kiosk-t2');
      const [first] = harness.services;
      await first!.replaceDestinations(ADMIN, [{ destination: 'Gangnam', region: 'SEOUL' }]);
      await first!.createStand(ADMIN, { zoneId: zone, mode: 'SINGLE_QUEUE', regions: [], curbTarget: 1 });
      const plates = Array.from({ length: 60 }, (_, i) => `B${String(i).padStart(4, '0')}`);
      await db.dataSource.query(`INSERT INTO taxis (plate, licence_region, vehicle_class) SELECT p, 'SEOUL', 'STANDARD' FROM unnest($1::text[]) p`, [plates]);
      const replies: UserEnvelope[] = [];
      await harness.bus.subscribe<UserEnvelope>(GATEWAY_CHANNELS.user, (env) => {
        if (env.destination === '/user/queue/replies' || env.destination === '/user/queue/errors') replies.push(env);
      });
      for (const [i, plate] of plates.entries()) {
        await harness.bus.publish<DeviceEventReceived>(INGRESS_CHANNELS.event, plateRead(zone, plate, 'IN', Date.now()));
        if (i % 2 === 0) {
          await harness.bus.publish<DispatchRequestReceived>(DISPATCH_CHANNELS.requestReceived, {
            request: { destination: i % 4 === 0 ? 'Gangnam' : 'Atlantis', partySize: 1, vehicleClass: 'STANDARD' },
            requestedBy: { sub: 'kiosk-t2', role: 'DEVICE', deviceType: 'DISPATCH_KIOSK' },
            replyTo: { user: 'kiosk-t2', correlationId: `r-${i}` },
            receivedAt: Date.now() + i / 100,
          });
        }
      }
      for (const s of harness.services) await s.settled();

      const [row] = await db.dataSource.query(`SELECT jsonb_array_length(state->'taxis') AS taxis, (state->'counters'->>'match')::int AS matches FROM dispatch_stands WHERE zone_id = $1`, [zone]);
      const tickets: Array<{ n: number }> = await db.dataSource.query(`SELECT count(*)::int AS n FROM dispatch_tickets WHERE zone_id = $1`, [zone]);
      const matches: Array<{ n: number }> = await db.dataSource.query(`SELECT count(*)::int AS n FROM dispatch_matches WHERE zone_id = $1`, [zone]);
      expect(row).toEqual({ taxis: 60, matches: 15 });
      expect(tickets[0]!.n).toBe(15);
      expect(matches[0]!.n).toBe(15);
      // one answer per request: 15 tickets, 15 refusals (unknown destination), whatever the number of instances
      const byCorrelation = new Map<string, string[]>();
      for (const r of replies) {
        const id = r.headers?.find(([k]) => k === 'correlation-id')?.[1] ?? (r.payload as { receipt: string }).receipt;
        byCorrelation.set(id, [...(byCorrelation.get(id) ?? []), r.destination]);
      }
      expect(byCorrelation.size).toBe(30);
      for (const [id, destinations] of byCorrelation) {
        const i = Number(id.slice(2));
        expect(destinations).toEqual([i % 4 === 0 ? '/user/queue/replies' : '/user/queue/errors']);
      }
    } finally {
      await harness.close();
    }
  });
});
