/**
 * What a transport (WebSocket, SockJS, TCP) must provide to carry a STOMP session: bytes out, a
 * close, and an honest count of bytes written but not yet flushed to the kernel. That count is
 * how the session notices a slow reader before the heap does (see OutboundQueue).
 * A transport turns bytes into frames and back, nothing more: all protocol lives in the session.
 */
export type TransportKind = 'ws' | 'sockjs' | 'tcp' | 'test';

export interface StompConnection {
  readonly transport: TransportKind;
  readonly remoteAddress: string;
  /** Write one serialized frame (or a heart-beat EOL). Must not throw once closed. */
  write(data: Buffer): void;
  /** Bytes handed to write() that the transport has not flushed yet. */
  pendingBytes(): number;
  /** Register the callback invoked when pendingBytes() falls back under the low-water mark. */
  onDrain(callback: () => void): void;
  /** Flush what is written, then close. Idempotent. */
  close(): void;
}

export interface ConnectionInfo {
  readonly transport: TransportKind;
  readonly remoteAddress: string;
}
