export * from './health.module';
export * from './health-monitor.service';
export * from './health.options';
export * from './health.topics';
