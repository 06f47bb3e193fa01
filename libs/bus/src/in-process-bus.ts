import { dispatchToHandlers, MessageBus, type BusHandler, type HandlerErrorReporter, type Unsubscribe } from './message-bus';

/**
 * The embedded engine: subscribers in this process, called synchronously in publish order.
 * Payloads are passed by reference; publishers must not mutate what they published.
 */
export class InProcessBus extends MessageBus {
  readonly engine = 'in-process' as const;
  private readonly handlers = new Map<string, Set<BusHandler<unknown>>>();

  constructor(private readonly onHandlerError: HandlerErrorReporter = () => undefined) {
    super();
  }

  publish<T>(channel: string, payload: T): Promise<void> {
    const set = this.handlers.get(channel);
    if (set) dispatchToHandlers(channel, [...set], payload as unknown, this.onHandlerError);
    return Promise.resolve();
  }

  subscribe<T>(channel: string, handler: BusHandler<T>): Promise<Unsubscribe> {
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    const h = handler as BusHandler<unknown>;
    set.add(h);
    return Promise.resolve(() => {
      set.delete(h);
      return Promise.resolve();
    });
  }

  close(): Promise<void> {
    this.handlers.clear();
    return Promise.resolve();
  }
}
