import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DeviceState } from '../registry-vocabulary';

/** One state transition of a device (written by the health tracker; read here for history). */
@Entity({ name: 'device_transitions' })
export class DeviceTransitionEntity {
  /** bigserial: a string, as `pg` returns int8. */
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'device_id', type: 'text' })
  deviceId!: string;

  @Column({ name: 'from_state', type: 'text' })
  fromState!: DeviceState;

  @Column({ name: 'to_state', type: 'text' })
  toState!: DeviceState;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'boolean', default: false })
  flapping!: boolean;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
