import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DeviceType } from '@landside/contracts';
import type { BayStatus, LaneKind, ParkingSession, SessionEvent, ZoneKind } from './domain';

/**
 * Parking's database side, plain SQL. Reads: the registry's topology (zones, bays, lanes,
 * devices with their stored state), the stored bay states and open sessions. Writes: one
 * transaction per batch (bay state upserts, session rows, exception rows), never per event; an
 * operator's close is its own transaction (locked session row, the close, its audit row).
 */
export interface ZoneRow {
  readonly id: string;
  readonly kind: ZoneKind;
  readonly parentId: string | null;
  readonly closed: boolean;
}
export interface BayRow {
  readonly id: string;
  readonly zoneId: string;
  readonly cameraId: string | null;
}
export interface LaneRow {
  readonly id: string;
  readonly kind: LaneKind;
}
export interface DeviceRow {
  readonly id: string;
  readonly type: DeviceType;
  readonly zoneId: string | null;
  readonly laneId: string | null;
  readonly state: string;
  /** Epoch ms of the stored state's transition; null when never transitioned. */
  readonly stateSince: number | null;
}
export interface TopologyRows {
  readonly zones: readonly ZoneRow[];
  readonly bays: readonly BayRow[];
  readonly lanes: readonly LaneRow[];
  readonly devices: readonly DeviceRow[];
}

/** One row of `bay_states`, times in epoch ms. */
export interface StoredBayState {
  readonly bayId: string;
  readonly status: BayStatus;
  /** The last reported value (fresh or not); null when never reported. */
  readonly occupied: boolean | null;
  readonly plate: string | null;
  /** When `plate` was first read in this bay. */
  readonly since: number | null;
  readonly reportedAt: number | null;
}

/** The read that produced session events: what the domain events do not carry themselves. */
export interface ReadContext {
  readonly deviceId: string;
  readonly confidence: number;
}

export interface SessionWrite {
  readonly event: SessionEvent;
  readonly read?: ReadContext;
}

/** A stored session as an operator close reads it (row locked until the transaction ends). */
export interface LockedSession {
  readonly session: ParkingSession;
  readonly status: 'OPEN' | 'CLOSED';
  /** The zone of the entry lane (null if the lane is gone): the session's zone for scoping and audit. */
  readonly entryZoneId: string | null;
  /** The zone of the exit lane, once closed at one. */
  readonly exitZoneId: string | null;
}

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());
const date = (n: number | null | undefined): Date | null => (n === null || n === undefined ? null : new Date(n));

@Injectable()
export class ParkingRepository {
  constructor(private readonly db: DataSource) {}

  /** The registry's topology in one consistent snapshot. Disabled devices are left out. */
  loadTopology(): Promise<TopologyRows> {
    return this.db.transaction('REPEATABLE READ', async (m) => {
      const zones: Array<{ id: string; kind: ZoneKind; parent_id: string | null; closed: boolean }> = await m.query(
        `SELECT id, kind, parent_id, closed FROM zones ORDER BY id`,
      );
      const bays: Array<{ id: string; zone_id: string; camera_id: string | null }> = await m.query(`SELECT id, zone_id, camera_id FROM bays ORDER BY id`);
      const lanes: Array<{ id: string; kind: LaneKind }> = await m.query(`SELECT id, kind FROM lanes`);
      const devices: Array<{ id: string; type: DeviceType; zone_id: string | null; lane_id: string | null; state: string; state_since: Date | null }> =
        await m.query(`SELECT id, type, zone_id, lane_id, state, state_since FROM devices WHERE NOT disabled`);
      return {
        zones: zones.map((z) => ({ id: z.id, kind: z.kind, parentId: z.parent_id, closed: z.closed })),
        bays: bays.map((b) => ({ id: b.id, zoneId: b.zone_id, cameraId: b.camera_id })),
        lanes: lanes.map((l) => ({ id: l.id, kind: l.kind })),
        devices: devices.map((d) => ({ id: d.id, type: d.type, zoneId: d.zone_id, laneId: d.lane_id, state: d.state, stateSince: ms(d.state_since) })),
      };
    });
  }

