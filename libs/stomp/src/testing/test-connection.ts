import type { StompConnection, TransportKind } from '../connection';
import { SERVER_COMMANDS, type ServerCommand, type StompFrame } from '../frame';
import { StompParser, type StompVersion } from '../parser';

/** One thing the server wrote: a frame, or a heart-beat EOL between frames. */
export type WrittenEvent = StompFrame | 'heartbeat';

/**
 * A StompConnection for tests, without sockets: it records every write, parses the bytes back
 * into server frames (with the STOMP version the CONNECTED frame announced, so escaped headers
 * decode as a client would see them), counts heart-beat EOLs, simulates a slow reader through a
 * settable {@link pending} byte count, fires the session's drain callback on {@link drain}, and
 * records close().
 */
export class TestConnection implements StompConnection {
  readonly transport: TransportKind = 'test';
  /** Raw writes, in order. */
  readonly writes: Buffer[] = [];
  /** Frames and heart-beat EOLs, in the order they were written. */
  readonly events: WrittenEvent[] = [];
  /** Bytes "in flight" reported by pendingBytes(): above the high-water mark the reader is slow. */
  pending = 0;
  /** When true every write adds its length to {@link pending}, like a socket nobody reads. */
  accumulate = false;
  /** Times close() was called. */
  closeCalls = 0;
  /** Writes that arrived after close(): a session must not produce any. */
  writesAfterClose = 0;

  private readonly drainCallbacks: Array<() => void> = [];
  private readonly parser: StompParser;
  private cursor = 0;

  constructor(readonly remoteAddress = '192.0.2.1:50000') {
    this.parser = new StompParser({
      maxFrameBytes: 16 * 1024 * 1024,
      commands: SERVER_COMMANDS,
      onFrame: (frame) => {
        if (frame.command === 'CONNECTED') {
          const version = frame.header('version');
          if (version === '1.0' || version === '1.1' || version === '1.2') this.parser.version = version;
        }
        this.events.push(frame);
      },
      onHeartbeat: () => this.events.push('heartbeat'),
    });
  }

  // ---- StompConnection ----------------------------------------------------------------------

  write(data: Buffer): void {
    if (this.closeCalls > 0) this.writesAfterClose++;
    const copy = Buffer.from(data);
    this.writes.push(copy);
    if (this.accumulate) this.pending += copy.length;
    this.parser.push(copy);
  }

  pendingBytes(): number {
    return this.pending;
  }

  onDrain(callback: () => void): void {
    this.drainCallbacks.push(callback);
  }

  close(): void {
    this.closeCalls++;
  }

  // ---- test controls and views --------------------------------------------------------------

  /** The reader caught up: set pendingBytes() (default 0) and fire the drain callbacks. */
  drain(pending = 0): void {
    this.pending = pending;
    for (const callback of this.drainCallbacks) callback();
  }

  get closed(): boolean {
    return this.closeCalls > 0;
  }

  /** Parser version used for the server's frames (follows CONNECTED's `version`). */
  get version(): StompVersion {
    return this.parser.version;
  }

  /** Every frame written so far. */
  get frames(): StompFrame[] {
    return this.events.filter((e): e is StompFrame => e !== 'heartbeat');
  }

  /** Heart-beat EOLs written so far. */
  get heartbeats(): number {
    return this.events.filter((e) => e === 'heartbeat').length;
  }

  framesOf(command: ServerCommand): StompFrame[] {
    return this.frames.filter((f) => f.command === command);
  }

  get lastFrame(): StompFrame | undefined {
    const frames = this.frames;
    return frames[frames.length - 1];
  }

  /** The ERROR frame, if any (a session writes at most one, then closes). */
  get error(): StompFrame | undefined {
    return this.framesOf('ERROR')[0];
  }

  /** Frames written since the previous call (heart-beats skipped). */
  take(): StompFrame[] {
    const fresh = this.events.slice(this.cursor);
    this.cursor = this.events.length;
    return fresh.filter((e): e is StompFrame => e !== 'heartbeat');
  }
}
