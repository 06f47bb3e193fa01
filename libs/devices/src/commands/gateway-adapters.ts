import { Injectable } from '@nestjs/common';
import { StompGateway } from '@landside/messaging';
import { jsonMessage } from '@landside/stomp';
import { CommandTopic, DeviceCommandChannel, RequesterReplies, type OutgoingCommand, type CommandTopicMessage, type RequestError } from './ports';

export const COMMANDS_DESTINATION = '/topic/commands';
export const DEVICE_COMMAND_QUEUE = '/user/queue/commands';

@Injectable()
export class GatewayCommandTopic extends CommandTopic {
  constructor(private readonly gateway: StompGateway) {
    super();
  }

  publish(message: CommandTopicMessage): Promise<void> {
    return this.gateway.publishTopic({
      destination: COMMANDS_DESTINATION,
      payload: message.payload,
      zoneId: message.zoneId,
      conflationKey: message.conflationKey,
    });
  }
}

@Injectable()
export class GatewayDeviceCommandChannel extends DeviceCommandChannel {
  constructor(private readonly gateway: StompGateway) {
    super();
  }

  isSubscribed(deviceId: string): boolean {
    return this.gateway.server.broker.subscriberCount(DEVICE_COMMAND_QUEUE, deviceId) > 0;
  }

  deliver(deviceId: string, delivery: OutgoingCommand): number {
    return this.gateway.deliverLocally(
      deviceId,
      DEVICE_COMMAND_QUEUE,
      jsonMessage(delivery.message, {
        headers: [['command-id', delivery.message.commandId]],
        onAck: delivery.onAck,
        onNack: delivery.onNack,
        onLost: delivery.onLost,
      }),
    );
  }
}

@Injectable()
export class GatewayRequesterReplies extends RequesterReplies {
  constructor(private readonly gateway: StompGateway) {
    super();
  }

  reply(user: string, correlationId: string | undefined, payload: unknown): Promise<void> {
    return this.gateway.sendToUser({
      user,
      destination: '/user/queue/replies',
      payload,
      headers: correlationId !== undefined ? [['correlation-id', correlationId]] : [],
    });
  }

  error(user: string, body: RequestError): Promise<void> {
    return this.gateway.sendToUser({ user, destination: '/user/queue/errors', payload: body });
  }
}