  async loadBayStates(): Promise<StoredBayState[]> {
    const rows: Array<{ bay_id: string; status: BayStatus; occupied: boolean | null; plate: string | null; since: Date | null; reported_at: Date | null }> =
      await this.db.query(`SELECT bay_id, status, occupied, plate, since, reported_at FROM bay_states`);
    return rows.map((r) => ({
      bayId: r.bay_id,
      status: r.status,
      occupied: r.occupied,
      plate: r.plate,
      since: ms(r.since),
      reportedAt: ms(r.reported_at),
    }));
  }

  async loadOpenSessions(): Promise<ParkingSession[]> {
    const rows: Array<{ id: string; plate: string; raw_plate: string; entry_at: Date; entry_lane_id: string; entry_confidence: number; review: boolean }> =
      await this.db.query(
        `SELECT id, plate, raw_plate, entry_at, entry_lane_id, entry_confidence, review FROM parking_sessions WHERE status = 'OPEN' ORDER BY entry_at`,
      );
    return rows.map((r) => ({
      id: r.id,
      plate: r.plate,
      rawPlate: r.raw_plate,
      entryAt: r.entry_at.getTime(),
      entryLaneId: r.entry_lane_id,
      confidence: r.entry_confidence,
      review: r.review,
    }));
  }

  /** One batch, atomically: bay states (upserted) and session events in the order they happened. */
  async persist(bays: readonly StoredBayState[], sessions: readonly SessionWrite[]): Promise<void> {
    if (bays.length === 0 && sessions.length === 0) return;
    await this.db.transaction(async (m) => {
      if (bays.length > 0) await this.writeBays(m, bays);
      await this.writeSessionEvents(m, sessions);
    });
  }

  /** Runs `work` in one transaction (an operator's change with its audit row). */
  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Session events within the caller's transaction, in order. */
  async writeSessionEvents(m: EntityManager, sessions: readonly SessionWrite[]): Promise<void> {
    for (const s of sessions) await this.writeSessionEvent(m, s);
  }

  /** A session row with the zones of its lanes, locked (FOR UPDATE) until the transaction ends. */
  async lockSession(m: EntityManager, sessionId: string): Promise<LockedSession | undefined> {
    const rows: Array<{
      id: string;
      plate: string;
      raw_plate: string;
      status: 'OPEN' | 'CLOSED';
      entry_at: Date;
      entry_lane_id: string;
      entry_confidence: number;
      review: boolean;
      entry_zone_id: string | null;
      exit_zone_id: string | null;
    }> = await m.query(
      `SELECT s.id, s.plate, s.raw_plate, s.status, s.entry_at, s.entry_lane_id, s.entry_confidence, s.review,
              le.zone_id AS entry_zone_id, lx.zone_id AS exit_zone_id
         FROM parking_sessions s
         LEFT JOIN lanes le ON le.id = s.entry_lane_id
         LEFT JOIN lanes lx ON lx.id = s.exit_lane_id
        WHERE s.id = $1
          FOR UPDATE OF s`,
      [sessionId],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      session: {
        id: r.id,
        plate: r.plate,
        rawPlate: r.raw_plate,
        entryAt: r.entry_at.getTime(),
        entryLaneId: r.entry_lane_id,
        confidence: r.entry_confidence,
        review: r.review,
      },
      status: r.status,
      entryZoneId: r.entry_zone_id,
      exitZoneId: r.exit_zone_id,
    };
  }

  async lane(m: EntityManager, laneId: string): Promise<{ zoneId: string; kind: LaneKind } | undefined> {
    const rows: Array<{ zone_id: string; kind: LaneKind }> = await m.query(`SELECT zone_id, kind FROM lanes WHERE id = $1`, [laneId]);
    return rows[0] ? { zoneId: rows[0].zone_id, kind: rows[0].kind } : undefined;
  }

