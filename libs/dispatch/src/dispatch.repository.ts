import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { recordAudit, type AuditEntry } from '@landside/persistence';
import {
  destinationKey,
  normalizePlate,
  type DispatchDecision,
  type ResolvedDestination,
  type StandConfig,
  type StandState,
  type TaxiProfile,
  type VehicleClass,
} from './domain';

/** The stand row as an input sees it under its lock. `state` is null when the caller's cached version is current. */
export interface LockedStand {
  readonly version: number;
  readonly state: StandState | null;
  /** The latest input time applied (epoch ms): inputs never go back in time, whichever process applies them. */
  readonly lastInputAt: number | null;
}

/** A stand row as read for the caches (no lock). */
export interface StandRow {
  readonly zoneId: string;
  readonly version: number;
  readonly state: StandState;
  readonly nextDeadline: number | null;
  readonly noShowsTaxi: number;
  readonly noShowsPassenger: number;
  readonly updatedAt: number;
}

export interface StandHead {
  readonly zoneId: string;
  readonly version: number;
  readonly nextDeadline: number | null;
}

export interface StandWrite {
  readonly zoneId: string;
  readonly state: StandState;
  readonly at: number;
  readonly nextDeadline: number | undefined;
  readonly noShowsTaxi: number;
  readonly noShowsPassenger: number;
}

export interface StandCounters {
  readonly version: number;
  readonly noShowsTaxi: number;
  readonly noShowsPassenger: number;
  readonly updatedAt: number;
}

export interface TaxiRow extends TaxiProfile {
  readonly bannedAt: number | null;
  readonly bannedBy: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface MatchRow {
  readonly id: string;
  readonly zoneId: string;
  readonly plate: string;
  readonly ticket: string;
  readonly queue: string;
  readonly vehicleClass: VehicleClass;
  readonly status: 'ACTIVE' | 'COMPLETED' | 'RELEASED';
  readonly matchedAt: number;
  readonly endedAt: number | null;
  readonly releaseReason: string | null;
}

/** Where a TAXI_LOT_CAMERA's read happened: the device and its lane (the event's, else the device's). */
export interface CameraLane {
  readonly deviceType: string;
  readonly laneId: string | null;
  readonly laneKind: string | null;
  readonly zoneId: string | null;
}

export interface Requester {
  readonly sub: string;
  readonly role: string;
}

const ms = (v: unknown): number | null => (v instanceof Date ? v.getTime() : v === null || v === undefined ? null : new Date(String(v)).getTime());
const num = (v: unknown): number => Number(v);

/**
 * Dispatch's database side, plain SQL. Input-time methods take the input transaction's
 * EntityManager (one transaction per input: lock the stand row, read what the input needs, write
 * the new snapshot with its side rows and audit rows); the rest use the DataSource.
 */
@Injectable()
export class DispatchRepository {
  constructor(readonly dataSource: DataSource) {}

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  // ---- the stand row ----------------------------------------------------------------------------

