import { StompBroker } from './broker';
import type { StompConnection } from './connection';
import { StompError } from './errors';
import {
  DEFAULT_STOMP_OPTIONS,
  type StompPrincipal,
  type StompServerContext,
  type StompServerHooks,
  type StompServerOptions,
} from './server-context';
import { StompSession } from './session';

/**
 * A STOMP server without I/O: transports hand it connections (`accept`), it runs a StompSession
 * per connection against one broker and keeps the sessions of each principal, so that the limit
 * on concurrent sessions holds and `/user/...` destinations reach every session of a principal.
 */
export class StompServer<P extends StompPrincipal> implements StompServerContext<P> {
  readonly options: StompServerOptions;
  readonly broker: StompBroker<P>;
  private readonly all = new Set<StompSession<P>>();
  private readonly byPrincipal = new Map<string, StompSession<P>[]>();

  constructor(
    readonly hooks: StompServerHooks<P>,
    options: Partial<StompServerOptions> = {},
  ) {
    this.options = { ...DEFAULT_STOMP_OPTIONS, ...options };
    this.broker = new StompBroker<P>();
  }

  accept(connection: StompConnection): StompSession<P> {
    const session = new StompSession<P>(connection, this);
    this.all.add(session);
    return session;
  }

  admit(session: StompSession<P>, principal: P): void {
    const existing = this.byPrincipal.get(principal.name) ?? [];
    const policy = this.hooks.concurrency?.(principal) ?? 'refuse-new';
    if (policy === 'newest-wins') {
      for (const older of [...existing]) {
        older.fail(new StompError('session-replaced', 'a newer session of the same principal connected'));
      }
    } else if (existing.length >= this.options.maxSessionsPerPrincipal) {
      throw new StompError('too-many-sessions', `at most ${this.options.maxSessionsPerPrincipal} concurrent sessions per principal`, {
        headers: { 'retry-after': '5' },
      });
    }
    const current = this.byPrincipal.get(principal.name) ?? [];
    current.push(session);
    this.byPrincipal.set(principal.name, current);
  }

  release(session: StompSession<P>): void {
    this.all.delete(session);
    const name = session.principalName;
    if (name === undefined) return;
    const list = this.byPrincipal.get(name);
    if (!list) return;
    const remaining = list.filter((s) => s !== session);
    if (remaining.length > 0) this.byPrincipal.set(name, remaining);
    else this.byPrincipal.delete(name);
  }

  get sessionCount(): number {
    return this.all.size;
  }

  sessions(): IterableIterator<StompSession<P>> {
    return this.all.values();
  }

  sessionsOf(principalName: string): readonly StompSession<P>[] {
    return this.byPrincipal.get(principalName) ?? [];
  }

  /** Ends every session (e.g. on shutdown) with an ERROR carrying `code`. */
  closeAll(message = 'server shutting down'): void {
    for (const session of [...this.all]) session.fail(new StompError('server-shutdown', message));
  }
}
