import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { SERVER_COMMANDS, StompParser, type StompFrame } from '@landside/stomp';

/**
 * A deliberately low-level STOMP client for tests: hand-written frames over TCP or WebSocket,
 * every server frame parsed and queued, so a test can assert exact headers and the close.
 */
export class RawStompClient {
  readonly frames: StompFrame[] = [];
  heartbeats = 0;
  closed = false;
  private waiters: Array<() => void> = [];
  private readonly parser = new StompParser({
    maxFrameBytes: 10 * 1024 * 1024,
    commands: SERVER_COMMANDS,
    onFrame: (frame) => {
      this.frames.push(frame);
      this.wake();
    },
    onHeartbeat: () => {
      this.heartbeats++;
      this.wake();
    },
  });

  private constructor(
    private readonly writeRaw: (data: string | Buffer) => void,
    private readonly end: () => void,
  ) {}

  static tcp(port: number): Promise<RawStompClient> {
    return new Promise((resolve, reject) => {
      const socket: Socket = connect(port, '127.0.0.1');
      const client = new RawStompClient(
        (d) => socket.write(d),
        () => socket.destroy(),
      );
      socket.on('data', (chunk: Buffer) => client.feed(chunk));
      socket.on('close', () => client.markClosed());
      socket.on('error', () => client.markClosed());
      socket.once('connect', () => resolve(client));
      socket.once('error', reject);
    });
  }

  static ws(url: string, protocols: string[] = ['v12.stomp'], headers: Record<string, string> = {}): Promise<RawStompClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, { headers });
      const client = new RawStompClient(
        (d) => ws.send(d),
        () => ws.terminate(),
      );
      ws.on('message', (data: Buffer) => client.feed(data));
      ws.on('close', () => client.markClosed());
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  private feed(chunk: Buffer): void {
    this.parser.push(chunk);
  }

  private markClosed(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  write(data: string | Buffer): void {
    this.writeRaw(data);
  }

  send(command: string, headers: Record<string, string> | Array<[string, string]> = {}, body = ''): void {
    const list = Array.isArray(headers) ? headers : Object.entries(headers);
    this.write(`${command}\n${list.map(([k, v]) => `${k}:${v}`).join('\n')}${list.length ? '\n' : ''}\n${body}\0`);
  }

  /** CONNECT with a bearer token and wait for CONNECTED (or whatever comes). */
  async connect(token: string | undefined, extra: Record<string, string> = {}): Promise<StompFrame> {
    const headers: Record<string, string> = { 'accept-version': '1.2', host: 'landside', ...extra };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    this.send('CONNECT', headers);
    return this.next();
  }

  async next(timeoutMs = 5000): Promise<StompFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closed) throw new Error('connection closed before a frame arrived');
      await this.waitForActivity(deadline - Date.now());
      if (Date.now() >= deadline && this.frames.length === 0) throw new Error(`no frame within ${timeoutMs} ms`);
    }
    return this.frames.shift()!;
  }

  /** Next frame of the given command, skipping others (returned frames are discarded). */
  async nextOf(command: string, timeoutMs = 5000): Promise<StompFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = await this.next(Math.max(1, deadline - Date.now()));
      if (frame.command === command) return frame;
    }
  }

  /** The first frame (queued or still to come) that matches; frames that don't match stay queued. */
  async take(match: (frame: StompFrame) => boolean, timeoutMs = 5000): Promise<StompFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(index, 1)[0]!;
      if (this.closed) throw new Error('connection closed before a matching frame arrived');
      if (Date.now() >= deadline) throw new Error(`no matching frame within ${timeoutMs} ms`);
      await this.waitForActivity(deadline - Date.now());
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() >= deadline) throw new Error(`still open after ${timeoutMs} ms`);
      await this.waitForActivity(deadline - Date.now());
    }
  }

  private waitForActivity(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, ms));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.end();
  }
}
