import { Client, type IStompSocket } from '@stomp/stompjs';
import type { Link, LinkOptions } from './link';
import { openSocket, type DeviceSocket, type SocketKind } from './socket';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

/**
 * What @stomp/stompjs sees as its WebSocket: a {@link DeviceSocket} underneath, so a network cut,
 * a paused reader or a crash act on the bytes below the library, as they would on a real device.
 */
class SocketShim implements IStompSocket {
  onclose: ((ev?: unknown) => unknown) | null = null;
  onerror: ((ev: unknown) => unknown) | null = null;
  onmessage: ((ev: { data: string | ArrayBuffer }) => unknown) | null = null;
  onopen: ((ev?: unknown) => unknown) | null = null;
  binaryType = 'arraybuffer';
  readyState = CONNECTING;
  readonly socket: DeviceSocket;

  constructor(
    readonly url: string,
    kind: SocketKind,
    options: LinkOptions,
  ) {
    this.socket = openSocket(kind, options.target, {
      onOpen: () => {
        this.readyState = OPEN;
        this.onopen?.();
      },
      onData: (data) => {
        const payload = typeof data === 'string' ? data : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
        this.onmessage?.({ data: payload as string | ArrayBuffer });
      },
      onClose: () => {
        this.readyState = CLOSED;
        this.onclose?.({ code: 1006, reason: '', wasClean: false });
      },
    });
  }

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (typeof data === 'string') this.socket.send(data);
    else if (ArrayBuffer.isView(data)) this.socket.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    else this.socket.send(Buffer.from(data as ArrayBuffer));
  }

  close(): void {
    this.socket.close();
  }

  terminate(): void {
    this.socket.terminate();
  }
}

/** A device session spoken by @stomp/stompjs (its own reconnect is off: the device owns backoff). */
export class StompJsLink implements Link {
  private readonly client: Client;
  private shim: SocketShim | undefined;
  private closedReported = false;
  private readonly subscriptions = new Map<string, string>();
  private readonly handlers: LinkOptions['handlers'];

  constructor(socketKind: SocketKind, options: LinkOptions) {
    const handlers = (this.handlers = options.handlers);
    const url = socketKind === 'sockjs' ? options.target.sockjsUrl : options.target.wsUrl;
    const reportClosed = (): void => {
      if (this.closedReported) return;
      this.closedReported = true;
      handlers.onClosed();
      void this.client.deactivate();
    };
    this.client = new Client({
      webSocketFactory: () => (this.shim = new SocketShim(url, socketKind, options)),
      connectHeaders: { Authorization: `Bearer ${options.token}`, host: options.host },
      reconnectDelay: 0,
      heartbeatIncoming: 0,
      heartbeatOutgoing: 10_000,
      connectionTimeout: 15_000,
      debug: () => undefined,
      onConnect: () => handlers.onConnected(),
      onStompError: (frame) => {
        const retry = frame.headers['retry-after'];
        handlers.onError(frame.headers['error-code'], frame.headers['message'] ?? frame.body, retry === undefined ? undefined : Number(retry));
      },
      onWebSocketClose: reportClosed,
    });
    this.client.activate();
  }

  get connected(): boolean {
    return this.client.connected && !this.closedReported;
  }

  send(destination: string, body: string, headers: Record<string, string> = {}): void {
    if (!this.connected) return;
    this.client.publish({ destination, body, headers: { 'content-type': 'application/json', ...headers } });
  }

  subscribe(id: string, destination: string, ack: 'auto' | 'client-individual'): void {
    if (!this.connected) return;
    this.subscriptions.set(destination, id);
    this.client.subscribe(destination, (m) => this.handlers.onMessage({ destination, headers: m.headers, body: m.body }), { id, ack });
  }

  ack(ackId: string): void {
    if (!this.connected) return;
    const subscription = this.subscriptions.get('/user/queue/commands') ?? '';
    this.client.ack(ackId, subscription);
  }

  tick(): void {
    // stompjs sends its own transport heart-beats
  }

  close(): void {
    void this.client.deactivate();
  }

  crash(): void {
    this.shim?.terminate();
  }

  setCut(on: boolean): void {
    this.shim?.socket.setCut(on);
  }

  setPaused(on: boolean): void {
    this.shim?.socket.setPaused(on);
  }
}
