import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, decodeCursor, invalidCursor, pageSize, timestampKeySql, toPage, type Page } from '@landside/contracts';
import { isReadablePlate, normalizePlate } from '../domain';
import type { SessionsQueryDto } from './sessions.query';

/** A parking session as `GET /api/parking/sessions` shows it. */
export interface SessionView {
  readonly id: string;
  /** Normalized. */
  readonly plate: string;
  /** As read at entry. */
  readonly rawPlate: string;
  readonly status: 'OPEN' | 'CLOSED';
  /** Opened by a low-confidence read, closed by an operator, or ended by a duplicate entry. */
  readonly review: boolean;
  readonly entryAt: string;
  readonly entryLaneId: string;
  readonly entryDeviceId: string | null;
  readonly entryConfidence: number;
  readonly exitAt: string | null;
  readonly exitLaneId: string | null;
  readonly exitDeviceId: string | null;
  readonly exitConfidence: number | null;
  readonly durationS: number | null;
  /** `EXIT_READ`, `OPERATOR`, `DUPLICATE_ENTRY` (ended by a second entry of the plate); null while open. */
  readonly closedBy: string | null;
}

/** A flagged read or an exception (`GET /api/parking/sessions?exceptions=true`). */
export interface ParkingExceptionView {
  readonly id: string;
  /** `FLAGGED_READ` (see `reason`), `EXIT_WITHOUT_ENTRY`, `DUPLICATE_ENTRY`. */
  readonly kind: string;
  /** For FLAGGED_READ: `LOW_CONFIDENCE` or `UNREADABLE_PLATE`. */
  readonly reason: string | null;
  readonly direction: 'ENTRY' | 'EXIT';
  readonly plate: string;
  readonly rawPlate: string;
  readonly laneId: string;
  readonly deviceId: string | null;
  readonly confidence: number | null;
  /** The session the read opened (low-confidence entry) or ended (duplicate entry). */
  readonly sessionId: string | null;
  /** An open session of the same plate the read was NOT matched to, for the reviewer. */
  readonly candidateSessionId: string | null;
  readonly at: string;
}

interface SessionRow {
  id: string;
  plate: string;
  raw_plate: string;
  status: 'OPEN' | 'CLOSED';
  review: boolean;
  entry_at: Date;
  entry_lane_id: string;
  entry_device_id: string | null;
  entry_confidence: number;
  exit_at: Date | null;
  exit_lane_id: string | null;
  exit_device_id: string | null;
  exit_confidence: number | null;
  duration_s: number | null;
  closed_by: string | null;
  k_at: string;
}

interface ExceptionRow {
  id: string;
  kind: string;
  reason: string | null;
  direction: 'ENTRY' | 'EXIT';
  plate: string;
  raw_plate: string;
  lane_id: string;
  device_id: string | null;
  confidence: number | null;
  session_id: string | null;
  candidate_session_id: string | null;
  at: Date;
  k_at: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Session ids are UUIDs. */
export const isSessionId = (id: string): boolean => UUID.test(id);

/**
 * Session and exception lists, newest first, keyset-paginated. A zone-scoped principal sees
 * the rows whose lane (entry or exit) is in one of its zones.
 */
@Injectable()
export class ParkingQueries {
  constructor(private readonly db: DataSource) {}

  async sessions(query: SessionsQueryDto, zones: readonly string[] | undefined): Promise<Page<SessionView>> {
    const limit = pageSize(query);
    const after = timeKey(query.cursor, isSessionId);
    const rows: SessionRow[] = await this.db.query(
      `SELECT s.*, ${timestampKeySql('s.entry_at')} AS k_at
         FROM parking_sessions s
        WHERE ($1::text IS NULL OR s.plate = $1)
          AND ($2::text IS NULL OR s.status = $2)
          AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM lanes l WHERE l.id IN (s.entry_lane_id, s.exit_lane_id) AND l.zone_id = ANY($3::text[])))
          AND ($4::timestamptz IS NULL OR (s.entry_at, s.id) < ($4::timestamptz, $5::uuid))
        ORDER BY s.entry_at DESC, s.id DESC
        LIMIT $6`,
      [plateFilter(query.plate), query.state?.toUpperCase() ?? null, zones ? [...zones] : null, after?.at ?? null, after?.id ?? null, limit + 1],
    );
    const page = toPage(rows, limit, (r) => [r.k_at, r.id]);
    return { items: page.items.map(toSessionView), nextCursor: page.nextCursor };
  }

