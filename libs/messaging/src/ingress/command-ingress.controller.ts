import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { mayIssueCommand } from '@landside/auth';
import { MessageBus } from '@landside/bus';
import { CreateCommandDto, INGRESS_CHANNELS, type CommandRequested } from '@landside/contracts';
import { StompError } from '@landside/stomp';
import { MessageMapping, StompController } from '../routing/decorators';
import type { StompMessageContext } from '../routing/message-context';

/**
 * `SEND /app/commands` from operators and admins (SPEC §4). Authorization is decided here, at the
 * edge, before anything is created: operators may send only the safe commands (OPEN_GATE,
 * DISPLAY_MESSAGE); anything else is `forbidden` and ends the session like every authorization
 * failure. An allowed request goes to the command service on the bus, which creates the command
 * and answers on the requester's `/user/queue/replies` with the frame's receipt as
 * `correlation-id`. Each request gets its own `requestId`: every command-service node hears the
 * event, and only the one that claims the id handles it.
 */
@StompController()
@Injectable()
export class CommandIngressController {
  constructor(private readonly bus: MessageBus) {}

  @MessageMapping('/app/commands', CreateCommandDto)
  request(request: CreateCommandDto, ctx: StompMessageContext): Promise<void> {
    const principal = ctx.principal;
    if (!mayIssueCommand(principal, request.type)) {
      throw new StompError('forbidden', `${principal.role} may not send ${request.type}`, { receiptId: ctx.receipt });
    }
    const event: CommandRequested = {
      requestId: randomUUID(),
      request,
      requestedBy: { sub: principal.sub, role: principal.role, zones: principal.zones },
      sourceAddress: ctx.session.remoteAddress,
      replyTo: { user: principal.sub, correlationId: ctx.receipt },
      receivedAt: Date.now(),
    };
    return this.bus.publish(INGRESS_CHANNELS.commandRequested, event);
  }
}
