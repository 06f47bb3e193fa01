import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StompConnection } from '@landside/stomp';
import { originAllowed, remoteAddressOf } from './origin';
import type { AcceptConnection } from './sink';

/**
 * STOMP over WebSocket at `path` (default `/stomp`). Subprotocols `v12.stomp`, `v11.stomp`,
 * `v10.stomp` are negotiated, the highest the client offers; a client offering none is still
 * served (many device libraries send no subprotocol) and negotiates its version in CONNECT.
 * Frames go out as text messages, which every STOMP-over-WebSocket client reads.
 */
const SUBPROTOCOLS = ['v12.stomp', 'v11.stomp', 'v10.stomp'];
const LOW_WATER_BYTES = 64 * 1024;

export interface WsTransportOptions {
  readonly path: string;
  readonly allowedOrigins: readonly string[];
  /** WebSocket message limit; a STOMP frame can't be larger anyway. */
  readonly maxPayload: number;
  readonly accept: AcceptConnection;
}

export class WsTransport {
  private readonly wss: WebSocketServer;

  constructor(private readonly options: WsTransportOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload,
      perMessageDeflate: false,
      handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
    });
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== this.options.path) return; // another upgrade handler (SockJS) owns it
      if (!originAllowed(req, this.options.allowedOrigins)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\norigin not allowed\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
    });
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    let drain: (() => void) | undefined;
    let waitingForDrain = false;
    const onFlushed = (): void => {
      if (waitingForDrain && ws.bufferedAmount <= LOW_WATER_BYTES) {
        waitingForDrain = false;
        drain?.();
      }
    };
    const connection: StompConnection = {
      transport: 'ws',
      remoteAddress: remoteAddressOf(req),
      write: (data) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > LOW_WATER_BYTES) {
          waitingForDrain = true;
          ws.send(data, { binary: false }, onFlushed);
        } else {
          ws.send(data, { binary: false });
        }
      },
      pendingBytes: () => ws.bufferedAmount,
      onDrain: (cb) => {
        drain = cb;
      },
      close: () => {
        if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
      },
    };
    const sink = this.options.accept(connection);
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      sink.receive(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data));
    });
    ws.on('close', () => sink.transportClosed());
    // A protocol error from the peer (bad masking, oversized message): drop the connection.
    ws.on('error', () => ws.terminate());
  }

  close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}
