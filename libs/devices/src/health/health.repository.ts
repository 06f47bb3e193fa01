import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DeviceType } from '@landside/contracts';
import { recordAudit, type AuditEntry } from '@landside/persistence';
import type { Alert, AlertKind, Severity, Suppression, Transition, TransitionReason } from '../domain';

/**
 * The health monitor's database side. The hot path never comes here: heartbeats live in memory.
 * What is written are state transitions and alert snapshots, in one transaction per batch, plus
 * a periodic `last_seen_at` flush.
 */
export interface DeviceRow {
  readonly id: string;
  readonly type: DeviceType;
  readonly zoneId: string | null;
  readonly parentId: string | null;
  readonly intervalS: number | null;
  readonly missTolerance: number | null;
  readonly maintenance: boolean;
}

interface AlertRow {
  id: string;
  device_id: string;
  kind: AlertKind;
  severity: Severity;
  state: Alert['status'];
  suppressed: boolean;
  suppressed_by: Suppression | null;
  message: string;
  reason: TransitionReason | null;
  occurrences: number;
  opened_at: Date;
  last_occurred_at: Date;
  escalated_at: Date | null;
  notified_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  ack_note: string | null;
}

const ms = (d: Date | null): number | undefined => (d ? d.getTime() : undefined);
const date = (n: number | undefined): Date | null => (n === undefined ? null : new Date(n));

@Injectable()
export class HealthRepository {
  constructor(private readonly db: DataSource) {}

  async loadDevices(): Promise<DeviceRow[]> {
    const rows: Array<{
      id: string;
      type: DeviceType;
      zone_id: string | null;
      parent_id: string | null;
      heartbeat_interval_s: number | null;
      miss_tolerance: number | null;
      maintenance: boolean;
    }> = await this.db.query(
      `SELECT id, type, zone_id, parent_id, heartbeat_interval_s, miss_tolerance, maintenance FROM devices WHERE NOT disabled ORDER BY id`,
    );
    return rows.map((r) => ({
      id: r.id,
      type: r.type,
      zoneId: r.zone_id,
      parentId: r.parent_id,
      intervalS: r.heartbeat_interval_s,
      missTolerance: r.miss_tolerance,
      maintenance: r.maintenance,
    }));
  }

