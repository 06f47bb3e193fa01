import type { BrokerMessage } from './message';
import type { Subscription } from './subscription';

/**
 * The in-process broker: who is subscribed to what, and where a published message goes.
 *
 * Destinations by prefix (the prefixes RabbitMQ and Spring use, so clients feel at home):
 * - `/topic/...`      fan-out: every subscription on exactly that destination (no wildcards).
 * - `/queue/...`      one consumer: round-robin among subscriptions; held (bounded) while none.
 * - `/user/queue/...` per principal: a session subscribes to `/user/queue/x` and receives what is
 *                     sent to its own principal's `x`; the principal name comes from the session,
 *                     never from the destination, so no one subscribes to another's queue.
 * Anything else has topic semantics; which destinations a principal may use is the server
 * policy's decision (StompServerHooks.authorize), not the broker's.
 *
 * Scale-out (several processes) is a concern of the layer above: it fans messages in from a bus
 * and calls publish()/sendToUser() on each node's broker.
 */
export interface BrokerSubscriber<P> {
  readonly id: string;
  /** The principal's name for `/user/...` routing; undefined before CONNECTED. */
  readonly principalName: string | undefined;
  /** Deliver one message for one of this subscriber's subscriptions; false if not taken. */
  deliver(subscription: Subscription, message: BrokerMessage<P>): boolean;
}

interface Entry<P> {
  readonly subscriber: BrokerSubscriber<P>;
  readonly subscription: Subscription;
}

export interface BrokerOptions {
  /** Messages held for a `/queue/...` destination with no consumer; publish fails past it. */
  readonly maxQueueBacklog: number;
}

export const USER_PREFIX = '/user/';

export class StompBroker<P> {
  private readonly byDestination = new Map<string, Set<Entry<P>>>();
  private readonly entries = new Map<BrokerSubscriber<P>, Map<string, Entry<P>>>();
  private readonly backlog = new Map<string, BrokerMessage<P>[]>();
  private readonly roundRobin = new Map<string, number>();

  constructor(private readonly options: BrokerOptions = { maxQueueBacklog: 1000 }) {}

  subscribe(subscriber: BrokerSubscriber<P>, subscription: Subscription): void {
    const key = this.routingKey(subscriber, subscription.destination);
    const entry: Entry<P> = { subscriber, subscription };
    let set = this.byDestination.get(key);
    if (!set) this.byDestination.set(key, (set = new Set()));
    set.add(entry);
    let own = this.entries.get(subscriber);
    if (!own) this.entries.set(subscriber, (own = new Map()));
    own.set(subscription.id, entry);
    if (isQueue(subscription.destination)) this.drainBacklog(subscription.destination);
  }

  unsubscribe(subscriber: BrokerSubscriber<P>, subscriptionId: string): void {
    const own = this.entries.get(subscriber);
    const entry = own?.get(subscriptionId);
    if (!own || !entry) return;
    own.delete(subscriptionId);
    if (own.size === 0) this.entries.delete(subscriber);
    const key = this.routingKey(subscriber, entry.subscription.destination);
    const set = this.byDestination.get(key);
    set?.delete(entry);
    if (set && set.size === 0) this.byDestination.delete(key);
  }

  removeSubscriber(subscriber: BrokerSubscriber<P>): void {
    const own = this.entries.get(subscriber);
    if (!own) return;
    for (const id of [...own.keys()]) this.unsubscribe(subscriber, id);
  }

  /** Publish to `/topic/...` (all) or `/queue/...` (one). Returns how many subscriptions took it. */
  publish(destination: string, message: BrokerMessage<P>): number {
    if (destination.startsWith(USER_PREFIX)) {
      throw new Error(`publish() does not route ${destination}: use sendToUser()`);
    }
    if (isQueue(destination)) return this.publishToQueue(destination, message) ? 1 : 0;
    const set = this.byDestination.get(destination);
    if (!set) return 0;
    let delivered = 0;
    for (const { subscriber, subscription } of [...set]) {
      if (subscriber.deliver(subscription, message)) delivered++;
    }
    return delivered;
  }

  /** Deliver to every session of `principalName` subscribed to `destination` (`/user/queue/x`). */
  sendToUser(principalName: string, destination: string, message: BrokerMessage<P>): number {
    const set = this.byDestination.get(userKey(principalName, destination));
    if (!set) return 0;
    let delivered = 0;
    for (const { subscriber, subscription } of [...set]) {
      if (subscriber.deliver(subscription, message)) delivered++;
    }
    return delivered;
  }

  /** Number of subscriptions on a destination (user destinations: for that principal). */
  subscriberCount(destination: string, principalName?: string): number {
    const key = principalName !== undefined ? userKey(principalName, destination) : destination;
    return this.byDestination.get(key)?.size ?? 0;
  }

  /**
   * Puts NACKed or orphaned queue messages back at the head of their queue, in the order given
   * (marked redelivered), and hands them on to the queue's consumers if there are any.
   */
  requeue(destination: string, messages: BrokerMessage<P> | readonly BrokerMessage<P>[]): void {
    const list = 'body' in messages ? [messages] : messages;
    if (list.length === 0) return;
    const held = this.backlog.get(destination) ?? [];
    held.unshift(...list.map((message) => ({ ...message, redelivered: true })));
    this.backlog.set(destination, held);
    this.drainBacklog(destination);
  }

  private publishToQueue(destination: string, message: BrokerMessage<P>): boolean {
    const held = this.backlog.get(destination);
    if (held && held.length > 0) {
      if (held.length >= this.options.maxQueueBacklog) return false;
      held.push(message);
      this.drainBacklog(destination);
      return true;
    }
    if (this.deliverToOneConsumer(destination, message)) return true;
    const queue = held ?? [];
    if (queue.length >= this.options.maxQueueBacklog) return false;
    queue.push(message);
    this.backlog.set(destination, queue);
    return true;
  }

  private deliverToOneConsumer(destination: string, message: BrokerMessage<P>): boolean {
    const set = this.byDestination.get(destination);
    if (!set || set.size === 0) return false;
    const consumers = [...set];
    const start = (this.roundRobin.get(destination) ?? 0) % consumers.length;
    for (let i = 0; i < consumers.length; i++) {
      const index = (start + i) % consumers.length;
      const { subscriber, subscription } = consumers[index]!;
      if (subscriber.deliver(subscription, message)) {
        this.roundRobin.set(destination, index + 1);
        return true;
      }
    }
    return false;
  }

  private drainBacklog(destination: string): void {
    const held = this.backlog.get(destination);
    if (!held) return;
    // Take the message out before delivering it: a delivery may re-enter (a consumer that fails
    // gives its messages back with requeue()), and must find the backlog consistent.
    while (held.length > 0) {
      const next = held.shift()!;
      if (!this.deliverToOneConsumer(destination, next)) {
        held.unshift(next);
        return;
      }
    }
    if (this.backlog.get(destination) === held) this.backlog.delete(destination);
  }

  private routingKey(subscriber: BrokerSubscriber<P>, destination: string): string {
    if (!destination.startsWith(USER_PREFIX)) return destination;
    return userKey(subscriber.principalName ?? '', destination);
  }
}

function isQueue(destination: string): boolean {
  return destination.startsWith('/queue/');
}

function userKey(principalName: string, destination: string): string {
  return `${principalName}\n${destination}`;
}
