import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { principalSeesZone } from '@landside/auth';
import { DomainError, type DeviceType, type Principal, decodeCursor, pageSize, toPage, type Page, type PageQueryDto } from '@landside/contracts';
import { HealthMonitor } from './health-monitor.service';
import type { AlertView } from './health.topics';

interface AlertRow {
  id: string;
  device_id: string;
  device_type: DeviceType | null;
  zone_id: string | null;
  kind: string;
  severity: string;
  state: string;
  suppressed: boolean;
  suppressed_by: string | null;
  reason: string | null;
  message: string;
  occurrences: number;
  opened_at: Date;
  last_occurred_at: Date;
  escalated_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  ack_note: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: string | null;
}

const iso = (d: Date | null): string | undefined => (d ? d.toISOString() : undefined);

/**
 * Reads come from the database (what operators see is what is stored); acknowledge and resolve
 * go through the alert engine, which persists, audits and publishes before answering.
 */
@Injectable()
export class AlertsService {
  constructor(
    private readonly db: DataSource,
    private readonly monitor: HealthMonitor,
  ) {}

  async list(query: PageQueryDto & { state?: string; deviceId?: string }, principal: Principal): Promise<Page<AlertView>> {
    const limit = pageSize(query);
    const cursor = decodeCursor(query.cursor);
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.state) add('a.state = ?', query.state);
    if (query.deviceId) add('a.device_id = ?', query.deviceId);
    if (principal.zones) add('a.zone_id = ANY(?)', [...principal.zones]);
    if (cursor) {
      params.push(new Date(String(cursor[0])), String(cursor[1]));
      where.push(`(a.opened_at, a.id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit + 1);
    const rows: AlertRow[] = await this.db.query(
      `SELECT a.*, d.type AS device_type FROM alerts a LEFT JOIN devices d ON d.id = a.device_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY a.opened_at DESC, a.id DESC LIMIT $${params.length}`,
      params,
    );
    return toPage(rows.map(view), limit, (a) => [a.openedAt, a.id]);
  }

  async acknowledge(id: string, note: string, principal: Principal, sourceAddress?: string): Promise<AlertView> {
    await this.visible(id, principal);
    await this.monitor.acknowledge(id, principal, note, sourceAddress);
    return this.get(id);
  }

  async resolve(id: string, principal: Principal, sourceAddress?: string): Promise<AlertView> {
    await this.visible(id, principal);
    await this.monitor.resolve(id, principal, sourceAddress);
    return this.get(id);
  }

  private async get(id: string): Promise<AlertView> {
    const rows: AlertRow[] = await this.db.query(
      `SELECT a.*, d.type AS device_type FROM alerts a LEFT JOIN devices d ON d.id = a.device_id WHERE a.id = $1`,
      [id],
    );
    if (!rows[0]) throw new DomainError('not-found', `no alert ${id}`);
    return view(rows[0]);
  }

  /** Outside the principal's zones an alert does not exist (404, not 403). */
  private async visible(id: string, principal: Principal): Promise<void> {
    const alert = await this.get(id);
    if (!principalSeesZone(principal, alert.zoneId)) throw new DomainError('not-found', `no alert ${id}`);
  }
}

function view(r: AlertRow): AlertView {
  return {
    id: r.id,
    deviceId: r.device_id,
    deviceType: r.device_type ?? undefined,
    zoneId: r.zone_id ?? undefined,
    kind: r.kind,
    severity: r.severity,
    state: r.state,
    suppressed: r.suppressed,
    suppressedBy: r.suppressed_by ?? undefined,
    reason: r.reason ?? undefined,
    detail: r.message || undefined,
    occurrences: r.occurrences,
    openedAt: r.opened_at.toISOString(),
    lastOccurredAt: r.last_occurred_at.toISOString(),
    escalatedAt: iso(r.escalated_at),
    acknowledgedBy: r.acknowledged_by ?? undefined,
    acknowledgedAt: iso(r.acknowledged_at),
    note: r.ack_note ?? undefined,
    resolvedAt: iso(r.resolved_at),
    resolvedBy: r.resolved_by ?? undefined,
    resolution: r.resolution ?? undefined,
  };
}
