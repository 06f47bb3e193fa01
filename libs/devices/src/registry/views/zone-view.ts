import type { ZoneEntity } from '../entities/zone.entity';
import type { ZoneKind } from '../registry-vocabulary';

export interface ZoneView {
  readonly id: string;
  readonly name: string;
  readonly kind: ZoneKind;
  readonly parentId: string | null;
  readonly closed: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function toZoneView(z: ZoneEntity): ZoneView {
  return {
    id: z.id,
    name: z.name,
    kind: z.kind,
    parentId: z.parentId,
    closed: z.closed,
    createdAt: z.createdAt.toISOString(),
    updatedAt: z.updatedAt.toISOString(),
  };
}
