/**
 * Thin Nest adapter: one global module giving every app the metrics registry, the JSON logger
 * (token LOGGER, plus PinoNestLogger for app.useLogger), readiness checks, and the /metrics and
 * /health endpoints. Apps keep those endpoints outside the /api prefix with
 * `app.setGlobalPrefix('api', { exclude: OBSERVABILITY_ROUTES })`.
 */
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import type { RouteInfo } from '@nestjs/common/interfaces';
import { HealthController, ReadinessChecks } from './health';
import { type AppLogger, type AppLogLevel, createLogger, PinoNestLogger } from './logger';
import { MetricsController } from './metrics.controller';
import { METRICS_OPTIONS, MetricsService, type MetricsOptions } from './metrics.service';

/** Injection token of the pino logger: `@Inject(LOGGER) log: AppLogger`. */
export const LOGGER = Symbol('LOGGER');

export interface ObservabilityModuleOptions extends MetricsOptions {
  readonly logLevel: AppLogLevel;
  /** Use this logger (e.g. the one main.ts created before Nest) instead of creating one. */
  readonly logger?: AppLogger;
}

/** The routes this module serves, for excluding them from the global `/api` prefix. */
export const OBSERVABILITY_ROUTES: RouteInfo[] = [
  { path: 'metrics', method: RequestMethod.GET },
  { path: 'health/live', method: RequestMethod.GET },
  { path: 'health/ready', method: RequestMethod.GET },
];

@Module({})
export class ObservabilityModule {
  static forRoot(opts: ObservabilityModuleOptions): DynamicModule {
    const logger = opts.logger ?? createLogger(opts.logLevel);
    return {
      module: ObservabilityModule,
      global: true,
      controllers: [MetricsController, HealthController],
      providers: [
        { provide: METRICS_OPTIONS, useValue: { defaultLabels: opts.defaultLabels } satisfies MetricsOptions },
        MetricsService,
        ReadinessChecks,
        { provide: LOGGER, useValue: logger },
        { provide: PinoNestLogger, useValue: new PinoNestLogger(logger) },
      ],
      exports: [MetricsService, ReadinessChecks, LOGGER, PinoNestLogger],
    };
  }
}
