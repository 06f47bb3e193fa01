import type { StompConnection } from '@landside/stomp';

/** What a transport feeds: a STOMP session (or anything shaped like one). */
export interface ConnectionSink {
  receive(chunk: Buffer | string): void;
  transportClosed(): void;
}

/** The one frame handler every transport hands its connections to. */
export type AcceptConnection = (connection: StompConnection) => ConnectionSink;
