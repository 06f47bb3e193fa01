import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The append-only audit log (read side; rows are written with recordAudit from
 * @landside/persistence, in the transaction of the change they record). Table `audit_log`.
 */
@Entity({ name: 'audit_log' })
export class AuditLogEntity {
  /** bigserial: a string, as `pg` returns int8. */
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text' })
  role!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text', nullable: true })
  target!: string | null;

  @Column({ name: 'source_address', type: 'text', nullable: true })
  sourceAddress!: string | null;

  @Column({ type: 'text' })
  outcome!: string;

  @Column({ type: 'jsonb' })
  details!: Record<string, unknown>;
}
