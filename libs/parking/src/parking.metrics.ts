import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '@landside/observability';
import type { ZoneOccupancy } from './domain';

/**
 * Parking metrics. Bay counts per zone are computed at scrape time from the live occupancy
 * (`collect()`), so event handling pays nothing for them.
 */
@Injectable()
export class ParkingMetrics {
  /** Device events parking did not act on, by reason (unknown bay, another camera's bay, ...). */
  readonly ignored: Counter<'reason'>;
  /** Session events: SESSION_OPENED, SESSION_CLOSED, READ_FLAGGED, EXCEPTION. */
  readonly sessionEvents: Counter<'type'>;
  readonly signUpdates: Counter;
  readonly signRefusals: Counter;
  readonly writeFailures: Counter;
  readonly reloads: Counter<'trigger'>;
  private zones: () => readonly ZoneOccupancy[] = () => [];

  constructor(metrics: MetricsService) {
    this.ignored = metrics.counter({ name: 'landside_parking_events_ignored_total', help: 'Device events parking ignored, by reason', labelNames: ['reason'] });
    this.sessionEvents = metrics.counter({ name: 'landside_parking_session_events_total', help: 'Parking session events, by type', labelNames: ['type'] });
    this.signUpdates = metrics.counter({ name: 'landside_parking_sign_updates_total', help: 'DISPLAY_MESSAGE requests sent to guidance signs' });
    this.signRefusals = metrics.counter({ name: 'landside_parking_sign_refusals_total', help: 'Guidance sign DISPLAY_MESSAGE requests the command service refused' });
    this.writeFailures = metrics.counter({ name: 'landside_parking_write_failures_total', help: 'Failed parking batch writes (each attempt)' });
    this.reloads = metrics.counter({ name: 'landside_parking_topology_reloads_total', help: 'Parking topology reloads, by trigger', labelNames: ['trigger'] });
    const zonesOf = (): readonly ZoneOccupancy[] => this.zones();
    metrics.gauge({
      name: 'landside_parking_bays',
      help: 'Parking bays by zone (each zone counts its own bays and those of the zones below it) and state',
      labelNames: ['zone', 'state'],
      collect() {
        this.reset();
        for (const z of zonesOf()) {
          if (z.total === 0) continue;
          this.set({ zone: z.zoneId, state: 'occupied' }, z.occupied);
          this.set({ zone: z.zoneId, state: 'free' }, z.free);
          this.set({ zone: z.zoneId, state: 'unknown' }, z.unknown);
        }
      },
    });
  }

  bindZones(zones: () => readonly ZoneOccupancy[]): void {
    this.zones = zones;
  }
}
