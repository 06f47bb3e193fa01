/**
 * A device's STOMP session, whatever library speaks it. The device logic (device.ts) sees only
 * this: connect with a token, send to a destination (optionally with a fresh `Authorization`
 * header: the in-band token refresh of SPEC §3), subscribe, ACK, and the fault knobs of the
 * socket underneath.
 */
import type { SocketKind, SocketTarget } from './socket';

export interface InboundMessage {
  readonly destination: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface LinkHandlers {
  /** CONNECTED arrived. */
  onConnected(): void;
  onMessage(message: InboundMessage): void;
  /** An ERROR frame (the server closes the connection after it). */
  onError(code: string | undefined, message: string, retryAfterS: number | undefined): void;
  /** The connection is gone (after an error, a crash, a server close, a failed open). Called once. */
  onClosed(): void;
}

export interface Link {
  readonly connected: boolean;
  send(destination: string, body: string, headers?: Record<string, string>): void;
  subscribe(id: string, destination: string, ack: 'auto' | 'client-individual'): void;
  ack(ackId: string): void;
  /** A STOMP transport heart-beat if the link has been idle (raw links; stompjs beats on its own). */
  tick(now: number): void;
  /** DISCONNECT and close. */
  close(): void;
  /** Crash: the socket is destroyed at once. */
  crash(): void;
  setCut(on: boolean): void;
  setPaused(on: boolean): void;
}

/**
 * How a device talks: `stompjs-ws` (@stomp/stompjs over ws), `stompjs-sockjs` (@stomp/stompjs
 * over sockjs-client), `raw-ws` and `raw-tcp` (hand-written frames, the small-footprint choice
 * for thousands of devices).
 */
export const LINK_KINDS = ['stompjs-ws', 'stompjs-sockjs', 'raw-ws', 'raw-tcp'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export function socketKindOf(kind: LinkKind): SocketKind {
  switch (kind) {
    case 'stompjs-ws':
    case 'raw-ws':
      return 'ws';
    case 'stompjs-sockjs':
      return 'sockjs';
    case 'raw-tcp':
      return 'tcp';
  }
}

export interface LinkOptions {
  readonly kind: LinkKind;
  readonly target: SocketTarget;
  readonly token: string;
  /** The `host` header of CONNECT. */
  readonly host: string;
  readonly handlers: LinkHandlers;
}
