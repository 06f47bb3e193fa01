import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '@landside/observability';
import type { Alert, Transition } from '../domain';

/**
 * Control-service health metrics (issue: devices by type and state, transitions, detection
 * latency, open alerts by kind and severity). Fleet gauges are computed at scrape time from the
 * tracker, so the hot path pays nothing for them.
 */
@Injectable()
export class HealthMetrics {
  readonly transitions: Counter<'to' | 'reason'>;
  readonly detectionLatency: Histogram<'reason'>;
  readonly writeFailures: Counter;
  readonly unknownDevice: Counter;
  private fleet: () => Array<{ type: string; state: string }> = () => [];
  private alerts: () => Alert[] = () => [];

  constructor(metrics: MetricsService) {
    this.transitions = metrics.counter({ name: 'landside_device_transitions_total', help: 'Device state transitions', labelNames: ['to', 'reason'] });
    this.detectionLatency = metrics.histogram({
      name: 'landside_detection_latency_seconds',
      help: 'From the instant a device became OFFLINE (its deadline) to the transition being committed and published',
      labelNames: ['reason'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    });
    this.writeFailures = metrics.counter({ name: 'landside_health_write_failures_total', help: 'Failed transition/alert batch writes' });
    this.unknownDevice = metrics.counter({ name: 'landside_health_unknown_device_total', help: 'Health inputs for device ids not in the registry' });
    const fleetOf = (): Array<{ type: string; state: string }> => this.fleet();
    const alertsOf = (): Alert[] => this.alerts();
    metrics.gauge({
      name: 'landside_devices',
      help: 'Devices by type and state',
      labelNames: ['type', 'state'],
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const d of fleetOf()) counts.set(`${d.type}\n${d.state}`, (counts.get(`${d.type}\n${d.state}`) ?? 0) + 1);
        for (const [key, n] of counts) {
          const [type, state] = key.split('\n') as [string, string];
          this.set({ type, state }, n);
        }
      },
    });
    metrics.gauge({
      name: 'landside_open_alerts',
      help: 'Open (not resolved) alerts by kind and severity',
      labelNames: ['kind', 'severity'],
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const a of alertsOf()) counts.set(`${a.kind}\n${a.severity}`, (counts.get(`${a.kind}\n${a.severity}`) ?? 0) + 1);
        for (const [key, n] of counts) {
          const [kind, severity] = key.split('\n') as [string, string];
          this.set({ kind, severity }, n);
        }
      },
    });
  }

  bindFleet(fleet: () => Array<{ type: string; state: string }>, alerts: () => Alert[]): void {
    this.fleet = fleet;
    this.alerts = alerts;
  }

  transition(t: Transition, _now: number): void {
    this.transitions.inc({ to: t.to, reason: t.reason });
  }
}
