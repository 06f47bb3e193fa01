import type { DeviceType } from '@landside/contracts';
import { effectiveHealthSettings } from '../device-type-defaults';
import type { DeviceEntity } from '../entities/device.entity';
import type { JsonObject } from '../json';
import type { DeviceState } from '../registry-vocabulary';

/**
 * A device as the REST API shows it and the bus carries it (JSON-safe: dates are ISO strings).
 * `heartbeatIntervalS` and `missTolerance` are the effective values (override, else the type's
 * default); `healthOverrides` tells which were set on the device. Never the secret or its hash.
 */
export interface DeviceView {
  readonly id: string;
  readonly type: DeviceType;
  readonly name: string;
  readonly zoneId: string | null;
  readonly laneId: string | null;
  readonly parentId: string | null;
  readonly heartbeatIntervalS: number;
  readonly missTolerance: number;
  readonly healthOverrides: { readonly heartbeatIntervalS: number | null; readonly missTolerance: number | null };
  readonly maintenance: boolean;
  readonly config: JsonObject;
  readonly state: DeviceState;
  readonly stateReason: string | null;
  readonly stateSince: string | null;
  readonly flapping: boolean;
  readonly lastSeenAt: string | null;
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** POST /devices and POST /devices/{id}/secret: the plain secret, shown this once. */
export interface DeviceWithSecret extends DeviceView {
  readonly secret: string;
}

export function toDeviceView(d: DeviceEntity): DeviceView {
  const overrides = { heartbeatIntervalS: d.heartbeatIntervalS, missTolerance: d.missTolerance };
  const effective = effectiveHealthSettings(d.type, overrides);
  return {
    id: d.id,
    type: d.type,
    name: d.name,
    zoneId: d.zoneId,
    laneId: d.laneId,
    parentId: d.parentId,
    heartbeatIntervalS: effective.heartbeatIntervalS,
    missTolerance: effective.missTolerance,
    healthOverrides: overrides,
    maintenance: d.maintenance,
    config: d.config,
    state: d.state,
    stateReason: d.stateReason,
    stateSince: iso(d.stateSince),
    flapping: d.flapping,
    lastSeenAt: iso(d.lastSeenAt),
    disabled: d.disabled,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

export function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** The view fields that differ between two versions of a device (for `device.updated`). */
export function changedDeviceFields(before: DeviceView, after: DeviceView): Array<keyof DeviceView> {
  const keys: Array<keyof DeviceView> = [
    'type',
    'name',
    'zoneId',
    'laneId',
    'parentId',
    'heartbeatIntervalS',
    'missTolerance',
    'maintenance',
    'config',
    'disabled',
  ];
  return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}
