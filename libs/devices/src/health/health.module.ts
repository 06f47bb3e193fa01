import { Module, type DynamicModule } from '@nestjs/common';
import { FailoverRepository } from '../failover';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';
import { HealthMonitor } from './health-monitor.service';
import { HealthMetrics } from './health.metrics';
import { HEALTH_OPTIONS, type HealthModuleOptions } from './health.options';
import { HealthRepository } from './health.repository';

/** Device health tracking and alerting: the adapter around the pure domain, alerts REST. */
@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions): DynamicModule {
    return {
      module: HealthModule,
      controllers: [AlertsController],
      providers: [{ provide: HEALTH_OPTIONS, useValue: options }, HealthRepository, FailoverRepository, HealthMetrics, HealthMonitor, AlertsService],
      exports: [HealthMonitor],
    };
  }
}
