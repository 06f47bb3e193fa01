/** Pure domain core of device health and alerting (SPEC §5): no Nest, no TypeORM, no I/O, no timers. */
export * from './health-state';
export * from './deadline-wheel';
export * from './device-directory';
export * from './health-tracker';
export * from './alert';
export * from './alert-severity';
export * from './alert-engine';
