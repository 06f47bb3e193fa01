/** Public API of @landside/observability: Prometheus metrics, health endpoints, JSON logging. */
export { MetricsService, METRICS_OPTIONS } from './metrics.service';
export { CounterTally } from './counter-tally';
export type { MetricsOptions } from './metrics.service';
export { MetricsController } from './metrics.controller';
export { HealthController, ReadinessChecks, checkReadiness, READINESS_TIMEOUT_MS } from './health';
export type { ReadinessCheck, ReadinessReport } from './health';
export { createLogger, redactUrl, scrubSecrets, PinoNestLogger, REDACT_PATHS, REDACTED } from './logger';
export type { AppLogger, AppLogLevel } from './logger';
export { ObservabilityModule, LOGGER, OBSERVABILITY_ROUTES } from './observability.module';
export type { ObservabilityModuleOptions } from './observability.module';
