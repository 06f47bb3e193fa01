import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MessageBus, type Unsubscribe } from '@landside/bus';
import { DomainError, INGRESS_CHANNELS, type CommandRequested } from '@landside/contracts';
import { CommandService } from './command.service';
import { RequesterReplies } from './ports';

export const COMMAND_REQUEST_DESTINATION = '/app/commands';

/**
 * `SEND /app/commands` (SPEC §4): the gateway checked the role at the edge and put the request on
 * the bus (`command.requested`); this creates it with the same use case as REST and answers on
 * the requester's `/user/queue/replies` (`correlation-id` = the frame's receipt), or on
 * `/user/queue/errors` with `{error, detail, destination, receipt}` for a refusal.
 */
@Injectable()
export class CommandRequestHandler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Commands');
  private unsubscribe: Unsubscribe | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly bus: MessageBus,
    private readonly service: CommandService,
    private readonly replies: RequesterReplies,
  ) {}

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

  /** Never rejects: every outcome is answered to the requester or logged. */
  async handle(e: CommandRequested): Promise<void> {
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
        this.logger.error(`command request from ${user} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      try {
        await this.replies.error(user, { ...refusal, destination: COMMAND_REQUEST_DESTINATION, receipt });
      } catch (sendError) {
        this.logger.error(`refusal to ${user} not sent: ${String(sendError)}`);
      }
    }
  }
}
