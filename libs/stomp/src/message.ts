import type { HeaderList } from './frame';

/**
 * A message on its way to subscribers, before it becomes a MESSAGE frame for one subscription.
 *
 * - `conflationKey`: status messages (a device's state, a zone's occupancy) name the entity they
 *   describe; for a reader that cannot keep up, only the latest per key is kept. Messages without
 *   a key (commands, alerts) are never dropped: a reader too slow for them is disconnected.
 * - `filter`: the publisher's say on who may see it (zone scoping), checked per subscriber.
 * - `onAck`/`onNack`/`onLost`: for acknowledged subscriptions, what the publisher learns about
 *   this delivery (a device's ACK marks a command DELIVERED); `onLost` fires when the session
 *   closes with the message still unacknowledged.
 */
export interface BrokerMessage<P = unknown> {
  readonly body: Buffer;
  readonly headers?: HeaderList;
  readonly conflationKey?: string;
  readonly filter?: (principal: P) => boolean;
  readonly onAck?: () => void;
  readonly onNack?: () => void;
  readonly onLost?: () => void;
  /** Set by the broker when a NACKed queue message goes round again. */
  readonly redelivered?: boolean;
}

export function jsonMessage<P>(payload: unknown, extra: Omit<BrokerMessage<P>, 'body'> = {}): BrokerMessage<P> {
  const headers: HeaderList = [['content-type', 'application/json'], ...(extra.headers ?? [])];
  return { ...extra, headers, body: Buffer.from(JSON.stringify(payload), 'utf8') };
}
