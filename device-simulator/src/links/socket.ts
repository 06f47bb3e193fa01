/**
 * The byte pipe under a device's STOMP session, one per transport (WebSocket, SockJS, TCP), with
 * the two knobs fault injection needs on the wire itself:
 *  - `cut`: a network cut. Nothing the device writes leaves it (whole writes are dropped, so the
 *    stream stays well-formed) and reading stops, so what the server sends waits in the network
 *    buffers (TCP back-pressure) and arrives late if the link survives the cut.
 *  - `paused`: a slow consumer. Reading stops; writing goes on.
 * `terminate()` is a crash: the socket is destroyed without a close handshake.
 */
import { connect, type Socket } from 'node:net';
import SockJS from 'sockjs-client';
import WebSocket from 'ws';

export interface SocketHandlers {
  onOpen(): void;
  onData(data: string | Buffer): void;
  onClose(): void;
}

export interface DeviceSocket {
  send(data: string | Buffer): void;
  /** Graceful close. */
  close(): void;
  /** Abrupt close: no close handshake, buffered data lost. */
  terminate(): void;
  setCut(on: boolean): void;
  setPaused(on: boolean): void;
  readonly isOpen: boolean;
}

export type SocketKind = 'ws' | 'sockjs' | 'tcp';

export interface SocketTarget {
  readonly wsUrl: string;
  readonly sockjsUrl: string;
  readonly tcpHost: string;
  readonly tcpPort: number;
}

export function openSocket(kind: SocketKind, target: SocketTarget, handlers: SocketHandlers): DeviceSocket {
  switch (kind) {
    case 'ws':
      return new WsSocket(target.wsUrl, handlers);
    case 'sockjs':
      return new SockJsSocket(target.sockjsUrl, handlers);
    case 'tcp':
      return new TcpSocket(target.tcpHost, target.tcpPort, handlers);
  }
}

/** Base: the cut/pause bookkeeping shared by the three transports. */
abstract class BaseSocket implements DeviceSocket {
  protected cut = false;
  protected paused = false;
  protected closed = false;
  private closeReported = false;

  constructor(protected readonly handlers: SocketHandlers) {}

  abstract get isOpen(): boolean;
  protected abstract write(data: string | Buffer): void;
  protected abstract applyReading(reading: boolean): void;
  abstract close(): void;
  abstract terminate(): void;

  send(data: string | Buffer): void {
    if (this.cut || !this.isOpen) return;
    this.write(data);
  }

  setCut(on: boolean): void {
    this.cut = on;
    this.applyReading(!this.cut && !this.paused);
  }

  setPaused(on: boolean): void {
    this.paused = on;
    this.applyReading(!this.cut && !this.paused);
  }

  protected reportClose(): void {
    this.closed = true;
    if (this.closeReported) return;
    this.closeReported = true;
    this.handlers.onClose();
  }
}

class WsSocket extends BaseSocket {
  private readonly ws: WebSocket;

  constructor(url: string, handlers: SocketHandlers) {
    super(handlers);
    this.ws = new WebSocket(url, ['v12.stomp', 'v11.stomp'], { perMessageDeflate: false });
    this.ws.on('open', () => handlers.onOpen());
    this.ws.on('message', (data: Buffer, isBinary: boolean) => handlers.onData(isBinary ? data : data.toString('utf8')));
    this.ws.on('close', () => this.reportClose());
    // 'close' follows every 'error'
    this.ws.on('error', () => undefined);
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  protected write(data: string | Buffer): void {
    this.ws.send(data);
  }

  protected applyReading(reading: boolean): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (reading) this.ws.resume();
    else this.ws.pause();
  }

  close(): void {
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** What the simulator uses of a sockjs-client instance (its typings need the DOM library). */
interface SockJsLike {
  readonly readyState: number;
  onopen: (() => void) | null;
  onmessage: ((e: { data: string }) => void) | null;
  onclose: (() => void) | null;
  send(data: string): void;
  close(): void;
}

class SockJsSocket extends BaseSocket {
  private readonly sock: SockJsLike;
  /** Messages held while reading is stopped (SockJS has no back-pressure of its own). */
  private held: string[] = [];

  constructor(url: string, handlers: SocketHandlers) {
    super(handlers);
    this.sock = new SockJS(url) as unknown as SockJsLike;
    this.sock.onopen = () => handlers.onOpen();
    this.sock.onmessage = (e) => {
      if (this.cut || this.paused) this.held.push(e.data);
      else handlers.onData(e.data);
    };
    this.sock.onclose = () => this.reportClose();
  }

  get isOpen(): boolean {
    return !this.closed && this.sock.readyState === 1;
  }

  protected write(data: string | Buffer): void {
    this.sock.send(typeof data === 'string' ? data : data.toString('utf8'));
  }

  protected applyReading(reading: boolean): void {
    if (!reading || this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    for (const m of held) this.handlers.onData(m);
  }

  close(): void {
    this.sock.close();
  }

  /** SockJS has no abort: close, and report the close at once (the device is gone now). */
  terminate(): void {
    this.held = [];
    this.sock.close();
    this.reportClose();
  }
}

class TcpSocket extends BaseSocket {
  private readonly socket: Socket;
  private connected = false;

  constructor(host: string, port: number, handlers: SocketHandlers) {
    super(handlers);
    this.socket = connect({ host, port, noDelay: true });
    this.socket.once('connect', () => {
      this.connected = true;
      handlers.onOpen();
    });
    this.socket.on('data', (chunk: Buffer) => handlers.onData(chunk));
    this.socket.on('close', () => this.reportClose());
    this.socket.on('error', () => undefined);
  }

  get isOpen(): boolean {
    return this.connected && !this.closed && !this.socket.destroyed;
  }

  protected write(data: string | Buffer): void {
    this.socket.write(data);
  }

  protected applyReading(reading: boolean): void {
    if (reading) this.socket.resume();
    else this.socket.pause();
  }

  close(): void {
    this.socket.end();
    // do not wait for the peer's FIN forever
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  terminate(): void {
    this.socket.resetAndDestroy();
  }
}
