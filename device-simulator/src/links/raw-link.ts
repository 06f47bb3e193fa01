import { HEARTBEAT_EOL, serializeFrame, StompFrameParser, type StompFrame } from '../stomp/frame';
import type { Link, LinkHandlers, LinkOptions } from './link';
import { openSocket, type DeviceSocket, type SocketKind } from './socket';

/** Client heart-beat offered on CONNECT: we send at least every 10 s, we do not ask for the server's. */
const CLIENT_HEARTBEAT_MS = 10_000;

/**
 * Hand-written STOMP frames over a {@link DeviceSocket} (WebSocket or TCP): a few hundred bytes
 * of state per device. Transport heart-beats are sent from the device's own timer through
 * {@link tick}, so a link needs no timer of its own.
 */
export class RawLink implements Link {
  private readonly socket: DeviceSocket;
  private readonly parser: StompFrameParser;
  private isConnected = false;
  private closed = false;
  private reported = false;
  private lastWrite = 0;
  private outgoingMs = 0;

  constructor(socketKind: SocketKind, options: LinkOptions) {
    const handlers = options.handlers;
    this.parser = new StompFrameParser((frame) => this.onFrame(frame, handlers));
    this.socket = openSocket(socketKind, options.target, {
      onOpen: () => {
        this.write(
          serializeFrame('CONNECT', {
            'accept-version': '1.2,1.1',
            host: options.host,
            'heart-beat': `${CLIENT_HEARTBEAT_MS},0`,
            Authorization: `Bearer ${options.token}`,
          }),
        );
      },
      onData: (data) => {
        if (this.closed) return;
        try {
          this.parser.push(data);
        } catch {
          // a stream we cannot parse: give up on the connection, the device reconnects
          this.socket.terminate();
        }
      },
      onClose: () => this.onSocketClosed(handlers),
    });
  }

  get connected(): boolean {
    return this.isConnected && !this.closed && this.socket.isOpen;
  }

  private onFrame(frame: StompFrame, handlers: LinkHandlers): void {
    switch (frame.command) {
      case 'CONNECTED': {
        this.isConnected = true;
        // negotiated client->server interval: max(ours, the server's wish), 0 if either is 0
        const [, sy] = (frame.headers['heart-beat'] ?? '0,0').split(',').map(Number);
        this.outgoingMs = sy !== undefined && sy > 0 ? Math.max(CLIENT_HEARTBEAT_MS, sy) : 0;
        handlers.onConnected();
        break;
      }
      case 'MESSAGE':
        handlers.onMessage({ destination: frame.headers['destination'] ?? '', headers: frame.headers, body: frame.body });
        break;
      case 'ERROR': {
        const retry = frame.headers['retry-after'];
        handlers.onError(frame.headers['error-code'], frame.headers['message'] ?? frame.body, retry === undefined ? undefined : Number(retry));
        break;
      }
      default:
        // RECEIPT: the simulator asks for none
        break;
    }
  }

  private onSocketClosed(handlers: LinkHandlers): void {
    this.closed = true;
    this.isConnected = false;
    if (this.reported) return;
    this.reported = true;
    handlers.onClosed();
  }

  private write(data: Buffer): void {
    this.lastWrite = Date.now();
    this.socket.send(data);
  }

  send(destination: string, body: string, headers: Record<string, string> = {}): void {
    if (!this.connected) return;
    this.write(serializeFrame('SEND', { destination, 'content-type': 'application/json', ...headers }, body));
  }

  subscribe(id: string, destination: string, ack: 'auto' | 'client-individual'): void {
    if (!this.connected) return;
    this.write(serializeFrame('SUBSCRIBE', { id, destination, ack }));
  }

  ack(ackId: string): void {
    if (!this.connected) return;
    this.write(serializeFrame('ACK', { id: ackId }));
  }

  tick(now: number): void {
    if (!this.connected || this.outgoingMs === 0) return;
    // well inside the negotiated interval: the server closes after 2x of silence
    if (now - this.lastWrite >= this.outgoingMs / 2) this.write(HEARTBEAT_EOL);
  }

  close(): void {
    if (this.closed) return;
    if (this.connected) this.write(serializeFrame('DISCONNECT', {}));
    this.socket.close();
  }

  crash(): void {
    this.socket.terminate();
  }

  setCut(on: boolean): void {
    this.socket.setCut(on);
  }

  setPaused(on: boolean): void {
    this.socket.setPaused(on);
  }
}
