/**
 * Loading the entities a write refers to, inside the write's transaction. A reference to an
 * entity that does not exist, or that the principal cannot see, is the same 400 naming the
 * field: a scoped principal learns nothing about other zones.
 */
import type { EntityManager } from 'typeorm';
import type { Principal } from '@landside/contracts';
import { DeviceEntity } from './entities/device.entity';
import { LaneEntity } from './entities/lane.entity';
import { ZoneEntity } from './entities/zone.entity';
import { invalidField, invalidReference, seesZone } from './zone-scope';

const MAX_DEPTH = 10_000;

export async function requireZone(em: EntityManager, principal: Principal, zoneId: string, field: string): Promise<ZoneEntity> {
  const zone = await em.getRepository(ZoneEntity).findOneBy({ id: zoneId });
  if (!zone || !seesZone(principal, zone.id)) throw invalidReference(field, 'zone', zoneId);
  return zone;
}

export async function requireDevice(em: EntityManager, principal: Principal, deviceId: string, field: string): Promise<DeviceEntity> {
  const device = await em.getRepository(DeviceEntity).findOneBy({ id: deviceId });
  if (!device || !seesZone(principal, device.zoneId)) throw invalidReference(field, 'device', deviceId);
  return device;
}

/** A lane that exists, is visible, and lies in the device's zone. */
export async function requireLaneInZone(em: EntityManager, principal: Principal, laneId: string, zoneId: string | null, field: string): Promise<LaneEntity> {
  const lane = await em.getRepository(LaneEntity).findOneBy({ id: laneId });
  if (!lane || !seesZone(principal, lane.zoneId)) throw invalidReference(field, 'lane', laneId);
  if (lane.zoneId !== zoneId) throw invalidField(field, `lane '${laneId}' is in zone '${lane.zoneId}', not '${zoneId ?? '(none)'}'`);
  return lane;
}

/**
 * Refuses making `parentId` the parent of `id` when `id` is already among `parentId`'s ancestors
 * (or is `parentId`): the chain from the new parent upwards must not reach `id`.
 */
export async function assertNoParentCycle(em: EntityManager, table: 'devices' | 'zones', id: string, parentId: string, field: string): Promise<void> {
  if (parentId === id) throw invalidField(field, `${field} '${parentId}' is the entity itself`);
  const rows: Array<{ id: string }> = await em.query(
    `WITH RECURSIVE up(id, parent_id, depth) AS (
       SELECT id, parent_id, 1 FROM ${table} WHERE id = $1
       UNION ALL
       SELECT t.id, t.parent_id, up.depth + 1 FROM ${table} t JOIN up ON t.id = up.parent_id WHERE up.depth < $2
     )
     SELECT id FROM up ORDER BY depth`,
    [parentId, MAX_DEPTH],
  );
  const chain = rows.map((r) => r.id);
  const at = chain.indexOf(id);
  if (at >= 0) throw invalidField(field, `parent cycle: ${[id, ...chain.slice(0, at + 1)].join(' -> ')}`);
}
