import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DeviceType } from '@landside/contracts';

/**
 * The slice of the `devices` table that device authentication needs. The control service owns
 * the rest of the row (name, topology, health settings) and maps it with its own entity; keeping
 * this one narrow means auth never writes, or depends on, columns it does not understand.
 */
@Entity({ name: 'devices' })
export class DeviceCredentialEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  type!: DeviceType;

  @Column({ name: 'zone_id', type: 'text', nullable: true })
  zoneId!: string | null;

  /** argon2id PHC string of the device secret. */
  @Column({ name: 'secret_hash', type: 'text' })
  secretHash!: string;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;
}
