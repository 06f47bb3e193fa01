import type { Principal } from '@landside/contracts';
import type { StompFrame, StompPrincipal, StompSession } from '@landside/stomp';

/** The principal a STOMP session carries: the verified JWT's principal plus the routing name. */
export interface SessionPrincipal extends Principal {
  /** The routing name StompPrincipal asks for: the token's `sub`. */
  readonly name: string;
}

export type { StompPrincipal };

export function toSessionPrincipal(principal: Principal): SessionPrincipal {
  return { ...principal, name: principal.sub };
}

/** What an `/app/...` handler gets besides its validated body. */
export interface StompMessageContext {
  readonly principal: SessionPrincipal;
  readonly session: StompSession<SessionPrincipal>;
  readonly frame: StompFrame;
  readonly destination: string;
  readonly receipt?: string;
  /** Answer the sender on `/user/queue/replies` with `correlation-id` = the frame's receipt. */
  reply(payload: unknown): void;
}
