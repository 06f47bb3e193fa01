/**
 * One interface, two engines (ARCHITECTURE.md): the in-process bus for the embedded single process,
 * Redis pub/sub when several gateway/control/dispatch processes share topics and events.
 *
 * Payloads are JSON-serializable values; a handler sees them in publish order per publisher.
 * A handler that throws is reported through `onHandlerError` and does not stop the others.
 */
export type BusHandler<T> = (payload: T) => void;
export type Unsubscribe = () => Promise<void>;

export abstract class MessageBus {
  abstract readonly engine: 'in-process' | 'redis';
  abstract publish<T>(channel: string, payload: T): Promise<void>;
  abstract subscribe<T>(channel: string, handler: BusHandler<T>): Promise<Unsubscribe>;
  abstract close(): Promise<void>;
}

export type HandlerErrorReporter = (channel: string, error: unknown) => void;

/** Calls each handler, isolating failures. */
export function dispatchToHandlers<T>(
  channel: string,
  handlers: Iterable<BusHandler<T>>,
  payload: T,
  onError: HandlerErrorReporter,
): void {
  for (const handler of handlers) {
    try {
      handler(payload);
    } catch (error) {
      onError(channel, error);
    }
  }
}
