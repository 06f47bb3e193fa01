import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import type { CommandType } from '@landside/contracts';
import {
  changeFor,
  sourcesOf,
  type CommandChange,
  type CommandRecord,
  type CommandStatus,
  type LifecycleEvent,
} from './domain';

/** A command about to be inserted (QUEUED). */
export interface NewCommand {
  readonly id: string;
  readonly deviceId: string;
  readonly zoneId: string | null;
  readonly type: CommandType;
  readonly params: Readonly<Record<string, unknown>>;
  readonly issuedBy: string;
  readonly issuedRole: string;
  readonly sourceAddress: string | null;
  readonly idempotencyKey: string | null;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/** Extra conditions on a transition, beyond "the status is one the event may leave from". */
export interface TransitionGuard {
  /** Only this delivery attempt (a lost delivery must not requeue a later one). */
  readonly attempt?: number;
  /** Only a command of this device (a device completes only its own commands). */
  readonly deviceId?: string;
  /** Only while not expired at this instant (never send an expired command). */
  readonly notExpiredAt?: Date;
  /** Only once expired at this instant (an expiry never runs early). */
  readonly expiredBy?: Date;
}

export interface CommandListFilter {
  readonly deviceId?: string;
  readonly status?: CommandStatus;
  /** Zone scope; undefined = every zone, otherwise commands of devices in these zones only. */
  readonly zones?: readonly string[];
  /** Keyset: rows strictly after this (issued_at, id) in (issued_at DESC, id DESC) order. */
  readonly after?: { readonly issuedAt: Date; readonly id: string };
  readonly limit: number;
}

const COLUMNS = `id, device_id, zone_id, type, params, status, status_reason, issued_by, issued_role, source_address,
  idempotency_key, issued_at, expires_at, sent_at, delivered_at, completed_at, result_detail, attempts`;

interface CommandRow {
  id: string;
  device_id: string;
  zone_id: string | null;
  type: string;
  params: Record<string, unknown> | null;
  status: string;
  status_reason: string | null;
  issued_by: string;
  issued_role: string;
  source_address: string | null;
  idempotency_key: string | null;
  issued_at: Date;
  expires_at: Date;
  sent_at: Date | null;
  delivered_at: Date | null;
  completed_at: Date | null;
  result_detail: string | null;
  attempts: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The partial unique index on (issued_by, idempotency_key) of the control migration. */
export const IDEMPOTENCY_INDEX = 'commands_idempotency_idx';

/** Whether `error` is the unique violation of the idempotency index (a concurrent twin won). */
export function isIdempotencyViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError: unknown = error.driverError;
  if (typeof driverError !== 'object' || driverError === null) return false;
  const { code, constraint } = driverError as { code?: unknown; constraint?: unknown };
  return code === '23505' && (constraint === undefined || constraint === IDEMPOTENCY_INDEX);
}

/**
 * The `commands` table in plain SQL. Every status change is one conditional UPDATE whose WHERE
 * names the statuses the lifecycle event may leave from (`sourcesOf`), so of two concurrent
 * changes exactly one matches the row; the loser gets `undefined`.
 */
@Injectable()
export class CommandRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(id: string, manager: EntityManager = this.dataSource.manager): Promise<CommandRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = asRows(await manager.query(`SELECT ${COLUMNS} FROM commands WHERE id = $1`, [id]));
    return rows[0] && toRecord(rows[0]);
  }

  async findByIdempotencyKey(issuedBy: string, key: string, manager: EntityManager = this.dataSource.manager): Promise<CommandRecord | undefined> {
    const rows = asRows(
      await manager.query(`SELECT ${COLUMNS} FROM commands WHERE issued_by = $1 AND idempotency_key = $2`, [issuedBy, key]),
    );
    return rows[0] && toRecord(rows[0]);
  }

  async insert(manager: EntityManager, c: NewCommand): Promise<CommandRecord> {
    const rows = asRows(
      await manager.query(
        `INSERT INTO commands (id, device_id, zone_id, type, params, status, issued_by, issued_role, source_address,
           idempotency_key, issued_at, expires_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, 'QUEUED', $6, $7, $8, $9, $10, $11)
         RETURNING ${COLUMNS}`,
        [
          c.id,
          c.deviceId,
          c.zoneId,
          c.type,
          JSON.stringify(c.params),
          c.issuedBy,
          c.issuedRole,
          c.sourceAddress,
          c.idempotencyKey,
          c.issuedAt,
          c.expiresAt,
        ],
      ),
    );
    return toRecord(rows[0]!);
  }

  /** Persists one lifecycle event if the command is still where the event may leave from. */
  async transition(
    id: string,
    event: LifecycleEvent,
    now: Date,
    guard: TransitionGuard = {},
    manager: EntityManager = this.dataSource.manager,
  ): Promise<CommandRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const params: unknown[] = [id, [...sourcesOf(event.kind)]];
    const where = ['id = $1', 'status = ANY($2::text[])'];
    if (guard.attempt !== undefined) where.push(`attempts = $${params.push(guard.attempt)}`);
    if (guard.deviceId !== undefined) where.push(`device_id = $${params.push(guard.deviceId)}`);
    if (guard.notExpiredAt !== undefined) where.push(`expires_at > $${params.push(guard.notExpiredAt)}`);
    if (guard.expiredBy !== undefined) where.push(`expires_at <= $${params.push(guard.expiredBy)}`);
    const sets = setClause(changeFor(event, now), params);
    const rows = asRows(await manager.query(`UPDATE commands SET ${sets} WHERE ${where.join(' AND ')} RETURNING ${COLUMNS}`, params));
    return rows[0] && toRecord(rows[0]);
  }

  /**
   * SPEC §6: a newer DISPLAY_MESSAGE replaces the device's undelivered older ones (CANCELLED,
   * SUPERSEDED). Runs in the new command's transaction, after its insert.
   */
  async supersedeDisplayMessages(manager: EntityManager, newer: CommandRecord, now: Date): Promise<CommandRecord[]> {
    const event: LifecycleEvent = { kind: 'supersede', by: newer.id };
    const params: unknown[] = [newer.deviceId, newer.id, [...sourcesOf(event.kind)]];
    const sets = setClause(changeFor(event, now), params);
    const rows = asRows(
      await manager.query(
        `UPDATE commands SET ${sets}
         WHERE device_id = $1 AND type = 'DISPLAY_MESSAGE' AND id <> $2 AND status = ANY($3::text[])
         RETURNING ${COLUMNS}`,
        params,
      ),
    );
    return rows.map(toRecord).sort((a, b) => a.issuedAt.getTime() - b.issuedAt.getTime());
  }

  /** Serializes DISPLAY_MESSAGE issues per device for the rest of the transaction. */
  async lockDeviceForDisplay(manager: EntityManager, deviceId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`landside.commands.display:${deviceId}`]);
  }

  /** A device's QUEUED commands, oldest first (the delivery order). */
  async queuedFor(deviceId: string): Promise<CommandRecord[]> {
    const rows = asRows(
      await this.dataSource.query(
        `SELECT ${COLUMNS} FROM commands WHERE device_id = $1 AND status = 'QUEUED' ORDER BY issued_at, id`,
        [deviceId],
      ),
    );
    return rows.map(toRecord);
  }

  /** Every command not yet final (restart recovery). */
  async unfinished(): Promise<CommandRecord[]> {
    const rows = asRows(
      await this.dataSource.query(
        `SELECT ${COLUMNS} FROM commands WHERE status IN ('QUEUED', 'SENT', 'DELIVERED') ORDER BY issued_at, id`,
      ),
    );
    return rows.map(toRecord);
  }

  /** Newest first, keyset-paginated; `limit + 1` rows are asked for by the caller. */
  async list(filter: CommandListFilter): Promise<CommandRecord[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.deviceId !== undefined) where.push(`device_id = $${params.push(filter.deviceId)}`);
    if (filter.status !== undefined) where.push(`status = $${params.push(filter.status)}`);
    if (filter.zones !== undefined) where.push(`zone_id = ANY($${params.push([...filter.zones])}::text[])`);
    if (filter.after !== undefined) {
      const at = params.push(filter.after.issuedAt);
      const id = params.push(filter.after.id);
      where.push(`(issued_at, id) < ($${at}::timestamptz, $${id}::uuid)`);
    }
    const sql = `SELECT ${COLUMNS} FROM commands ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY issued_at DESC, id DESC LIMIT $${params.push(filter.limit)}`;
    return asRows(await this.dataSource.query(sql, params)).map(toRecord);
  }
}

