import type { StompBroker } from './broker';
import type { ConnectionInfo } from './connection';
import type { StompFrame, StompCommand } from './frame';
import type { OutboundLimits } from './outbound-queue';
import type { CloseReason, StompSession } from './session';
import type { Subscription } from './subscription';

/** What the protocol needs to know of a principal: a name for routing and when its token ends. */
export interface StompPrincipal {
  readonly name: string;
  /** Epoch ms at which the session must end unless refreshed in-band. */
  readonly expiresAt?: number;
}

export interface StompServerOptions {
  /** Frame limit once connected (SPEC: 64 KiB). */
  readonly maxFrameBytes: number;
  /** Frame limit before CONNECTED (SPEC: 8 KiB). */
  readonly maxPreConnectFrameBytes: number;
  readonly connectTimeoutMs: number;
  readonly maxSubscriptions: number;
  readonly ratePerS: number;
  readonly rateBurst: number;
  readonly maxSessionsPerPrincipal: number;
  /** [what the server can send, what it wants to receive], ms. */
  readonly heartbeat: readonly [number, number];
  readonly outbound: OutboundLimits;
  readonly serverName: string;
}

export const DEFAULT_STOMP_OPTIONS: StompServerOptions = {
  maxFrameBytes: 64 * 1024,
  maxPreConnectFrameBytes: 8 * 1024,
  connectTimeoutMs: 10_000,
  maxSubscriptions: 32,
  ratePerS: 50,
  rateBurst: 100,
  maxSessionsPerPrincipal: 5,
  heartbeat: [10_000, 10_000],
  outbound: { highWaterBytes: 256 * 1024, maxMessages: 1000, maxBytes: 4 * 1024 * 1024 },
  serverName: 'Landside/0.1',
};

export type SendOutcome = 'accepted' | 'dropped';

/**
 * How a principal's sessions coexist. 'refuse-new': up to maxSessionsPerPrincipal, then a new one
 * is refused (too-many-sessions). 'newest-wins': one session at a time; a new one closes every
 * older one (session-replaced) — for devices, whose commands must reach exactly one connection.
 */
export type ConcurrencyPolicy = 'refuse-new' | 'newest-wins';

/**
 * The server's policy, supplied by whoever embeds the protocol library. Authorization failures
 * are thrown as StompError('forbidden' | 'unauthenticated' | 'token-expired', ...).
 */
export interface StompServerHooks<P extends StompPrincipal> {
  /** CONNECT/STOMP: who is this? Throw to refuse. */
  authenticate(connect: StompFrame, info: ConnectionInfo): Promise<P> | P;
  /** A later frame carried its own Authorization header: verify it and return the new principal. */
  refresh?(authorization: string, current: P): Promise<P> | P;
  /** May this principal SEND to / SUBSCRIBE to this destination? Throw to refuse. */
  authorize?(principal: P, action: 'SEND' | 'SUBSCRIBE', destination: string): void;
  /**
   * Handles a SEND (application destinations); when absent, SENDs go to the broker. Resolve
   * 'dropped' when the frame was refused without ending the session: no RECEIPT is sent.
   */
  onSend?(session: StompSession<P>, frame: StompFrame): Promise<SendOutcome> | SendOutcome;
  concurrency?(principal: P): ConcurrencyPolicy;
  onOpen?(session: StompSession<P>): void;
  onSubscribe?(session: StompSession<P>, subscription: Subscription): void;
  onClose?(session: StompSession<P>, reason: CloseReason): void;
  onInternalError?(error: unknown, session: StompSession<P>): void;
  observe?: {
    frameIn?(command: StompCommand): void;
    frameOut?(command: StompCommand): void;
    error?(code: string): void;
  };
}

/** What a session sees of its server. */
export interface StompServerContext<P extends StompPrincipal> {
  readonly options: StompServerOptions;
  readonly hooks: StompServerHooks<P>;
  readonly broker: StompBroker<P>;
  /** Registers a freshly authenticated session; throws too-many-sessions, or evicts the oldest. */
  admit(session: StompSession<P>, principal: P): void;
  release(session: StompSession<P>): void;
}