  /** Locks the stand's row until the transaction ends; the state is left out when `knownVersion` is current. */
  async lockStand(em: EntityManager, zoneId: string, knownVersion: number | undefined): Promise<LockedStand | undefined> {
    const rows: Array<{ version: string; state: StandState | null; last_input_at: Date | null }> = await em.query(
      `SELECT version::text AS version, CASE WHEN version = $2::bigint THEN NULL ELSE state END AS state, last_input_at
         FROM dispatch_stands WHERE zone_id = $1 FOR UPDATE`,
      [zoneId, knownVersion ?? -1],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return { version: num(row.version), state: row.state, lastInputAt: ms(row.last_input_at) };
  }

  async writeStand(em: EntityManager, w: StandWrite): Promise<StandCounters> {
    const params = [
      w.zoneId,
      JSON.stringify(w.state),
      JSON.stringify(w.state.config),
      new Date(w.at),
      w.nextDeadline === undefined ? null : new Date(w.nextDeadline),
      w.noShowsTaxi,
      w.noShowsPassenger,
      w.state.taxis.map((t) => t.plate),
      [...new Set(w.state.claims.map((c) => c.plate))],
    ];
    const result: unknown = await em.query(
      `UPDATE dispatch_stands
          SET state = $2::jsonb, config = $3::jsonb, version = version + 1, last_input_at = $4, next_deadline = $5,
              no_shows_taxi = no_shows_taxi + $6, no_shows_passenger = no_shows_passenger + $7,
              plates = $8::text[], claim_plates = $9::text[], updated_at = now()
        WHERE zone_id = $1
        RETURNING version::text AS version, no_shows_taxi::text AS no_shows_taxi, no_shows_passenger::text AS no_shows_passenger, updated_at`,
      params,
    );
    const rows = updatedRows<{ version: string; no_shows_taxi: string; no_shows_passenger: string; updated_at: Date }>(result);
    const row = rows[0];
    if (row === undefined) throw new Error(`stand ${w.zoneId} vanished under its lock`);
    return { version: num(row.version), noShowsTaxi: num(row.no_shows_taxi), noShowsPassenger: num(row.no_shows_passenger), updatedAt: row.updated_at.getTime() };
  }

  /** Inserts a new stand; false when the zone already has one. */
  async insertStand(em: EntityManager, state: StandState, at: number): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `INSERT INTO dispatch_stands (zone_id, config, state, version, last_input_at) VALUES ($1, $2::jsonb, $3::jsonb, 1, $4)
       ON CONFLICT (zone_id) DO NOTHING RETURNING zone_id`,
      [state.config.zoneId, JSON.stringify(state.config), JSON.stringify(state), new Date(at)],
    );
    return rows.length === 1;
  }

  async zoneKind(em: EntityManager, zoneId: string): Promise<string | undefined> {
    const rows: Array<{ kind: string }> = await em.query(`SELECT kind FROM zones WHERE id = $1`, [zoneId]);
    return rows[0]?.kind;
  }

  async loadStands(zoneIds?: readonly string[]): Promise<StandRow[]> {
    const rows: Array<{
      zone_id: string;
      version: string;
      state: StandState;
      next_deadline: Date | null;
      no_shows_taxi: string;
      no_shows_passenger: string;
      updated_at: Date;
    }> = await this.dataSource.query(
      `SELECT zone_id, version::text AS version, state, next_deadline, no_shows_taxi::text AS no_shows_taxi,
              no_shows_passenger::text AS no_shows_passenger, updated_at
         FROM dispatch_stands ${zoneIds === undefined ? '' : 'WHERE zone_id = ANY($1::text[])'} ORDER BY zone_id`,
      zoneIds === undefined ? [] : [zoneIds],
    );
    return rows.map((r) => ({
      zoneId: r.zone_id,
      version: num(r.version),
      state: r.state,
      nextDeadline: ms(r.next_deadline),
      noShowsTaxi: num(r.no_shows_taxi),
      noShowsPassenger: num(r.no_shows_passenger),
      updatedAt: r.updated_at.getTime(),
    }));
  }

  async standHeads(): Promise<StandHead[]> {
    const rows: Array<{ zone_id: string; version: string; next_deadline: Date | null }> = await this.dataSource.query(
      `SELECT zone_id, version::text AS version, next_deadline FROM dispatch_stands ORDER BY zone_id`,
    );
    return rows.map((r) => ({ zoneId: r.zone_id, version: num(r.version), nextDeadline: ms(r.next_deadline) }));
  }

  /** Stand configurations in zone order, after `after`, at most `limit`, within `zones` when given. */
  async standConfigs(limit: number, after: string | undefined, zones: readonly string[] | undefined): Promise<Array<{ config: StandConfig; version: number; updatedAt: number }>> {
    const params: unknown[] = [limit];
    const where: string[] = [];
    if (after !== undefined) {
      params.push(after);
      where.push(`zone_id > $${params.length}`);
    }
    if (zones !== undefined) {
      params.push([...zones]);
      where.push(`zone_id = ANY($${params.length}::text[])`);
    }
    const rows: Array<{ config: StandConfig; version: string; updated_at: Date }> = await this.dataSource.query(
      `SELECT config, version::text AS version, updated_at FROM dispatch_stands ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY zone_id LIMIT $1`,
      params,
    );
    return rows.map((r) => ({ config: r.config, version: num(r.version), updatedAt: r.updated_at.getTime() }));
  }

