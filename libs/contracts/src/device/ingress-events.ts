import type { DeviceType } from '../roles';
import type { CommandResultDto } from './command-result.dto';
import type { DeviceEventDto } from './device-event.dto';
import type { HeartbeatDto } from './heartbeat.dto';

/**
 * Bus events the gateway publishes for what devices send and for their sessions (`noun.verb`).
 * Domain services (health tracker, parking, dispatch, commands) subscribe to these.
 */
export interface DeviceSource {
  readonly deviceId: string;
  readonly deviceType?: DeviceType;
  readonly sessionId: string;
  /** Server receive time, epoch ms. */
  readonly receivedAt: number;
}

export interface DeviceHeartbeatReceived extends DeviceSource {
  readonly heartbeat: HeartbeatDto;
}
export interface DeviceEventReceived extends DeviceSource {
  readonly event: DeviceEventDto;
}
export interface CommandResultReceived extends DeviceSource {
  readonly result: CommandResultDto;
}
export interface DeviceSessionChanged extends DeviceSource {
  readonly transport: string;
  readonly remoteAddress: string;
  /** Sessions of this device still open on the publishing node after this change. */
  readonly remainingSessions: number;
}

export const INGRESS_CHANNELS = {
  heartbeat: 'device.heartbeat-received',
  event: 'device.event-received',
  commandResult: 'command.result-received',
  commandRequested: 'command.requested',
  connected: 'device.connected',
  /** A device subscribed to /user/queue/commands: its queued commands can be delivered now. */
  commandsSubscribed: 'device.commands-subscribed',
  disconnected: 'device.disconnected',
} as const;

/** An operator's or admin's command request from STOMP, for the command service to create. */
export interface CommandRequested {
  /**
   * Unique per request (a random UUID from the publisher). Every command-service node on the bus
   * receives the event; the one that claims this id (`bus_input_claims`) handles and answers it.
   */
  readonly requestId: string;
  readonly request: import('./create-command.dto').CreateCommandDto;
  readonly requestedBy: { readonly sub: string; readonly role: string; readonly zones?: readonly string[] };
  readonly sourceAddress: string;
  /** Where the created command is answered: the requester's `/user/queue/replies`. */
  readonly replyTo: { readonly user: string; readonly correlationId?: string };
  readonly receivedAt: number;
}