  /**
   * After a restart every device starts UNKNOWN (SPEC §5): record that as a RESTART_GRACE
   * transition for devices whose stored state said otherwise, so history shows the gap.
   */
  async markRestart(at: number): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO device_transitions (device_id, from_state, to_state, reason, flapping, at)
         SELECT id, state, 'UNKNOWN', 'RESTART_GRACE', false, $1 FROM devices
          WHERE state NOT IN ('UNKNOWN', 'MAINTENANCE') AND NOT disabled`,
        [new Date(at)],
      );
      await m.query(
        `UPDATE devices SET state = 'UNKNOWN', state_reason = 'RESTART_GRACE', state_since = $1, flapping = false
          WHERE state NOT IN ('UNKNOWN', 'MAINTENANCE') AND NOT disabled`,
        [new Date(at)],
      );
    });
  }

  async loadOpenAlerts(): Promise<Alert[]> {
    const rows: AlertRow[] = await this.db.query(`SELECT * FROM alerts WHERE state <> 'RESOLVED'`);
    return rows.map((r) => ({
      id: r.id,
      deviceId: r.device_id,
      kind: r.kind,
      severity: r.severity,
      status: r.state,
      openedAt: r.opened_at.getTime(),
      lastOccurredAt: r.last_occurred_at.getTime(),
      occurrences: r.occurrences,
      reason: r.reason ?? undefined,
      detail: r.message || undefined,
      suppressed: r.suppressed,
      suppressedBy: r.suppressed_by ?? undefined,
      notified: r.notified_at !== null,
      notifiedAt: ms(r.notified_at),
      escalated: r.escalated_at !== null,
      escalatedAt: ms(r.escalated_at),
      acknowledgedBy: r.acknowledged_by ?? undefined,
      acknowledgedAt: ms(r.acknowledged_at),
      note: r.ack_note ?? undefined,
    }));
  }

  /** One batch: transitions (and the devices' current state) and alert snapshots, atomically. */
  async persist(transitions: readonly Transition[], alerts: readonly Alert[], zoneOf: (id: string) => string | null, audit: readonly AuditEntry[] = []): Promise<void> {
    if (transitions.length === 0 && alerts.length === 0 && audit.length === 0) return;
    await this.db.transaction(async (m) => {
      if (transitions.length > 0) await this.writeTransitions(m, transitions);
      // Resolutions first: a batch may resolve a (device, kind)'s alert and open its next one, and
      // the partial unique index (one open alert per device and kind) checks row by row.
      const resolved = alerts.filter((a) => a.status === 'RESOLVED');
      const open = alerts.filter((a) => a.status !== 'RESOLVED');
      if (resolved.length > 0) await this.writeAlerts(m, resolved, zoneOf);
      if (open.length > 0) await this.writeAlerts(m, open, zoneOf);
      for (const entry of audit) await recordAudit(m, entry);
    });
  }

  private async writeTransitions(m: EntityManager, transitions: readonly Transition[]): Promise<void> {
    await m.query(
      `INSERT INTO device_transitions (device_id, from_state, to_state, reason, flapping, at)
       SELECT v.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::timestamptz[])
                AS v(device_id, from_state, to_state, reason, flapping, at)
        WHERE EXISTS (SELECT 1 FROM devices d WHERE d.id = v.device_id)`,
      [
        transitions.map((t) => t.deviceId),
        transitions.map((t) => t.from),
        transitions.map((t) => t.to),
        transitions.map((t) => t.reason),
        transitions.map((t) => t.flapping),
        transitions.map((t) => new Date(t.at)),
      ],
    );
    const latest = new Map<string, Transition>();
    for (const t of transitions) latest.set(t.deviceId, t);
    const last = [...latest.values()];
    await m.query(
      `UPDATE devices d SET state = v.state, state_reason = v.reason, state_since = v.at, flapping = v.flapping, updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::boolean[]) AS v(id, state, reason, at, flapping)
        WHERE d.id = v.id`,
      [last.map((t) => t.deviceId), last.map((t) => t.to), last.map((t) => t.reason), last.map((t) => new Date(t.at)), last.map((t) => t.flapping)],
    );
  }

  /**
   * Many alerts in one statement (one snapshot per alert id: the monitor keeps the latest of a
   * batch). A statement per alert made a burst of alerts — 500 devices falling at once — wait one
   * database round trip per alert before anything was published (bench/RESULTS.md, fan-out).
   */
  private async writeAlerts(m: EntityManager, alerts: readonly Alert[], zoneOf: (id: string) => string | null): Promise<void> {
    const col = <T>(f: (a: Alert) => T): T[] => alerts.map(f);
    await m.query(
      `INSERT INTO alerts (id, device_id, zone_id, kind, severity, state, suppressed, suppressed_by, message, reason, occurrences,
                           opened_at, last_occurred_at, escalated_at, notified_at, acknowledged_by, acknowledged_at, ack_note,
                           resolved_by, resolved_at, resolution)
       SELECT v.* FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[],
                              $9::text[], $10::text[], $11::integer[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[],
                              $15::timestamptz[], $16::text[], $17::timestamptz[], $18::text[], $19::text[], $20::timestamptz[], $21::text[])
              AS v(id, device_id, zone_id, kind, severity, state, suppressed, suppressed_by, message, reason, occurrences,
                   opened_at, last_occurred_at, escalated_at, notified_at, acknowledged_by, acknowledged_at, ack_note,
                   resolved_by, resolved_at, resolution)
        WHERE EXISTS (SELECT 1 FROM devices d WHERE d.id = v.device_id)
       ON CONFLICT (id) DO UPDATE SET
         severity = EXCLUDED.severity, state = EXCLUDED.state, suppressed = EXCLUDED.suppressed,
         suppressed_by = EXCLUDED.suppressed_by, message = EXCLUDED.message, occurrences = EXCLUDED.occurrences,
         last_occurred_at = EXCLUDED.last_occurred_at, escalated_at = EXCLUDED.escalated_at, notified_at = EXCLUDED.notified_at,
         acknowledged_by = EXCLUDED.acknowledged_by, acknowledged_at = EXCLUDED.acknowledged_at, ack_note = EXCLUDED.ack_note,
         resolved_by = EXCLUDED.resolved_by, resolved_at = EXCLUDED.resolved_at, resolution = EXCLUDED.resolution`,
      [
        col((a) => a.id),
        col((a) => a.deviceId),
        col((a) => zoneOf(a.deviceId)),
        col((a) => a.kind),
        col((a) => a.severity),
        col((a) => a.status),
        col((a) => a.suppressed),
        col((a) => a.suppressedBy ?? null),
        col((a) => a.detail ?? ''),
        col((a) => a.reason ?? null),
        col((a) => a.occurrences),
        col((a) => new Date(a.openedAt)),
        col((a) => new Date(a.lastOccurredAt)),
        col((a) => date(a.escalatedAt)),
        col((a) => date(a.notifiedAt)),
        col((a) => a.acknowledgedBy ?? null),
        col((a) => date(a.acknowledgedAt)),
        col((a) => a.note ?? null),
        col((a) => a.resolvedBy ?? null),
        col((a) => date(a.resolvedAt)),
        col((a) => a.resolution ?? null),
      ],
    );
  }

  /** `last_seen_at` for many devices in one statement (flushed periodically, never per heartbeat). */
  async flushLastSeen(seen: ReadonlyMap<string, number>): Promise<void> {
    if (seen.size === 0) return;
    const ids = [...seen.keys()];
    await this.db.query(
      `UPDATE devices d SET last_seen_at = v.at FROM unnest($1::text[], $2::timestamptz[]) AS v(id, at)
        WHERE d.id = v.id AND (d.last_seen_at IS NULL OR d.last_seen_at < v.at)`,
      [ids, ids.map((id) => new Date(seen.get(id)!))],
    );
  }
}
