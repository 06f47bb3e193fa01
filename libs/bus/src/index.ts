export * from './message-bus';
export * from './in-process-bus';
export * from './redis-bus';
export * from './bus.module';
export * from './keyed-serial';
