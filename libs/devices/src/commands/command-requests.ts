import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { MessageBus, type Unsubscribe } from '@landside/bus';
import { DomainError, INGRESS_CHANNELS, type CommandRequested } from '@landside/contracts';
import { MetricsService } from '@landside/observability';
import { claimBusInput, pruneBusInputClaims } from '@landside/persistence';
import { CommandService } from './command.service';
import { RequesterReplies } from './ports';

export const COMMAND_REQUEST_DESTINATION = '/app/commands';

/** A claim only has to outlive the bus delivery of its request to every node; an hour is ample. */
export const REQUEST_CLAIM_RETENTION_MS = 3_600_000;
/** How often a node deletes old claims (on the next request after this long). */
export const REQUEST_CLAIM_PRUNE_INTERVAL_MS = 600_000;

/**
 * `SEND /app/commands` (SPEC §4): the gateway checked the role at the edge and put the request on
 * the bus (`command.requested`); this creates it with the same use case as REST and answers on
 * the requester's `/user/queue/replies` (`correlation-id` = the frame's receipt), or on
 * `/user/queue/errors` with `{error, detail, destination, receipt}` for a refusal.
 *
 * Every node on the bus receives every request: a node first claims the request's `requestId`
 * (`bus_input_claims`, its own autocommitted INSERT) and only the node that inserted it handles
 * and answers; the others skip it (`landside_bus_inputs_skipped_total{channel}`). See the README's
 * "Limits" for why the claim commits on its own.
 */
@Injectable()
export class CommandRequestHandler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Commands');
  private unsubscribe: Unsubscribe | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly skipped: Counter<'channel'>;
  private lastPrunedAt = 0;

  constructor(
    private readonly bus: MessageBus,
    private readonly service: CommandService,
    private readonly replies: RequesterReplies,
    private readonly dataSource: DataSource,
    metrics: MetricsService,
  ) {
    this.skipped = metrics.counter({
      name: 'landside_bus_inputs_skipped_total',
      help: 'Bus inputs this node did not handle because another node claimed them, by channel',
      labelNames: ['channel'],
    });
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe<CommandRequested>(INGRESS_CHANNELS.commandRequested, (e) => {
      const work = this.handle(e);
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.unsubscribe?.();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Never rejects: every request this node claims is answered to the requester or logged. */
  async handle(e: CommandRequested): Promise<void> {
    if (!(await this.claim(e))) return;
    try {
      await this.issueAndAnswer(e);
    } finally {
      await this.pruneIfDue();
    }
  }

  /**
   * Whether this node handles the request. A request without an id (a publisher older than the
   * claims) is handled, as before. A claim that cannot be written is not answered: this node
   * cannot tell whether another node has the request, and an answer could be a second one.
   */
  private async claim(e: CommandRequested): Promise<boolean> {
    const id: unknown = e.requestId;
    if (typeof id !== 'string' || id === '') return true;
    try {
      if (await claimBusInput(this.dataSource, INGRESS_CHANNELS.commandRequested, id)) return true;
      this.skipped.inc({ channel: INGRESS_CHANNELS.commandRequested });
    } catch (error) {
      this.logger.error(`command request ${id} from ${e.replyTo.user} not claimed, so not handled here: ${describe(error)}`);
    }
    return false;
  }

  private async issueAndAnswer(e: CommandRequested): Promise<void> {
    const user = e.replyTo.user;
    const receipt = e.replyTo.correlationId ?? null;
    try {
      const { command } = await this.service.issue(e.request, e.requestedBy, e.sourceAddress);
      await this.replies.reply(user, e.replyTo.correlationId, command);
    } catch (error) {
      const refusal =
        error instanceof DomainError
          ? { error: error.code, detail: { message: error.message, ...error.details } }
          : { error: 'server-error', detail: { message: 'the command could not be created' } };
      if (!(error instanceof DomainError)) {
        this.logger.error(`command request from ${user} failed: ${describe(error)}`);
      }
      try {
        await this.replies.error(user, { ...refusal, destination: COMMAND_REQUEST_DESTINATION, receipt });
      } catch (sendError) {
        this.logger.error(`refusal to ${user} not sent: ${String(sendError)}`);
      }
    }
  }

  /** Old claims go on the first request after each interval (one indexed DELETE); failures are logged. */
  private async pruneIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPrunedAt < REQUEST_CLAIM_PRUNE_INTERVAL_MS) return;
    this.lastPrunedAt = now;
    try {
      await pruneBusInputClaims(this.dataSource, REQUEST_CLAIM_RETENTION_MS);
    } catch (error) {
      this.logger.warn(`pruning old command request claims failed: ${describe(error)}`);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
