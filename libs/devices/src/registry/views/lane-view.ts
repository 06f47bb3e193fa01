import type { LaneEntity } from '../entities/lane.entity';
import type { LaneKind } from '../registry-vocabulary';

export interface LaneView {
  readonly id: string;
  readonly zoneId: string;
  readonly kind: LaneKind;
  readonly name: string;
  readonly createdAt: string;
}

export function toLaneView(l: LaneEntity): LaneView {
  return { id: l.id, zoneId: l.zoneId, kind: l.kind, name: l.name, createdAt: l.createdAt.toISOString() };
}
