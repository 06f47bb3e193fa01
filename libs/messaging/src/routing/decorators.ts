import { SetMetadata } from '@nestjs/common';

/**
 * `/app/...` destinations map to Nest provider methods, one method per destination:
 *
 *   @StompController()
 *   class DeviceIngress {
 *     @MessageMapping('/app/heartbeat', HeartbeatDto)
 *     heartbeat(body: HeartbeatDto, ctx: StompMessageContext) { ... }
 *   }
 *
 * The body is parsed as JSON and validated against the DTO class before the method runs; a bad
 * body is answered on the sender's `/user/queue/errors` and never reaches the method.
 */
export const STOMP_CONTROLLER = 'landside:stomp-controller';
export const MESSAGE_MAPPING = 'landside:message-mapping';

export interface MessageMappingMetadata {
  readonly destination: string;
  readonly dto?: new () => object;
}

export const StompController = (): ClassDecorator => SetMetadata(STOMP_CONTROLLER, true);

export const MessageMapping = (destination: string, dto?: new () => object): MethodDecorator =>
  SetMetadata(MESSAGE_MAPPING, { destination, dto } satisfies MessageMappingMetadata);
