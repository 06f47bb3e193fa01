/** Public API of @landside/devices: the control service's modules (registry, health and alerts, commands). */
export * from './health';
export * from './failover';
export * from './commands';
