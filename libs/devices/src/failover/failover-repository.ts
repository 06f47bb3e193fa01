import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FailoverGroupSpec, FallbackCommand } from './failover-policy';

export interface StoredGroup extends FailoverGroupSpec {
  readonly activeMember: string | null;
}

@Injectable()
export class FailoverRepository {
  constructor(private readonly db: DataSource) {}

  async load(): Promise<StoredGroup[]> {
    const rows: Array<{ id: string; zone_id: string; members: string[]; failback: 'AUTO' | 'MANUAL'; fallback_command: FallbackCommand | null; active_member: string | null }> =
      await this.db.query(`SELECT id, zone_id, members, failback, fallback_command, active_member FROM failover_groups ORDER BY id`);
    return rows.map((r) => ({
      id: r.id,
      zoneId: r.zone_id,
      members: r.members,
      failback: r.failback,
      fallbackCommand: r.fallback_command,
      activeMember: r.active_member,
    }));
  }

  async loadOne(id: string): Promise<StoredGroup | undefined> {
    return (await this.load()).find((g) => g.id === id);
  }

  async setActive(groupId: string, member: string | null): Promise<void> {
    await this.db.query(`UPDATE failover_groups SET active_member = $2, updated_at = now() WHERE id = $1`, [groupId, member]);
  }
}
