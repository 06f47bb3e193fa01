/** Loading registry rows for a topology apply or export, inside the caller's transaction. */
import type { EntityManager, ObjectLiteral, EntityTarget } from 'typeorm';
import { BayEntity } from '../entities/bay.entity';
import { DeviceEntity } from '../entities/device.entity';
import { FailoverGroupEntity } from '../entities/failover-group.entity';
import { LaneEntity } from '../entities/lane.entity';
import { ZoneEntity } from '../entities/zone.entity';
import type { CurrentRows } from './topology-plan';
import type { TopologySnapshot } from './topology-snapshot';

/** Rows by id with `id = ANY($ids)`: one parameter however many ids (IN (...) would need one each). */
export async function findByIds<E extends ObjectLiteral & { id: string }>(em: EntityManager, entity: EntityTarget<E>, ids: readonly string[]): Promise<E[]> {
  if (ids.length === 0) return [];
  return em.getRepository(entity).createQueryBuilder('e').where('e.id = ANY(:ids)', { ids: [...ids] }).orderBy('e.id', 'ASC').getMany();
}

async function all<E extends ObjectLiteral & { id: string }>(em: EntityManager, entity: EntityTarget<E>): Promise<E[]> {
  return em.getRepository(entity).createQueryBuilder('e').orderBy('e.id', 'ASC').getMany();
}

const byId = <E extends { id: string }>(rows: readonly E[]): Map<string, E> => new Map(rows.map((r) => [r.id, r]));

/** Every zone, lane, device and failover group, and the bays the document names. */
export async function loadCurrentRows(em: EntityManager, bayIds: readonly string[]): Promise<CurrentRows> {
  return {
    zones: byId(await all(em, ZoneEntity)),
    lanes: byId(await all(em, LaneEntity)),
    bays: byId(await findByIds(em, BayEntity, bayIds)),
    devices: byId(await all(em, DeviceEntity)),
    failoverGroups: byId(await all(em, FailoverGroupEntity)),
  };
}

export async function loadAllRows(em: EntityManager): Promise<{
  zones: ZoneEntity[];
  lanes: LaneEntity[];
  bays: BayEntity[];
  devices: DeviceEntity[];
  failoverGroups: FailoverGroupEntity[];
}> {
  return {
    zones: await all(em, ZoneEntity),
    lanes: await all(em, LaneEntity),
    bays: await all(em, BayEntity),
    devices: await all(em, DeviceEntity),
    failoverGroups: await all(em, FailoverGroupEntity),
  };
}

export function toSnapshot(rows: CurrentRows): TopologySnapshot {
  const map = <E, V>(m: ReadonlyMap<string, E>, f: (e: E) => V): Map<string, V> => new Map([...m].map(([id, e]) => [id, f(e)]));
  return {
    zones: map(rows.zones, (z) => ({ parentId: z.parentId })),
    lanes: map(rows.lanes, (l) => ({ zoneId: l.zoneId })),
    devices: map(rows.devices, (d) => ({ zoneId: d.zoneId, parentId: d.parentId, laneId: d.laneId })),
    failoverGroups: map(rows.failoverGroups, (g) => ({ zoneId: g.zoneId, members: g.members })),
  };
}
