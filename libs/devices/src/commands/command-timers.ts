import { Injectable } from '@nestjs/common';

/** setTimeout's longest delay; longer deadlines re-arm on the way. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export type CommandTimerKind = 'expiry' | 'result' | 'retry';

/**
 * The in-memory deadlines of this node: a command's expiry (QUEUED/SENT past its TTL), its
 * result timeout (DELIVERED without a result), and a device's NACK retry. One timer per key;
 * arming a key again moves it. Timers are unref'd and only an optimisation of when a conditional
 * UPDATE runs: a timer that fires late or on a node that lost the race changes nothing.
 */
@Injectable()
export class CommandTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  arm(kind: CommandTimerKind, id: string, at: number, fire: () => void): void {
    const key = `${kind}:${id}`;
    clearTimeout(this.timers.get(key));
    const schedule = (): void => {
      const timer = setTimeout(
        () => {
          if (Date.now() < at) return schedule();
          this.timers.delete(key);
          fire();
        },
        Math.min(MAX_DELAY_MS, Math.max(0, at - Date.now())),
      );
      timer.unref();
      this.timers.set(key, timer);
    };
    schedule();
  }

  has(kind: CommandTimerKind, id: string): boolean {
    return this.timers.has(`${kind}:${id}`);
  }

  clear(kind: CommandTimerKind, id: string): void {
    const key = `${kind}:${id}`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  /** Both deadlines of a command (it is final or no longer this node's concern). */
  clearCommand(id: string): void {
    this.clear('expiry', id);
    this.clear('result', id);
  }

  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  get size(): number {
    return this.timers.size;
  }
}
