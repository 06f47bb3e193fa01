import { createServer, type Server, type Socket } from 'node:net';
import type { StompConnection } from '@landside/stomp';
import type { AcceptConnection } from './sink';

/**
 * Plain STOMP over TCP (`STOMP_TCP_PORT`, default 61613) for .NET, Java and embedded devices.
 * Bytes in, bytes out: the session's parser takes frames split or merged across reads.
 */
export interface TcpTransportOptions {
  readonly host: string;
  readonly port: number;
  readonly accept: AcceptConnection;
}

export class TcpTransport {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: TcpTransportOptions) {}

  listen(): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : this.options.port);
      });
    });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const connection: StompConnection = {
      transport: 'tcp',
      remoteAddress: socket.remoteAddress ?? 'unknown',
      write: (data) => {
        if (!socket.destroyed && socket.writable) socket.write(data);
      },
      pendingBytes: () => socket.writableLength,
      onDrain: (cb) => {
        socket.on('drain', cb);
      },
      close: () => {
        if (!socket.destroyed) socket.end();
        // A peer that never reads must not keep a half-closed socket forever.
        setTimeout(() => socket.destroy(), 5_000).unref();
      },
    };
    const sink = this.options.accept(connection);
    socket.on('data', (chunk: Buffer) => sink.receive(chunk));
    socket.on('close', () => {
      this.sockets.delete(socket);
      sink.transportClosed();
    });
    socket.on('error', () => socket.destroy());
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
