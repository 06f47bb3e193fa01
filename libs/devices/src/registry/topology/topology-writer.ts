/**
 * Bulk upserts of a topology plan: one `INSERT ... SELECT FROM unnest(...) ON CONFLICT (id) DO
 * UPDATE` per batch of rows (arrays as parameters: a few parameters per batch whatever its size),
 * so thousands of devices take a handful of statements. Only the configuration columns are
 * written: device state, failover `active_member` and timestamps of creation are not touched.
 */
import type { EntityManager } from 'typeorm';
import type { BayRow, DeviceRow, FailoverGroupRow, LaneRow, TopologyPlan, ZoneRow } from './topology-plan';

export const TOPOLOGY_BATCH_SIZE = 1000;

export async function writeTopology(em: EntityManager, plan: TopologyPlan): Promise<void> {
  // Referenced kinds first: zones (parents first), lanes, devices (parents first), bays, groups.
  await inBatches(plan.zones.write, (rows) => upsertZones(em, rows));
  await inBatches(plan.lanes.write, (rows) => upsertLanes(em, rows));
  await inBatches(plan.devices.write, (rows) => upsertDevices(em, rows));
  await inBatches(plan.bays.write, (rows) => upsertBays(em, rows));
  await inBatches(plan.failoverGroups.write, (rows) => upsertFailoverGroups(em, rows));
}

async function inBatches<R>(rows: readonly R[], write: (batch: readonly R[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < rows.length; i += TOPOLOGY_BATCH_SIZE) await write(rows.slice(i, i + TOPOLOGY_BATCH_SIZE));
}

async function upsertZones(em: EntityManager, rows: readonly ZoneRow[]): Promise<void> {
  await em.query(
    `INSERT INTO zones (id, name, kind, parent_id, closed)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[])
     ON CONFLICT (id) DO UPDATE SET
       name = EXCLUDED.name, kind = EXCLUDED.kind, parent_id = EXCLUDED.parent_id, closed = EXCLUDED.closed, updated_at = now()`,
    [rows.map((r) => r.id), rows.map((r) => r.name), rows.map((r) => r.kind), rows.map((r) => r.parentId), rows.map((r) => r.closed)],
  );
}

async function upsertLanes(em: EntityManager, rows: readonly LaneRow[]): Promise<void> {
  await em.query(
    `INSERT INTO lanes (id, zone_id, kind, name)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (id) DO UPDATE SET zone_id = EXCLUDED.zone_id, kind = EXCLUDED.kind, name = EXCLUDED.name`,
    [rows.map((r) => r.id), rows.map((r) => r.zoneId), rows.map((r) => r.kind), rows.map((r) => r.name)],
  );
}

async function upsertBays(em: EntityManager, rows: readonly BayRow[]): Promise<void> {
  await em.query(
    `INSERT INTO bays (id, zone_id, camera_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (id) DO UPDATE SET zone_id = EXCLUDED.zone_id, camera_id = EXCLUDED.camera_id`,
    [rows.map((r) => r.id), rows.map((r) => r.zoneId), rows.map((r) => r.cameraId)],
  );
}

async function upsertDevices(em: EntityManager, rows: readonly DeviceRow[]): Promise<void> {
  await em.query(
    `INSERT INTO devices (id, type, name, zone_id, lane_id, parent_id, heartbeat_interval_s, miss_tolerance, maintenance, config, secret_hash)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::integer[], $8::integer[],
                          $9::boolean[], $10::jsonb[], $11::text[])
     ON CONFLICT (id) DO UPDATE SET
       type = EXCLUDED.type, name = EXCLUDED.name, zone_id = EXCLUDED.zone_id, lane_id = EXCLUDED.lane_id,
       parent_id = EXCLUDED.parent_id, heartbeat_interval_s = EXCLUDED.heartbeat_interval_s,
       miss_tolerance = EXCLUDED.miss_tolerance, maintenance = EXCLUDED.maintenance, config = EXCLUDED.config,
       secret_hash = EXCLUDED.secret_hash, updated_at = now()`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.type),
      rows.map((r) => r.name),
      rows.map((r) => r.zoneId),
      rows.map((r) => r.laneId),
      rows.map((r) => r.parentId),
      rows.map((r) => r.heartbeatIntervalS),
      rows.map((r) => r.missTolerance),
      rows.map((r) => r.maintenance),
      rows.map((r) => JSON.stringify(r.config)),
      rows.map((r) => r.secretHash),
    ],
  );
}

async function upsertFailoverGroups(em: EntityManager, rows: readonly FailoverGroupRow[]): Promise<void> {
  await em.query(
    `INSERT INTO failover_groups (id, zone_id, members, failback, fallback_command)
     SELECT u.id, u.zone_id, ARRAY(SELECT jsonb_array_elements_text(u.members)), u.failback, u.fallback_command
       FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::jsonb[]) AS u(id, zone_id, members, failback, fallback_command)
     ON CONFLICT (id) DO UPDATE SET
       zone_id = EXCLUDED.zone_id, members = EXCLUDED.members, failback = EXCLUDED.failback,
       fallback_command = EXCLUDED.fallback_command,
       active_member = CASE WHEN failover_groups.active_member = ANY(EXCLUDED.members) THEN failover_groups.active_member END,
       updated_at = now()`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.zoneId),
      rows.map((r) => JSON.stringify(r.members)),
      rows.map((r) => r.failback),
      rows.map((r) => (r.fallbackCommand === null ? null : JSON.stringify(r.fallbackCommand))),
    ],
  );
}
