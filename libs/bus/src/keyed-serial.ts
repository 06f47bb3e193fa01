/**
 * Runs tasks one at a time per key, in the order they were submitted; different keys run
 * concurrently. Consumers of bus events use it to apply one entity's events in arrival order:
 * the command dispatcher keys by device (an ACK's DELIVERED is written before the result that
 * followed it), the dispatch service by stand (its row lock orders it against other processes).
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves when every task submitted so far has settled. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
