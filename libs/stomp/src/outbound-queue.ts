import type { BrokerMessage } from './message';
import type { Subscription } from './subscription';

/**
 * Messages waiting for a congested connection (the transport holds more than its high-water mark).
 *
 * Conflatable messages (with a `conflationKey`) replace their predecessor for the same
 * subscription and key in place: a slow wall screen gets the latest state of each device, not a
 * backlog of history. Messages without a key are kept in order and counted; when they exceed
 * `maxMessages`, or all queued bytes exceed `maxBytes`, `push` reports overflow and the session
 * disconnects the reader with `slow-consumer` rather than let the heap grow.
 */
export interface QueuedDelivery<P> {
  readonly subscription: Subscription;
  message: BrokerMessage<P>;
}

export interface OutboundLimits {
  /** Transport bytes in flight above which messages are queued instead of written. */
  readonly highWaterBytes: number;
  /** Unconflatable messages that may wait. */
  readonly maxMessages: number;
  /** Bytes of message bodies that may wait. */
  readonly maxBytes: number;
}

export class OutboundQueue<P> {
  private items: QueuedDelivery<P>[] = [];
  private head = 0;
  private readonly byKey = new Map<string, QueuedDelivery<P>>();
  private strictCount = 0;
  private bytes = 0;

  constructor(private readonly limits: OutboundLimits) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Queues a delivery; returns false when the limits are exceeded (the reader is too slow). */
  push(subscription: Subscription, message: BrokerMessage<P>): boolean {
    const key = message.conflationKey;
    if (key !== undefined) {
      const slot = `${subscription.id}\n${key}`;
      const existing = this.byKey.get(slot);
      if (existing) {
        this.bytes += message.body.length - existing.message.body.length;
        existing.message = message;
        return this.bytes <= this.limits.maxBytes;
      }
      const item: QueuedDelivery<P> = { subscription, message };
      this.byKey.set(slot, item);
      this.items.push(item);
    } else {
      this.items.push({ subscription, message });
      this.strictCount++;
    }
    this.bytes += message.body.length;
    return this.strictCount <= this.limits.maxMessages && this.bytes <= this.limits.maxBytes;
  }

  shift(): QueuedDelivery<P> | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    const key = item.message.conflationKey;
    if (key !== undefined) this.byKey.delete(`${item.subscription.id}\n${key}`);
    else this.strictCount--;
    this.bytes -= item.message.body.length;
    return item;
  }

  /** Drops everything still queued for one subscription (after UNSUBSCRIBE). */
  dropSubscription(subscriptionId: string): QueuedDelivery<P>[] {
    const dropped: QueuedDelivery<P>[] = [];
    const kept: QueuedDelivery<P>[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      (item.subscription.id === subscriptionId ? dropped : kept).push(item);
    }
    this.items = [];
    this.head = 0;
    this.byKey.clear();
    this.strictCount = 0;
    this.bytes = 0;
    for (const item of kept) this.push(item.subscription, item.message);
    return dropped;
  }

  drainAll(): QueuedDelivery<P>[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.byKey.clear();
    this.strictCount = 0;
    this.bytes = 0;
    return rest;
  }
}
