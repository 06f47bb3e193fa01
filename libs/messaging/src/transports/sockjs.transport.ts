import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import * as sockjs from 'sockjs';
import type { StompConnection } from '@landside/stomp';
import { originAllowed } from './origin';
import type { AcceptConnection } from './sink';

/**
 * STOMP over SockJS at `prefix` (default `/sockjs`) with every SockJS transport (websocket,
 * xhr-streaming, xhr-polling, eventsource, iframe, jsonp) for old browsers and proxies that block
 * WebSocket. SockJS carries text, so frames go out as UTF-8 strings (our bodies are JSON).
 *
 * Flow control: SockJS buffers writes in its session until a receiver request takes them. The
 * connection reports that buffer (plus the receiving socket's unflushed bytes) as pendingBytes,
 * and a poll while congested stands in for the drain event SockJS does not have.
 *
 * The iframe transport loads the SockJS client from `clientUrl`, served by this process, so a
 * closed airport network needs no CDN.
 */
export interface SockJsTransportOptions {
  readonly prefix: string;
  readonly allowedOrigins: readonly string[];
  readonly clientUrl: string;
  readonly accept: AcceptConnection;
  readonly log?: (severity: string, message: string) => void;
}

interface SockJsInternals {
  _session?: {
    send_buffer?: string[];
    recv?: { response?: { connection?: { writableLength?: number } }; ws?: { bufferedAmount?: number } } | null;
  };
}

const LOW_WATER_BYTES = 64 * 1024;
const DRAIN_POLL_MS = 25;

export class SockJsTransport {
  private readonly connections = new Set<sockjs.Connection>();

  constructor(private readonly options: SockJsTransportOptions) {}

  attach(server: Server): void {
    const service = sockjs.createServer({
      prefix: this.options.prefix,
      sockjs_url: this.options.clientUrl,
      log: (severity: string, message: string) => this.options.log?.(severity, message),
      disconnect_delay: 5_000,
      heartbeat_delay: 25_000,
    });
    service.on('connection', (conn: sockjs.Connection | null) => {
      if (conn) this.accept(conn);
    });
    service.installHandlers(server, { prefix: this.options.prefix });
    this.guardOrigins(server);
  }

  /** Refuses browser requests from other origins before SockJS sees them. */
  private guardOrigins(server: Server): void {
    const prefix = this.options.prefix;
    const forbidden = (req: IncomingMessage): boolean =>
      (req.url ?? '').startsWith(prefix) && !originAllowed(req, this.options.allowedOrigins);
    const requestListeners = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (forbidden(req)) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('origin not allowed\n');
        return;
      }
      for (const listener of requestListeners) listener.call(server, req, res);
    });
    const upgradeListeners = server.listeners('upgrade') as Array<(req: IncomingMessage, socket: Duplex, head: Buffer) => void>;
    server.removeAllListeners('upgrade');
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (forbidden(req)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      for (const listener of upgradeListeners) listener.call(server, req, socket, head);
    });
  }

  private accept(conn: sockjs.Connection): void {
    this.connections.add(conn);
    const internals = conn as unknown as SockJsInternals;
    const pendingBytes = (): number => {
      const session = internals._session;
      if (!session) return 0;
      let bytes = 0;
      for (const chunk of session.send_buffer ?? []) bytes += chunk.length;
      const recv = session.recv;
      bytes += recv?.response?.connection?.writableLength ?? 0;
      bytes += recv?.ws?.bufferedAmount ?? 0;
      return bytes;
    };
    let drainTimer: NodeJS.Timeout | undefined;
    let drain: (() => void) | undefined;
    const connection: StompConnection = {
      transport: 'sockjs',
      remoteAddress: conn.remoteAddress ?? 'unknown',
      write: (data) => {
        conn.write(data.toString('utf8'));
        if (drain && !drainTimer && pendingBytes() > LOW_WATER_BYTES) {
          drainTimer = setInterval(() => {
            if (pendingBytes() <= LOW_WATER_BYTES) {
              clearInterval(drainTimer);
              drainTimer = undefined;
              drain?.();
            }
          }, DRAIN_POLL_MS);
          drainTimer.unref();
        }
      },
      pendingBytes,
      onDrain: (cb) => {
        drain = cb;
      },
      close: () => conn.close('1000', 'closed'),
    };
    const sink = this.options.accept(connection);
    conn.on('data', (message: string) => sink.receive(message));
    conn.on('close', () => {
      clearInterval(drainTimer);
      this.connections.delete(conn);
      sink.transportClosed();
    });
  }

  close(): void {
    for (const conn of this.connections) conn.close('1001', 'server shutting down');
  }
}
