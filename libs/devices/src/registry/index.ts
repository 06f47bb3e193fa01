/** Public API of the device registry. */
export { RegistryModule } from './registry.module';
export { DeviceRegistry } from './device-registry';
export {
  REGISTRY_EVENT_CHANNELS,
  type RegistryChannel,
  type RegistryEvent,
  type DeviceRegistered,
  type DeviceUpdated,
  type DeviceRemoved,
  type FailoverGroupChanged,
  type ZoneChanged,
} from './registry-events';
export { DEVICE_TYPE_DEFAULTS, effectiveHealthSettings, type HealthSettings } from './device-type-defaults';
export type { DeviceView } from './views/device-view';
export type { FailoverGroupView } from './views/failover-group-view';
export type { ZoneView } from './views/zone-view';
export type { LaneView } from './views/lane-view';
export type { BayView } from './views/bay-view';
export * from './registry-vocabulary';
export * from './entities';
