import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '@landside/observability';
import { waitStats, type StandState } from './domain';

/** What the gauges read: each stand as this process last committed or read it. */
export interface StandFigures {
  readonly zoneId: string;
  readonly state: StandState;
  readonly queues: ReadonlyArray<{ readonly queue: string; readonly vehicleClass: string; readonly lot: number; readonly passengers: number }>;
  readonly counts: { readonly lot: number; readonly curb: number };
  readonly noShows: { readonly TAXI: number; readonly PASSENGER: number };
}

/** Window of the wait quantiles (the same as `GET /api/dispatch/zones/{id}`). */
const WAIT_WINDOW_MS = 15 * 60_000;

/**
 * Dispatch metrics (SPEC §7: the figures of `GET /api/dispatch/zones/{id}`). Gauges are computed
 * at scrape time from the latest snapshot of each stand this process holds (its own commits, and
 * every stand re-read each refresh interval), so the totals are the stand's own — with several
 * dispatch processes, aggregate them with max(), not sum().
 */
@Injectable()
export class DispatchMetrics {
  /** Stand decisions committed by this process, by type. */
  readonly decisions: Counter<'type'>;
  /** Camera reads and inputs dispatch did not act on, by reason. */
  readonly ignored: Counter<'reason'>;
  /** Inputs the database refused because they would have matched a taxi or a ticket twice. */
  readonly doubleAssignmentsRefused: Counter<'zone'>;
  private stands: () => readonly StandFigures[] = () => [];
  private clock: () => number = Date.now;

  constructor(metrics: MetricsService) {
    this.decisions = metrics.counter({ name: 'landside_dispatch_decisions_total', help: 'Dispatch decisions committed by this process, by type', labelNames: ['type'] });
    this.ignored = metrics.counter({ name: 'landside_dispatch_inputs_ignored_total', help: 'Dispatch inputs not acted on, by reason', labelNames: ['reason'] });
    this.doubleAssignmentsRefused = metrics.counter({
      name: 'landside_dispatch_double_assignments_refused_total',
      help: 'Inputs refused by the database because a taxi or ticket already had an active match',
      labelNames: ['zone'],
    });
    const stands = (): readonly StandFigures[] => this.stands();
    const now = (): number => this.clock();
    metrics.gauge({
      name: 'landside_dispatch_queue_length',
      help: 'Passengers waiting, per stand, queue (region, ALL or NEAR) and vehicle class',
      labelNames: ['zone', 'queue', 'class'],
      collect() {
        this.reset();
        for (const s of stands()) for (const q of s.queues) this.set({ zone: s.zoneId, queue: q.queue, class: q.vehicleClass }, q.passengers);
      },
    });
    metrics.gauge({
      name: 'landside_dispatch_taxi_queue_length',
      help: 'Taxis waiting in the holding lot, per stand, queue and vehicle class',
      labelNames: ['zone', 'queue', 'class'],
      collect() {
        this.reset();
        for (const s of stands()) for (const q of s.queues) this.set({ zone: s.zoneId, queue: q.queue, class: q.vehicleClass }, q.lot);
      },
    });
    metrics.gauge({
      name: 'landside_dispatch_lot_taxis',
      help: 'Taxis in the holding lot, per stand',
      labelNames: ['zone'],
      collect() {
        this.reset();
        for (const s of stands()) this.set({ zone: s.zoneId }, s.counts.lot);
      },
    });
    metrics.gauge({
      name: 'landside_dispatch_curb_taxis',
      help: 'Taxis called or at the curb, not yet matched, per stand',
      labelNames: ['zone'],
      collect() {
        this.reset();
        for (const s of stands()) this.set({ zone: s.zoneId }, s.counts.curb);
      },
    });
    metrics.gauge({
      name: 'landside_dispatch_wait_seconds',
      help: 'Passenger wait (ticket to match) of those picked up in the last 15 minutes, by quantile',
      labelNames: ['zone', 'quantile'],
      collect() {
        this.reset();
        const at = now();
        for (const s of stands()) {
          const w = waitStats(s.state.waits, at, WAIT_WINDOW_MS);
          if (w.p50Ms !== undefined) this.set({ zone: s.zoneId, quantile: '0.5' }, w.p50Ms / 1000);
          if (w.p95Ms !== undefined) this.set({ zone: s.zoneId, quantile: '0.95' }, w.p95Ms / 1000);
        }
      },
    });
    metrics.gauge({
      name: 'landside_dispatch_matches_total',
      help: 'Matches made at the stand since it was created (the stand\'s own counter)',
      labelNames: ['zone'],
      collect() {
        this.reset();
        for (const s of stands()) this.set({ zone: s.zoneId }, s.state.counters.match);
      },
    });
    metrics.gauge({
      name: 'landside_dispatch_no_shows_total',
      help: 'Matches released for a no-show at the stand since it was created, by the side that did not show',
      labelNames: ['zone', 'side'],
      collect() {
        this.reset();
        for (const s of stands()) {
          this.set({ zone: s.zoneId, side: 'TAXI' }, s.noShows.TAXI);
          this.set({ zone: s.zoneId, side: 'PASSENGER' }, s.noShows.PASSENGER);
        }
      },
    });
  }

  bindStands(stands: () => readonly StandFigures[], clock: () => number): void {
    this.stands = stands;
    this.clock = clock;
  }
}
