import type { BayEntity } from '../entities/bay.entity';

export interface BayView {
  readonly id: string;
  readonly zoneId: string;
  readonly cameraId: string | null;
  readonly createdAt: string;
}

export function toBayView(b: BayEntity): BayView {
  return { id: b.id, zoneId: b.zoneId, cameraId: b.cameraId, createdAt: b.createdAt.toISOString() };
}
