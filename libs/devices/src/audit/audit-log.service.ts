import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DomainError, type Principal, decodeCursor, pageSize, toPage, type Page } from '@landside/contracts';
import { AuditLogEntity } from './audit-log.entity';
import type { AuditQueryDto } from './audit-query.dto';
import type { AuditView } from './audit-view';

interface AuditRow {
  id: string;
  at: Date;
  at_key: string;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  source_address: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

/** Microsecond-exact ISO text of a timestamptz: the cursor must not lose what a JS Date drops. */
export const TIMESTAMP_KEY_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/**
 * Reads the audit log, newest first, keyset-paginated on (at, id). A zone-scoped admin sees only
 * rows whose `details.zoneId` is one of their zones: a row about no zone (or about the whole
 * topology) is for unscoped admins.
 */
@Injectable()
export class AuditLogService {
  constructor(@InjectRepository(AuditLogEntity) private readonly rows: Repository<AuditLogEntity>) {}

  async list(principal: Principal, query: AuditQueryDto): Promise<Page<AuditView>> {
    const limit = pageSize(query);
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (query.actor !== undefined) where.push(`actor = ${param(query.actor)}`);
    if (query.action !== undefined) where.push(`action = ${param(query.action)}`);
    if (query.target !== undefined) where.push(`target = ${param(query.target)}`);
    if (query.outcome !== undefined) where.push(`outcome = ${param(query.outcome)}`);
    if (query.from !== undefined) where.push(`at >= ${param(query.from)}::timestamptz`);
    if (query.to !== undefined) where.push(`at < ${param(query.to)}::timestamptz`);
    if (principal.zones !== undefined) where.push(`details->>'zoneId' = ANY(${param([...principal.zones])}::text[])`);
    const cursor = decodeCursor(query.cursor);
    if (cursor !== undefined) {
      const [atKey, id] = cursor;
      if (typeof atKey !== 'string' || typeof id !== 'string' || !/^\d+$/.test(id) || Number.isNaN(Date.parse(atKey))) {
        throw new DomainError('invalid', 'cursor is not valid', { fields: { cursor: ['cursor is not valid'] } });
      }
      where.push(`(at, id) < (${param(atKey)}::timestamptz, ${param(id)}::bigint)`);
    }
    const rows: AuditRow[] = await this.rows.query(
      `SELECT id, at, to_char(at AT TIME ZONE 'UTC', ${TIMESTAMP_KEY_FORMAT}) AS at_key, actor, role, action, target,
              source_address, outcome, details
         FROM audit_log
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY at DESC, id DESC
        LIMIT ${param(limit + 1)}`,
      params,
    );
    const page = toPage(rows, limit, (r) => [r.at_key, r.id]);
    return { items: page.items.map(toAuditView), nextCursor: page.nextCursor };
  }
}

function toAuditView(r: AuditRow): AuditView {
  return {
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    role: r.role,
    action: r.action,
    target: r.target,
    sourceAddress: r.source_address,
    outcome: r.outcome,
    details: r.details,
  };
}