  async standZoneIds(): Promise<string[]> {
    const rows: Array<{ zone_id: string }> = await this.dataSource.query(`SELECT zone_id FROM dispatch_stands ORDER BY zone_id`);
    return rows.map((r) => r.zone_id);
  }

  /** Stands that hold the plate: the taxi is there, or (with `includeClaims`) holds a near-trip claim there. */
  async standsHolding(plate: string, includeClaims: boolean): Promise<string[]> {
    const rows: Array<{ zone_id: string }> = await this.dataSource.query(
      `SELECT zone_id FROM dispatch_stands WHERE plates @> ARRAY[$1::text] ${includeClaims ? 'OR claim_plates @> ARRAY[$1::text]' : ''} ORDER BY zone_id`,
      [plate],
    );
    return rows.map((r) => r.zone_id);
  }

  // ---- what an input needs --------------------------------------------------------------------

  async taxi(em: EntityManager | undefined, plate: string): Promise<TaxiRow | undefined> {
    const rows: Array<{
      plate: string;
      licence_region: string;
      vehicle_class: VehicleClass;
      banned: boolean;
      banned_at: Date | null;
      banned_by: string | null;
      created_at: Date;
      updated_at: Date;
    }> = await (em ?? this.dataSource).query(`SELECT * FROM taxis WHERE plate = $1`, [normalizePlate(plate)]);
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      plate: r.plate,
      licenceRegion: r.licence_region,
      vehicleClass: r.vehicle_class,
      banned: r.banned,
      bannedAt: ms(r.banned_at),
      bannedBy: r.banned_by,
      createdAt: r.created_at.getTime(),
      updatedAt: r.updated_at.getTime(),
    };
  }

  async destination(em: EntityManager, name: string): Promise<ResolvedDestination | undefined> {
    const rows: Array<{ display_name: string; region: string; near: boolean }> = await em.query(
      `SELECT display_name, region, near FROM dispatch_destinations WHERE name = $1`,
      [destinationKey(name)],
    );
    const r = rows[0];
    return r === undefined ? undefined : { destination: r.display_name, region: r.region, near: r.near };
  }

  /** Records a bus input's key; false when some process has applied it already. */
  async claimInput(em: EntityManager, key: string, zoneId: string | null): Promise<boolean> {
    const rows: unknown[] = await em.query(`INSERT INTO dispatch_inputs (key, zone_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`, [key, zoneId]);
    return rows.length === 1;
  }

  async pruneInputs(olderThanMs: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM dispatch_inputs WHERE at < now() - make_interval(secs => $1)`, [olderThanMs / 1000]);
  }

  // ---- side rows of decisions -----------------------------------------------------------------

  /**
   * Writes what the decisions change outside the snapshot: tickets (who asked), matches
   * (ACTIVE -> COMPLETED | RELEASED, trip end) and an audit row per MATCHED, RELEASED, COMPLETED.
   */
  async writeDecisions(em: EntityManager, zoneId: string, decisions: readonly DispatchDecision[], requester: Requester, sourceAddress: string | null): Promise<void> {
    const audit = (action: string, target: string, details: Record<string, unknown>, at: number): Promise<void> =>
      recordAudit(em, { actor: requester.sub, role: requester.role, action, target, sourceAddress, outcome: 'ok', details: { zoneId, ...details }, at: new Date(at) });
    for (const d of decisions) {
      if (d.type === 'TICKET_ISSUED') {
        await em.query(
          `INSERT INTO dispatch_tickets (zone_id, ticket, requested_by, requested_by_role, destination, vehicle_class, party_size, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (zone_id, ticket) DO UPDATE SET requested_by = EXCLUDED.requested_by, requested_by_role = EXCLUDED.requested_by_role,
             destination = EXCLUDED.destination, vehicle_class = EXCLUDED.vehicle_class, party_size = EXCLUDED.party_size, created_at = EXCLUDED.created_at`,
          [zoneId, d.ticket, requester.sub, requester.role, d.destination, d.vehicleClass, d.partySize, new Date(d.at)],
        );
      } else if (d.type === 'MATCHED') {
        await em.query(
          `INSERT INTO dispatch_matches (id, zone_id, plate, ticket, queue, taxi_queue, vehicle_class, status, matched_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'ACTIVE', $8)`,
          [d.matchId, zoneId, d.plate, d.ticket, d.queue, d.taxiQueue, d.vehicleClass, new Date(d.at)],
        );
        await audit('match.created', d.matchId, { plate: d.plate, ticket: d.ticket, queue: d.queue, taxiQueue: d.taxiQueue, vehicleClass: d.vehicleClass }, d.at);
      } else if (d.type === 'RELEASED') {
        await this.endMatch(em, d.matchId, 'RELEASED', d.at, d.side === 'TAXI' ? 'TAXI_NO_SHOW' : 'PASSENGER_NO_SHOW');
        await audit('match.released', d.matchId, { plate: d.plate, ticket: d.ticket, side: d.side }, d.at);
      } else if (d.type === 'COMPLETED') {
        await this.endMatch(em, d.matchId, 'COMPLETED', d.at, null);
        await audit('match.completed', d.matchId, { plate: d.plate, ticket: d.ticket }, d.at);
      } else if (d.type === 'TRIP_ENDED') {
        await em.query(`UPDATE dispatch_matches SET trip_ended_at = $2, distance_km = $3 WHERE id = $1`, [d.matchId, new Date(d.at), d.distanceKm]);
      }
    }
  }

  private async endMatch(em: EntityManager, id: string, status: 'COMPLETED' | 'RELEASED', at: number, reason: string | null): Promise<void> {
    const rows = updatedRows<{ id: string }>(
      await em.query(`UPDATE dispatch_matches SET status = $2, ended_at = $3, release_reason = $4 WHERE id = $1 AND status = 'ACTIVE' RETURNING id`, [
        id,
        status,
        new Date(at),
        reason,
      ]),
    );
    if (rows.length !== 1) throw new Error(`match ${id} is not ACTIVE in dispatch_matches: the stand and its match rows disagree`);
  }

  /** Who asked for each of these tickets (kiosk device id or user). */
  async requesters(em: EntityManager, zoneId: string, tickets: readonly string[]): Promise<Map<string, string>> {
    if (tickets.length === 0) return new Map();
    const rows: Array<{ ticket: string; requested_by: string }> = await em.query(
      `SELECT ticket, requested_by FROM dispatch_tickets WHERE zone_id = $1 AND ticket = ANY($2::text[])`,
      [zoneId, [...new Set(tickets)]],
    );
    return new Map(rows.map((r) => [r.ticket, r.requested_by]));
  }

  async match(id: string): Promise<MatchRow | undefined> {
    const rows: Array<{
      id: string;
      zone_id: string;
      plate: string;
      ticket: string;
      queue: string;
      vehicle_class: VehicleClass;
      status: MatchRow['status'];
      matched_at: Date;
      ended_at: Date | null;
      release_reason: string | null;
    }> = await this.dataSource.query(`SELECT * FROM dispatch_matches WHERE id = $1`, [id]);
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      id: r.id,
      zoneId: r.zone_id,
      plate: r.plate,
      ticket: r.ticket,
      queue: r.queue,
      vehicleClass: r.vehicle_class,
      status: r.status,
      matchedAt: r.matched_at.getTime(),
      endedAt: ms(r.ended_at),
      releaseReason: r.release_reason,
    };
  }

  // ---- registry: taxis, destinations, devices ---------------------------------------------------

  async upsertTaxi(em: EntityManager, t: { plate: string; licenceRegion: string; vehicleClass: VehicleClass }): Promise<{ row: TaxiRow; created: boolean }> {
    const rows: Array<{ inserted: boolean }> = await em.query(
      `INSERT INTO taxis (plate, licence_region, vehicle_class) VALUES ($1, $2, $3)
       ON CONFLICT (plate) DO UPDATE SET licence_region = EXCLUDED.licence_region, vehicle_class = EXCLUDED.vehicle_class, updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [t.plate, t.licenceRegion, t.vehicleClass],
    );
    const row = await this.taxi(em, t.plate);
    if (row === undefined) throw new Error(`taxi ${t.plate} vanished after its upsert`);
    return { row, created: rows[0]?.inserted === true };
  }

  async banTaxi(em: EntityManager, plate: string, by: string, at: number): Promise<TaxiRow | undefined> {
    await em.query(`UPDATE taxis SET banned = true, banned_at = COALESCE(banned_at, $2), banned_by = COALESCE(banned_by, $3), updated_at = now() WHERE plate = $1`, [
      plate,
      new Date(at),
      by,
    ]);
    return this.taxi(em, plate);
  }

  /** Lifts a ban (idempotent; the row is locked): the row before and after, undefined for an unknown plate. */
  async unbanTaxi(em: EntityManager, plate: string): Promise<{ before: TaxiRow; after: TaxiRow } | undefined> {
    const locked: unknown[] = await em.query(`SELECT plate FROM taxis WHERE plate = $1 FOR UPDATE`, [normalizePlate(plate)]);
    if (locked.length === 0) return undefined;
    const before = await this.taxi(em, plate);
    if (before === undefined) throw new Error(`taxi ${plate} vanished under its lock`);
    await em.query(`UPDATE taxis SET banned = false, banned_at = NULL, banned_by = NULL, updated_at = now() WHERE plate = $1`, [before.plate]);
    const after = await this.taxi(em, plate);
    if (after === undefined) throw new Error(`taxi ${plate} vanished under its unban`);
    return { before, after };
  }

  async replaceDestinations(em: EntityManager, entries: readonly ResolvedDestination[]): Promise<void> {
    await em.query(`DELETE FROM dispatch_destinations`);
    const chunk = 500;
    for (let i = 0; i < entries.length; i += chunk) {
      const part = entries.slice(i, i + chunk);
      const params: unknown[] = [];
      const values = part.map((e) => {
        params.push(destinationKey(e.destination), e.destination, e.region, e.near);
        const n = params.length;
        return `($${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
      });
      await em.query(`INSERT INTO dispatch_destinations (name, display_name, region, near) VALUES ${values.join(', ')}`, params);
    }
  }

  async destinations(): Promise<ResolvedDestination[]> {
    const rows: Array<{ display_name: string; region: string; near: boolean }> = await this.dataSource.query(
      `SELECT display_name, region, near FROM dispatch_destinations ORDER BY name`,
    );
    return rows.map((r) => ({ destination: r.display_name, region: r.region, near: r.near }));
  }

  /** The device and the lane of a camera read: `laneId` from the event, else the device's own lane. */
  async cameraLane(deviceId: string, laneId: string | undefined): Promise<CameraLane | undefined> {
    const rows: Array<{ type: string; lane_id: string | null; kind: string | null; zone_id: string | null }> = await this.dataSource.query(
      `SELECT d.type, l.id AS lane_id, l.kind, l.zone_id
         FROM devices d LEFT JOIN lanes l ON l.id = COALESCE($2, d.lane_id)
        WHERE d.id = $1`,
      [deviceId, laneId ?? null],
    );
    const r = rows[0];
    return r === undefined ? undefined : { deviceType: r.type, laneId: r.lane_id, laneKind: r.kind, zoneId: r.zone_id };
  }

  async deviceZone(deviceId: string): Promise<{ type: string; zoneId: string | null } | undefined> {
    const rows: Array<{ type: string; zone_id: string | null }> = await this.dataSource.query(`SELECT type, zone_id FROM devices WHERE id = $1`, [deviceId]);
    const r = rows[0];
    return r === undefined ? undefined : { type: r.type, zoneId: r.zone_id };
  }

  async audit(entry: AuditEntry, em?: EntityManager): Promise<void> {
    if (em !== undefined) await recordAudit(em, entry);
    else await this.dataSource.transaction((m) => recordAudit(m, entry));
  }
}

/** TypeORM answers an UPDATE or DELETE with `[rows, rowCount]`, other statements with the rows. */
function updatedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

/** A unique violation (SQLSTATE 23505), and on which constraint. */
export function uniqueViolation(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError: unknown = error.driverError;
  if (typeof driverError !== 'object' || driverError === null) return undefined;
  const { code, constraint } = driverError as { code?: unknown; constraint?: unknown };
  if (code !== '23505') return undefined;
  return typeof constraint === 'string' ? constraint : 'unknown';
}
