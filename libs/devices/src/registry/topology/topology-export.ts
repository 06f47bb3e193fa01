/**
 * GET /topology's document from the rows, pure: the PUT shape without secrets, and compact — a
 * field at its default is left out (null references and overrides, `name` '', `config` {},
 * `maintenance` / `closed` false), so the export of a large airport stays small. PUT of the
 * export changes nothing (absent `maintenance` / `closed` keep the current value, which is false).
 */
import type { BayEntity } from '../entities/bay.entity';
import type { DeviceEntity } from '../entities/device.entity';
import type { FailoverGroupEntity } from '../entities/failover-group.entity';
import type { LaneEntity } from '../entities/lane.entity';
import type { ZoneEntity } from '../entities/zone.entity';
import type { RegistryTopologyExport } from './topology-document';

export function exportTopology(rows: {
  readonly zones: readonly ZoneEntity[];
  readonly lanes: readonly LaneEntity[];
  readonly bays: readonly BayEntity[];
  readonly devices: readonly DeviceEntity[];
  readonly failoverGroups: readonly FailoverGroupEntity[];
}): RegistryTopologyExport {
  return {
    zones: rows.zones.map((z) => ({ id: z.id, name: z.name, kind: z.kind, ...given('parentId', z.parentId), ...flag('closed', z.closed) })),
    lanes: rows.lanes.map((l) => ({ id: l.id, zoneId: l.zoneId, kind: l.kind, ...given('name', l.name === '' ? null : l.name) })),
    bays: rows.bays.map((b) => ({ id: b.id, zoneId: b.zoneId, ...given('cameraId', b.cameraId) })),
    devices: rows.devices.map((d) => ({
      id: d.id,
      type: d.type,
      ...given('name', d.name === '' ? null : d.name),
      ...given('zoneId', d.zoneId),
      ...given('laneId', d.laneId),
      ...given('parentId', d.parentId),
      ...given('heartbeatIntervalS', d.heartbeatIntervalS),
      ...given('missTolerance', d.missTolerance),
      ...flag('maintenance', d.maintenance),
      ...given('config', Object.keys(d.config).length === 0 ? null : d.config),
    })),
    failoverGroups: rows.failoverGroups.map((g) => ({
      id: g.id,
      zoneId: g.zoneId,
      members: g.members,
      failback: g.failback,
      ...given('fallbackCommand', g.fallbackCommand),
    })),
  };
}

function flag<K extends string>(key: K, value: boolean): { [P in K]?: true } {
  return (value ? { [key]: true } : {}) as { [P in K]?: true };
}

function given<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}
