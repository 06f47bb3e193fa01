/** Pure domain core of taxi dispatch (SPEC §7): no Nest, no TypeORM, no I/O, no timers. See README.md. */
export * from './types';
export * from './errors';
export * from './config';
export * from './destinations';
export * from './taxi-directory';
export * from './decisions';
export * from './state';
export * from './stats';
export * from './stand';
