import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What the command service needs to know about a device. */
export interface CommandTarget {
  readonly id: string;
  readonly type: string;
  readonly zoneId: string | null;
}

/**
 * Reads the device a command is for straight from `devices` (one indexed row): the registry
 * owns devices, the command service only needs their type and zone.
 */
@Injectable()
export class CommandTargets {
  constructor(private readonly dataSource: DataSource) {}

  async find(deviceId: string): Promise<CommandTarget | undefined> {
    const rows = (await this.dataSource.query(`SELECT id, type, zone_id FROM devices WHERE id = $1`, [deviceId])) as Array<{
      id: string;
      type: string;
      zone_id: string | null;
    }>;
    const row = rows[0];
    return row && { id: row.id, type: row.type, zoneId: row.zone_id };
  }
}
