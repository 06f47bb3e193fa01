/** Pure domain of device commands (SPEC §6): no Nest, no TypeORM, no I/O, no timers. */
export * from './command-types';
export * from './command-lifecycle';
export * from './command';
