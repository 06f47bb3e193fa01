/**
 * A deliberately small STOMP 1.2 client codec for the simulator's hand-written links (raw
 * WebSocket and TCP). It is not the server's parser (the simulator shares only `contracts` with
 * the server, ARCHITECTURE.md): it serializes the few frames a device sends and parses what a
 * server sends a device (CONNECTED, MESSAGE, RECEIPT, ERROR), keeping only the unparsed tail of
 * the stream between chunks, so a device holds a few hundred bytes of parser state at most.
 *
 * Spec: https://stomp.github.io/stomp-specification-1.2.html ("Augmented BNF", "Value Encoding").
 */

export interface StompFrame {
  readonly command: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const NUL = 0;
const LF = 10;
const CR = 13;

/** Header value escaping of STOMP 1.2 (not applied to CONNECT/CONNECTED, per the spec). */
function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/:/g, '\\c');
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'c' ? ':' : c));
}

/** One frame as bytes. The body's length is always sent, so bodies may contain NUL. */
export function serializeFrame(command: string, headers: Record<string, string>, body = ''): Buffer {
  const raw = command === 'CONNECT' || command === 'STOMP';
  const bodyBytes = Buffer.from(body, 'utf8');
  let head = `${command}\n`;
  for (const [k, v] of Object.entries(headers)) head += raw ? `${k}:${v}\n` : `${escape(k)}:${escape(v)}\n`;
  if (bodyBytes.length > 0) head += `content-length:${bodyBytes.length}\n`;
  head += '\n';
  return Buffer.concat([Buffer.from(head, 'utf8'), bodyBytes, Buffer.from([NUL])]);
}

/** A heart-beat: one end-of-line between frames. */
export const HEARTBEAT_EOL = Buffer.from('\n');

/**
 * Incremental parser: push chunks as they arrive (split or merged anywhere); complete frames come
 * out of `onFrame` in order. Throws on a malformed stream (the caller drops the connection).
 */
export class StompFrameParser {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (frame: StompFrame) => void) {}

  push(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    for (;;) {
      // heart-beats and EOLs between frames
      let start = 0;
      while (start < this.pending.length && (this.pending[start] === LF || this.pending[start] === CR)) start++;
      if (start > 0) this.pending = this.pending.subarray(start);
      if (this.pending.length === 0) return;
      const consumed = this.parseOne();
      if (consumed === 0) return;
      this.pending = this.pending.subarray(consumed);
    }
  }

  /** Parses one frame at the head of `pending`; 0 when it is not complete yet. */
  private parseOne(): number {
    const buf = this.pending;
    const headEnd = findHeadEnd(buf);
    if (headEnd === undefined) {
      if (buf.length > 64 * 1024) throw new Error('STOMP frame head too large');
      return 0;
    }
    const lines = buf.subarray(0, headEnd.at).toString('utf8').split(/\r?\n/);
    const command = lines[0] ?? '';
    if (!/^[A-Z]+$/.test(command)) throw new Error(`bad STOMP command '${command.slice(0, 20)}'`);
    const headers: Record<string, string> = {};
    const raw = command === 'CONNECTED';
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error('bad STOMP header line');
      const key = raw ? line.slice(0, colon) : unescape(line.slice(0, colon));
      // the first occurrence of a repeated header wins (STOMP 1.2)
      if (!(key in headers)) headers[key] = raw ? line.slice(colon + 1) : unescape(line.slice(colon + 1));
    }
    const bodyStart = headEnd.at + headEnd.length;
    const declared = headers['content-length'];
    let bodyEnd: number;
    if (declared !== undefined) {
      const length = Number(declared);
      if (!Number.isInteger(length) || length < 0) throw new Error('bad content-length');
      if (buf.length < bodyStart + length + 1) return 0;
      bodyEnd = bodyStart + length;
      if (buf[bodyEnd] !== NUL) throw new Error('missing NUL after body');
    } else {
      const nul = buf.indexOf(NUL, bodyStart);
      if (nul < 0) return 0;
      bodyEnd = nul;
    }
    this.onFrame({ command, headers, body: buf.subarray(bodyStart, bodyEnd).toString('utf8') });
    return bodyEnd + 1;
  }
}

function findHeadEnd(buf: Buffer): { at: number; length: number } | undefined {
  const lf = buf.indexOf('\n\n');
  const crlf = buf.indexOf('\r\n\r\n');
  if (lf < 0 && crlf < 0) return undefined;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  return { at: lf, length: 2 };
}
