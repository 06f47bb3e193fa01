/**
 * Bus events of the registry (`noun.verb`), published after the change has committed, for every
 * create, update and delete whether it came over REST or PUT /topology. The device events carry
 * the device view itself (flat: `id`, `type`, `zoneId`, `parentId`, effective
 * `heartbeatIntervalS` / `missTolerance`, `maintenance`, ...), so the health tracker keeps its
 * per-device configuration current; group and zone events are flat views too (`id` first-level),
 * so the failover engine follows its groups and parking its zones.
 */
import type { DeviceView } from './views/device-view';
import type { FailoverGroupView } from './views/failover-group-view';
import type { ZoneView } from './views/zone-view';

export const REGISTRY_EVENT_CHANNELS = {
  deviceRegistered: 'device.registered',
  deviceUpdated: 'device.updated',
  deviceRemoved: 'device.removed',
  failoverGroupChanged: 'failover-group.changed',
  zoneChanged: 'zone.changed',
} as const;
export type RegistryChannel = (typeof REGISTRY_EVENT_CHANNELS)[keyof typeof REGISTRY_EVENT_CHANNELS];

/** `device.registered`: a device was created (REST POST /devices or a new device in a topology document). */
export type DeviceRegistered = DeviceView;

/** `device.updated`: the device's new view; `changed` names the view fields that differ. */
export interface DeviceUpdated extends DeviceView {
  readonly changed: ReadonlyArray<keyof DeviceView>;
}

/** `device.removed`: the device's last view. Its children lost their parent (each gets a `device.updated`). */
export type DeviceRemoved = DeviceView;

/** `failover-group.changed`: the group's view (flat, like the device events), and whether it is new. */
export interface FailoverGroupChanged extends FailoverGroupView {
  readonly created: boolean;
}

/** `zone.changed`: the zone's view (e.g. `closed` changed), and whether it is new. */
export interface ZoneChanged extends ZoneView {
  readonly created: boolean;
}

/** An event ready to publish: its channel and payload. */
export type RegistryEvent =
  | { readonly channel: 'device.registered'; readonly payload: DeviceRegistered }
  | { readonly channel: 'device.updated'; readonly payload: DeviceUpdated }
  | { readonly channel: 'device.removed'; readonly payload: DeviceRemoved }
  | { readonly channel: 'failover-group.changed'; readonly payload: FailoverGroupChanged }
  | { readonly channel: 'zone.changed'; readonly payload: ZoneChanged };
