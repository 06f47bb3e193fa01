/** Pure domain core of parking (SPEC §5b): no Nest, no TypeORM, no I/O, no timers. */
export * from './plate';
export * from './topology';
export * from './occupancy';
export * from './sign-debouncer';
export * from './sessions';