  private async writeBays(m: EntityManager, bays: readonly StoredBayState[]): Promise<void> {
    await m.query(
      `INSERT INTO bay_states (bay_id, status, occupied, plate, since, reported_at, updated_at)
       SELECT v.bay_id, v.status, v.occupied, v.plate, v.since, v.reported_at, now()
         FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[], $5::timestamptz[], $6::timestamptz[])
              AS v(bay_id, status, occupied, plate, since, reported_at)
        WHERE EXISTS (SELECT 1 FROM bays b WHERE b.id = v.bay_id)
       ON CONFLICT (bay_id) DO UPDATE SET
         status = EXCLUDED.status, occupied = EXCLUDED.occupied, plate = EXCLUDED.plate, since = EXCLUDED.since,
         reported_at = EXCLUDED.reported_at, updated_at = EXCLUDED.updated_at`,
      [
        bays.map((b) => b.bayId),
        bays.map((b) => b.status),
        bays.map((b) => b.occupied),
        bays.map((b) => b.plate),
        bays.map((b) => date(b.since)),
        bays.map((b) => date(b.reportedAt)),
      ],
    );
  }

  private async writeSessionEvent(m: EntityManager, { event: e, read }: SessionWrite): Promise<void> {
    switch (e.type) {
      case 'SESSION_OPENED':
        await m.query(
          `INSERT INTO parking_sessions (id, plate, raw_plate, review, entry_at, entry_lane_id, entry_device_id, entry_confidence)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [e.session.id, e.session.plate, e.session.rawPlate, e.session.review, new Date(e.session.entryAt), e.session.entryLaneId, read?.deviceId ?? null, e.session.confidence],
        );
        return;
      case 'SESSION_CLOSED':
        await m.query(
          `UPDATE parking_sessions
              SET status = 'CLOSED', exit_at = $2, exit_lane_id = $3, exit_device_id = $4, exit_confidence = $5, duration_s = $6,
                  review = $7, closed_by = $8, closed_by_user = $9, updated_at = now()
            WHERE id = $1 AND status = 'OPEN'`,
          [
            e.session.id,
            new Date(e.exitAt),
            e.exitLaneId ?? null,
            e.closedBy === 'EXIT_READ' ? (read?.deviceId ?? null) : null,
            e.exitConfidence ?? null,
            e.durationS,
            e.review,
            e.closedBy,
            e.by ?? null,
          ],
        );
        return;
      case 'EXCEPTION':
        if (e.kind === 'DUPLICATE_ENTRY' && e.session !== undefined) {
          // The earlier session ends here, without an exit or a duration, and is marked for review.
          await m.query(
            `UPDATE parking_sessions SET status = 'CLOSED', closed_by = 'DUPLICATE_ENTRY', review = true, updated_at = now()
              WHERE id = $1 AND status = 'OPEN'`,
            [e.session.id],
          );
        }
        await this.insertException(m, {
          kind: e.kind,
          reason: null,
          direction: e.kind === 'DUPLICATE_ENTRY' ? 'ENTRY' : 'EXIT',
          plate: e.plate,
          rawPlate: e.rawPlate,
          laneId: e.laneId,
          deviceId: e.deviceId ?? read?.deviceId ?? null,
          confidence: read?.confidence ?? null,
          sessionId: e.session?.id ?? null,
          candidateSessionId: null,
          at: e.at,
        });
        return;
      case 'READ_FLAGGED':
        await this.insertException(m, {
          kind: 'FLAGGED_READ',
          reason: e.reason,
          direction: e.direction,
          plate: e.plate,
          rawPlate: e.rawPlate,
          laneId: e.laneId,
          deviceId: e.deviceId ?? read?.deviceId ?? null,
          confidence: Number.isFinite(e.confidence) ? e.confidence : null,
          sessionId: e.sessionId ?? null,
          candidateSessionId: e.candidateSessionId ?? null,
          at: e.at,
        });
        return;
    }
  }

  private async insertException(
    m: EntityManager,
    x: {
      kind: string;
      reason: string | null;
      direction: string;
      plate: string;
      rawPlate: string;
      laneId: string;
      deviceId: string | null;
      confidence: number | null;
      sessionId: string | null;
      candidateSessionId: string | null;
      at: number;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO parking_exceptions (kind, reason, direction, plate, raw_plate, lane_id, device_id, confidence, session_id, candidate_session_id, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [x.kind, x.reason, x.direction, x.plate, x.rawPlate, x.laneId, x.deviceId, x.confidence, x.sessionId, x.candidateSessionId, new Date(x.at)],
    );
  }
}
