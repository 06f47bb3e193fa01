/**
 * How any service reaches STOMP clients without importing the gateway: publish an envelope on the
 * bus channel; every gateway node delivers it to its own sessions (ARCHITECTURE.md: domain libs
 * talk through the bus).
 */
export const GATEWAY_CHANNELS = { topic: 'stomp.topic', user: 'stomp.user' } as const;

/** A message for a `/topic/...` destination. */
export interface TopicEnvelope {
  readonly destination: string;
  readonly payload: unknown;
  /** Zone of the entity: zone-scoped subscribers receive only their zones' messages. */
  readonly zoneId?: string;
  /** Entity key: a slow reader gets only the latest message per key (status topics). */
  readonly conflationKey?: string;
}

/** A message for one principal's `/user/queue/...`, on whichever node holds its sessions. */
export interface UserEnvelope {
  readonly user: string;
  readonly destination: string;
  readonly payload: unknown;
  readonly headers?: Array<[string, string]>;
}
