import type { StompServerOptions } from '@landside/stomp';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  /** Bind address for the TCP transport (HTTP binds where the app listens). */
  readonly host: string;
  readonly wsPath: string;
  readonly sockjsPrefix: string;
  /** Where the SockJS iframe transport loads the client from (served locally, no CDN). */
  readonly sockjsClientUrl: string;
  /** 0 disables plain TCP. */
  readonly tcpPort: number;
  readonly allowedOrigins: readonly string[];
  readonly stomp: StompServerOptions;
}
