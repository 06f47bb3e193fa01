import { Injectable } from '@nestjs/common';
import { MessageBus } from '@landside/bus';
import {
  DISPATCH_CHANNELS,
  DispatchRequestDto,
  DriverRegionDto,
  type DispatchRequestReceived,
  type DriverRegionReceived,
} from '@landside/contracts';
import { MessageMapping, StompController } from '../routing/decorators';
import type { StompMessageContext } from '../routing/message-context';

/**
 * Taxi dispatch over STOMP (SPEC §7): dispatch kiosks send passenger requests, drivers choose
 * their region. Validated here and handed to the dispatch service on the bus with the sender's
 * identity and reply address; the destination policy already allows only DISPATCH_KIOSK devices
 * and DRIVERs respectively. Answers come on `/user/queue/replies` (correlation-id = receipt),
 * matches later on `/user/queue/dispatch`.
 */
@StompController()
@Injectable()
export class DispatchIngressController {
  constructor(private readonly bus: MessageBus) {}

  @MessageMapping('/app/dispatch/requests', DispatchRequestDto)
  request(request: DispatchRequestDto, ctx: StompMessageContext): Promise<void> {
    const p = ctx.principal;
    const event: DispatchRequestReceived = {
      request,
      requestedBy: { sub: p.sub, role: p.role, deviceType: p.deviceType, zones: p.zones },
      replyTo: { user: p.sub, correlationId: ctx.receipt },
      receivedAt: Date.now(),
    };
    return this.bus.publish(DISPATCH_CHANNELS.requestReceived, event);
  }

  @MessageMapping('/app/dispatch/region', DriverRegionDto)
  region(selection: DriverRegionDto, ctx: StompMessageContext): Promise<void> {
    const event: DriverRegionReceived = {
      plate: ctx.principal.sub,
      selection,
      replyTo: { user: ctx.principal.sub, correlationId: ctx.receipt },
      receivedAt: Date.now(),
    };
    return this.bus.publish(DISPATCH_CHANNELS.regionSelected, event);
  }
}
