import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ZoneKind } from '../registry-vocabulary';

/** A zone (SPEC §8): a car park, a level of it, a taxi stand or an area. Table `zones`. */
@Entity({ name: 'zones' })
export class ZoneEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: ZoneKind;

  @Column({ name: 'parent_id', type: 'text', nullable: true })
  parentId!: string | null;

  /** Operational flag: a closed zone's signs show CLOSED. */
  @Column({ type: 'boolean', default: false })
  closed!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
