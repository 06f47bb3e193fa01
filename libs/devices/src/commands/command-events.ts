import { Injectable, Logger } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MessageBus } from '@landside/bus';
import { MetricsService } from '@landside/observability';
import { isFinal, toCommandView, type CommandRecord, type CommandView, type LifecycleEventKind } from './domain';
import { CommandTopic } from './ports';

/** Bus channels of the commands module (`noun.verb`). */
export const COMMAND_CHANNELS = {
  /** A command is QUEUED (new or back from a lost delivery): the node holding the device delivers it. */
  dispatch: 'command.dispatch',
} as const;

export interface CommandDispatchRequested {
  readonly commandId: string;
  readonly deviceId: string;
  /** Epoch ms: every node arms the expiry, so it fires even if the issuing node is gone. */
  readonly expiresAt: number;
}

/** The `/topic/commands` event (SPEC §4: each event names its kind, the entity, and `at`). */
export interface CommandStatusChanged {
  readonly kind: 'command.status-changed';
  readonly command: CommandView;
  readonly at: string;
}

export type CommandStep = 'queued-to-sent' | 'sent-to-delivered' | 'delivered-to-completed';

/**
 * Everything said about a command after its change is persisted: the `/topic/commands` event
 * (zone-scoped), the metrics, and the bus request to deliver it. Publishing never fails the
 * caller: the change is already committed, and a watcher that missed the event reads the REST API.
 */
@Injectable()
export class CommandEvents {
  private readonly logger = new Logger('Commands');
  private readonly total: Counter<'type' | 'status'>;
  private readonly steps: Histogram<'step'>;

  constructor(
    private readonly topic: CommandTopic,
    private readonly bus: MessageBus,
    metrics: MetricsService,
  ) {
    this.total = metrics.counter({
      name: 'landside_commands_total',
      help: 'Commands that reached a final status, by type and status',
      labelNames: ['type', 'status'],
    });
    this.steps = metrics.histogram({
      name: 'landside_command_step_seconds',
      help: 'Time a command spent in each lifecycle step',
      labelNames: ['step'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    });
  }

  /** A command was created or changed status by `cause` (already persisted). */
  async changed(c: CommandRecord, cause: LifecycleEventKind | 'created'): Promise<void> {
    this.observe(c, cause);
    const event: CommandStatusChanged = { kind: 'command.status-changed', command: toCommandView(c), at: new Date().toISOString() };
    try {
      // '' is no zone's id (zones.id is never empty): zone-scoped watchers do not see zoneless devices.
      await this.topic.publish({ payload: event, zoneId: c.zoneId ?? '', conflationKey: `command:${c.id}` });
    } catch (error) {
      this.logger.error(`status event for command ${c.id} (${c.status}) not published: ${String(error)}`);
    }
  }

  /** Asks every node to deliver the device's queued commands. */
  async dispatch(c: CommandRecord): Promise<void> {
    const request: CommandDispatchRequested = { commandId: c.id, deviceId: c.deviceId, expiresAt: c.expiresAt.getTime() };
    try {
      await this.bus.publish(COMMAND_CHANNELS.dispatch, request);
    } catch (error) {
      // Still QUEUED: delivered when the device next subscribes, or expired by its timer.
      this.logger.error(`dispatch of command ${c.id} not published: ${String(error)}`);
    }
  }

  private observe(c: CommandRecord, cause: LifecycleEventKind | 'created'): void {
    if (isFinal(c.status)) this.total.inc({ type: c.type, status: c.status });
    if (cause === 'send' && c.attempts === 1 && c.sentAt !== null) this.step('queued-to-sent', c.issuedAt, c.sentAt);
    if (cause === 'ack' && c.sentAt !== null && c.deliveredAt !== null) this.step('sent-to-delivered', c.sentAt, c.deliveredAt);
    if (cause === 'result' && c.deliveredAt !== null && c.completedAt !== null) this.step('delivered-to-completed', c.deliveredAt, c.completedAt);
  }

  private step(step: CommandStep, from: Date, to: Date): void {
    this.steps.observe({ step }, Math.max(0, to.getTime() - from.getTime()) / 1000);
  }
}
