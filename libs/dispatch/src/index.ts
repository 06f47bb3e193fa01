/** Public API of @landside/dispatch: the module (adapter around the pure domain) and the domain itself. */
export { DispatchModule } from './dispatch.module';
export { DispatchService, DISPATCH_SYSTEM, STATS_WINDOW_MIN, type DispatchActor, type CommittedStand } from './dispatch.service';
export { DispatchRepository } from './dispatch.repository';
export { DispatchMetrics } from './dispatch.metrics';
export { DISPATCH_OPTIONS, type DispatchModuleOptions } from './dispatch.options';
export { dispatchEvent, eventKind, type DispatchEvent, DISPATCH_TOPIC_PREFIX, DISPATCH_USER_QUEUE } from './dispatch.events';
export type * from './dispatch.views';
export * from './domain';
