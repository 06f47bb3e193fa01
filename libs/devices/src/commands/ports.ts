/**
 * What the commands module needs from the STOMP edge, as small ports: the adapters in
 * `gateway-adapters.ts` bind them to StompGateway, and medium tests bind them to fakes.
 */
import type { DeviceCommandMessage } from './domain';

/** `/topic/commands`: a message for every watcher that sees `zoneId`. */
export interface CommandTopicMessage {
  readonly payload: unknown;
  /** Zone of the command's device; '' for a device in no zone (only unscoped watchers see it). */
  readonly zoneId: string;
  readonly conflationKey: string;
}

export abstract class CommandTopic {
  abstract publish(message: CommandTopicMessage): Promise<void>;
}

/** One delivery of a command to a device session, with what the session tells about it. */
export interface OutgoingCommand {
  readonly message: DeviceCommandMessage;
  readonly onAck: () => void;
  readonly onNack: () => void;
  /** The session closed with the message unacknowledged (or never written). */
  readonly onLost: () => void;
}

/** The device sessions held by this node. */
export abstract class DeviceCommandChannel {
  /** Whether a session of `deviceId` on this node subscribes to `/user/queue/commands`. */
  abstract isSubscribed(deviceId: string): boolean;
  /** Hands the command to this node's sessions of the device; how many took it. */
  abstract deliver(deviceId: string, delivery: OutgoingCommand): number;
}

/** `/app/commands` answers: the created command, or what was wrong with the request. */
export interface RequestError {
  readonly error: string;
  readonly detail: Record<string, unknown>;
  readonly destination: string;
  readonly receipt: string | null;
}

export abstract class RequesterReplies {
  /** To the requester's `/user/queue/replies`, `correlation-id` = the request's receipt. */
  abstract reply(user: string, correlationId: string | undefined, payload: unknown): Promise<void>;
  /** To the requester's `/user/queue/errors`. */
  abstract error(user: string, body: RequestError): Promise<void>;
}
