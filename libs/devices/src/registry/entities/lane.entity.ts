import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LaneKind } from '../registry-vocabulary';

/** A traffic lane of a zone (entry/exit of a car park or taxi lot, a curb, a through lane). Table `lanes`. */
@Entity({ name: 'lanes' })
export class LaneEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'zone_id', type: 'text' })
  zoneId!: string;

  @Column({ type: 'text' })
  kind!: LaneKind;

  @Column({ type: 'text', default: '' })
  name!: string;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;
}