function setClause(change: CommandChange, params: unknown[]): string {
  const sets = [`status = $${params.push(change.status)}`, `status_reason = $${params.push(change.statusReason)}`];
  if (change.sentAt !== undefined) sets.push(`sent_at = $${params.push(change.sentAt)}`);
  if (change.deliveredAt !== undefined) sets.push(`delivered_at = $${params.push(change.deliveredAt)}`);
  if (change.completedAt !== undefined) sets.push(`completed_at = $${params.push(change.completedAt)}`);
  if (change.resultDetail !== undefined) sets.push(`result_detail = $${params.push(change.resultDetail)}`);
  if (change.incrementAttempts === true) sets.push('attempts = attempts + 1');
  return sets.join(', ');
}

/**
 * TypeORM's postgres driver answers UPDATE/DELETE with `[rows, rowCount]` and everything else
 * with the rows; this takes the rows either way.
 */
function asRows(result: unknown): CommandRow[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as CommandRow[];
  }
  return result as CommandRow[];
}

function toRecord(row: CommandRow): CommandRecord {
  return {
    id: row.id,
    deviceId: row.device_id,
    zoneId: row.zone_id,
    type: row.type as CommandType,
    params: row.params ?? {},
    status: row.status as CommandStatus,
    statusReason: row.status_reason,
    issuedBy: row.issued_by,
    issuedRole: row.issued_role,
    sourceAddress: row.source_address,
    idempotencyKey: row.idempotency_key,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
    completedAt: row.completed_at,
    resultDetail: row.result_detail,
    attempts: row.attempts,
  };
}
