import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A parking bay and the guidance camera watching it. Table `bays`. */
@Entity({ name: 'bays' })
export class BayEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'zone_id', type: 'text' })
  zoneId!: string;

  /** A device id (no foreign key in the schema; the registry checks it exists). */
  @Column({ name: 'camera_id', type: 'text', nullable: true })
  cameraId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;
}
