import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { DeviceType } from '@landside/contracts';
import type { JsonObject } from '../json';
import type { DeviceState } from '../registry-vocabulary';

/**
 * The full `devices` row. The registry writes the configuration columns (type, name, topology,
 * health settings, maintenance, config, secret); the health tracker writes the state columns
 * (state, state_reason, state_since, flapping, last_seen_at). libs/auth maps a narrow slice of
 * the same table (DeviceCredentialEntity) for device login.
 */
@Entity({ name: 'devices' })
export class DeviceEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  type!: DeviceType;

  @Column({ type: 'text', default: '' })
  name!: string;

  @Column({ name: 'zone_id', type: 'text', nullable: true })
  zoneId!: string | null;

  @Column({ name: 'lane_id', type: 'text', nullable: true })
  laneId!: string | null;

  @Column({ name: 'parent_id', type: 'text', nullable: true })
  parentId!: string | null;

  /** Per-device override; null means the type's default. */
  @Column({ name: 'heartbeat_interval_s', type: 'integer', nullable: true })
  heartbeatIntervalS!: number | null;

  /** Per-device override; null means the type's default. */
  @Column({ name: 'miss_tolerance', type: 'integer', nullable: true })
  missTolerance!: number | null;

  @Column({ type: 'boolean', default: false })
  maintenance!: boolean;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  config!: JsonObject;

  @Column({ type: 'text', default: 'UNKNOWN' })
  state!: DeviceState;

  @Column({ name: 'state_reason', type: 'text', nullable: true })
  stateReason!: string | null;

  @Column({ name: 'state_since', type: 'timestamptz', nullable: true })
  stateSince!: Date | null;

  @Column({ type: 'boolean', default: false })
  flapping!: boolean;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  /** argon2id PHC string of the device secret; never leaves the registry. */
  @Column({ name: 'secret_hash', type: 'text' })
  secretHash!: string;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;

  /** Set by TypeORM on every save/update through the entity; bulk SQL sets it itself. */
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
