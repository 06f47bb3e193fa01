import Redis from 'ioredis';
import { dispatchToHandlers, MessageBus, type BusHandler, type HandlerErrorReporter, type Unsubscribe } from './message-bus';

/**
 * The scale-out engine: Redis pub/sub, one publishing and one subscribing connection per process.
 * Every process subscribed to a channel receives every message, its own included, so a topic
 * published on any node reaches the sessions on all nodes the same way.
 */
export class RedisBus extends MessageBus {
  readonly engine = 'redis' as const;
  private readonly handlers = new Map<string, Set<BusHandler<unknown>>>();

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly prefix: string,
    private readonly onHandlerError: HandlerErrorReporter,
  ) {
    super();
    this.sub.on('messageBuffer', (rawChannel: Buffer, message: Buffer) => {
      const channel = rawChannel.toString().slice(this.prefix.length);
      const set = this.handlers.get(channel);
      if (!set) return;
      let payload: unknown;
      try {
        payload = JSON.parse(message.toString('utf8'));
      } catch (error) {
        this.onHandlerError(channel, error);
        return;
      }
      dispatchToHandlers(channel, [...set], payload, this.onHandlerError);
    });
  }

  static async connect(url: string, options: { prefix?: string; onHandlerError?: HandlerErrorReporter } = {}): Promise<RedisBus> {
    const make = (): Redis => new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
    const pub = make();
    const sub = make();
    try {
      await Promise.all([pub.connect(), sub.connect()]);
    } catch (error) {
      pub.disconnect();
      sub.disconnect();
      throw error;
    }
    return new RedisBus(pub, sub, options.prefix ?? 'landside:', options.onHandlerError ?? (() => undefined));
  }

  async publish<T>(channel: string, payload: T): Promise<void> {
    await this.pub.publish(this.prefix + channel, JSON.stringify(payload));
  }

  async subscribe<T>(channel: string, handler: BusHandler<T>): Promise<Unsubscribe> {
    let set = this.handlers.get(channel);
    if (!set) {
      this.handlers.set(channel, (set = new Set()));
      await this.sub.subscribe(this.prefix + channel);
    }
    const h = handler as BusHandler<unknown>;
    set.add(h);
    return async () => {
      set.delete(h);
      if (set.size === 0 && this.handlers.get(channel) === set) {
        this.handlers.delete(channel);
        await this.sub.unsubscribe(this.prefix + channel);
      }
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }
}