  /** One session by id, unscoped (the caller has checked who may see it). */
  async session(id: string): Promise<SessionView | undefined> {
    const rows: SessionRow[] = await this.db.query(`SELECT s.* FROM parking_sessions s WHERE s.id = $1`, [id]);
    return rows[0] ? toSessionView(rows[0]) : undefined;
  }

  async exceptions(query: SessionsQueryDto, zones: readonly string[] | undefined): Promise<Page<ParkingExceptionView>> {
    if (query.state !== undefined) {
      throw new DomainError('invalid', 'state filters sessions, not exceptions', { fields: { state: ['state cannot be combined with exceptions=true'] } });
    }
    const limit = pageSize(query);
    const after = timeKey(query.cursor, (id) => /^\d{1,19}$/.test(id));
    const rows: ExceptionRow[] = await this.db.query(
      `SELECT e.*, e.id::text AS id, ${timestampKeySql('e.at')} AS k_at
         FROM parking_exceptions e
        WHERE ($1::text IS NULL OR e.plate = $1)
          AND ($2::text[] IS NULL OR EXISTS (SELECT 1 FROM lanes l WHERE l.id = e.lane_id AND l.zone_id = ANY($2::text[])))
          AND ($3::timestamptz IS NULL OR (e.at, e.id) < ($3::timestamptz, $4::bigint))
        ORDER BY e.at DESC, e.id DESC
        LIMIT $5`,
      [plateFilter(query.plate), zones ? [...zones] : null, after?.at ?? null, after?.id ?? null, limit + 1],
    );
    const page = toPage(rows, limit, (r) => [r.k_at, r.id]);
    return { items: page.items.map(toExceptionView), nextCursor: page.nextCursor };
  }
}

function plateFilter(plate: string | undefined): string | null {
  if (plate === undefined) return null;
  const normalized = normalizePlate(plate);
  if (!isReadablePlate(normalized)) throw new DomainError('invalid', 'plate has no character to match on', { fields: { plate: ['plate has no character to match on'] } });
  return normalized;
}

function timeKey(cursor: string | undefined, validId: (id: string) => boolean): { at: string; id: string } | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  const [at, id] = key;
  if (key.length !== 2 || typeof at !== 'string' || typeof id !== 'string' || !validId(id) || Number.isNaN(Date.parse(at))) throw invalidCursor();
  return { at, id };
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

function toSessionView(r: SessionRow): SessionView {
  return {
    id: r.id,
    plate: r.plate,
    rawPlate: r.raw_plate,
    status: r.status,
    review: r.review,
    entryAt: r.entry_at.toISOString(),
    entryLaneId: r.entry_lane_id,
    entryDeviceId: r.entry_device_id,
    entryConfidence: r.entry_confidence,
    exitAt: iso(r.exit_at),
    exitLaneId: r.exit_lane_id,
    exitDeviceId: r.exit_device_id,
    exitConfidence: r.exit_confidence,
    durationS: r.duration_s,
    closedBy: r.closed_by,
  };
}

function toExceptionView(r: ExceptionRow): ParkingExceptionView {
  return {
    id: r.id,
    kind: r.kind,
    reason: r.reason,
    direction: r.direction,
    plate: r.plate,
    rawPlate: r.raw_plate,
    laneId: r.lane_id,
    deviceId: r.device_id,
    confidence: r.confidence,
    sessionId: r.session_id,
    candidateSessionId: r.candidate_session_id,
    at: r.at.toISOString(),
  };
}
