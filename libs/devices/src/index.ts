/** Public API of @landside/devices: the control service's modules (registry, health and alerts, commands). */
export * from './health';
export * from './failover';
export * from './commands';
export {
  RegistryModule,
  DeviceRegistry,
  REGISTRY_EVENT_CHANNELS,
  type DeviceView,
  type DeviceRegistered,
  type DeviceUpdated,
  type DeviceRemoved,
  type FailoverGroupChanged,
  type ZoneChanged,
} from './registry';
