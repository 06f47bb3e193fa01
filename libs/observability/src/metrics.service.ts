/**
 * The Prometheus registry of one app instance and the gateway's own metrics. Each MetricsService
 * owns a fresh Registry (never prom-client's global one), so several apps in one process (tests)
 * do not collide. Other libs add their metrics to the same registry with counter()/gauge()/
 * histogram() (idempotent by name) or through `registry`.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';
import { CounterTally } from './counter-tally';

export interface MetricsOptions {
  /** Labels added to every series (e.g. `{ app: 'gateway' }`). */
  readonly defaultLabels?: Readonly<Record<string, string>>;
}

export const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');

type Config<C> = Omit<C, 'registers'>;

@Injectable()
export class MetricsService {
  private readonly reg = new Registry();

  /** Open STOMP connections by transport (ws, sockjs, tcp) and principal role. */
  readonly stompConnections: Gauge<'transport' | 'role'>;
  readonly stompFramesIn: Counter<'command'>;
  readonly stompFramesOut: Counter<'command'>;
  /** Where the gateway counts frames, by command: added to stompFramesIn/Out when they are read. */
  readonly stompFramesInTally = new CounterTally('command');
  readonly stompFramesOutTally = new CounterTally('command');
  /** ERROR frames sent, by `error-code`. */
  readonly stompErrors: Counter<'code'>;
  readonly authFailures: Counter<'reason'>;
  readonly stompSessionDuration: Histogram<'transport'>;

  constructor(@Optional() @Inject(METRICS_OPTIONS) options?: MetricsOptions) {
    if (options?.defaultLabels !== undefined) this.reg.setDefaultLabels({ ...options.defaultLabels });
    // process CPU/memory/fds, heap, GC, event-loop lag and its percentiles
    collectDefaultMetrics({ register: this.reg });

    this.stompConnections = this.gauge({
      name: 'landside_stomp_connections',
      help: 'Open STOMP connections',
      labelNames: ['transport', 'role'],
    });
    this.stompFramesIn = this.talliedCounter(this.stompFramesInTally, {
      name: 'landside_stomp_frames_in_total',
      help: 'STOMP frames received, by command',
      labelNames: ['command'],
    });
    this.stompFramesOut = this.talliedCounter(this.stompFramesOutTally, {
      name: 'landside_stomp_frames_out_total',
      help: 'STOMP frames sent, by command',
      labelNames: ['command'],
    });
    this.stompErrors = this.counter({
      name: 'landside_stomp_errors_total',
      help: 'STOMP ERROR frames sent, by error-code',
      labelNames: ['code'],
    });
    this.authFailures = this.counter({
      name: 'landside_auth_failures_total',
      help: 'Authentication failures, by reason',
      labelNames: ['reason'],
    });
    this.stompSessionDuration = this.histogram({
      name: 'landside_stomp_session_duration_seconds',
      help: 'Duration of closed STOMP sessions',
      labelNames: ['transport'],
      buckets: [1, 10, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600],
    });
  }

  get registry(): Registry {
    return this.reg;
  }

  /** Prometheus text exposition of every metric. */
  metrics(): Promise<string> {
    return this.reg.metrics();
  }

  get contentType(): string {
    return this.reg.contentType;
  }

  counter<L extends string = string>(config: Config<CounterConfiguration<L>>): Counter<L> {
    return this.existing(config.name, Counter) ?? new Counter<L>({ ...config, registers: [this.reg] });
  }

  gauge<L extends string = string>(config: Config<GaugeConfiguration<L>>): Gauge<L> {
    return this.existing(config.name, Gauge) ?? new Gauge<L>({ ...config, registers: [this.reg] });
  }

  histogram<L extends string = string>(config: Config<HistogramConfiguration<L>>): Histogram<L> {
    return this.existing(config.name, Histogram) ?? new Histogram<L>({ ...config, registers: [this.reg] });
  }

  /** A counter that takes in the tally's counts whenever it is collected. */
  private talliedCounter<L extends string>(tally: CounterTally<L>, config: Config<CounterConfiguration<L>>): Counter<L> {
    return this.counter({
      ...config,
      collect() {
        tally.flushInto(this);
      },
    });
  }

  private existing<M>(name: string, type: abstract new (...args: never[]) => M): M | undefined {
    const found = this.reg.getSingleMetric(name);
    if (found === undefined) return undefined;
    if (!(found instanceof type)) throw new Error(`metric ${name} is already registered with another type`);
    return found;
  }
}
