import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { FailbackMode, FallbackCommand } from '../registry-vocabulary';

/**
 * A failover group (SPEC §5): members in priority order within one zone. The registry writes the
 * policy; `active_member` is the failover engine's.
 */
@Entity({ name: 'failover_groups' })
export class FailoverGroupEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'zone_id', type: 'text' })
  zoneId!: string;

  @Column({ type: 'text', array: true })
  members!: string[];

  @Column({ type: 'text', default: 'MANUAL' })
  failback!: FailbackMode;

  @Column({ name: 'fallback_command', type: 'jsonb', nullable: true })
  fallbackCommand!: FallbackCommand | null;

  @Column({ name: 'active_member', type: 'text', nullable: true })
  activeMember!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
