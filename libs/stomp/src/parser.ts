import { COLON, CR, LF, NUL } from './byte';
import { StompError } from './errors';
import { CLIENT_COMMANDS, EMPTY_BODY, HeaderList, StompCommand, StompFrame } from './frame';

/** The STOMP protocol versions this codec speaks; the session negotiates one at CONNECT. */
export type StompVersion = '1.0' | '1.1' | '1.2';

export interface StompParserOptions {
  /**
   * Largest accepted frame in bytes, counted on the wire from the first byte of the command to
   * the terminating NUL inclusive (command line, header lines, blank line, body, NUL; heart-beat
   * EOLs between frames are not part of any frame). Beyond it: `StompError('frame-too-large')`.
   */
  maxFrameBytes: number;
  /** Most header lines one frame may carry (default 64). Beyond it: `StompError('bad-frame')`. */
  maxHeaders?: number;
  /** Commands accepted on this side of the connection (default {@link CLIENT_COMMANDS}). */
  commands?: readonly StompCommand[];
  /** Called synchronously, in order, for every complete frame. */
  onFrame: (frame: StompFrame) => void;
  /** Called for every EOL (LF or CRLF) received between frames: an incoming heart-beat. */
  onHeartbeat?: () => void;
}

export const DEFAULT_MAX_HEADERS = 64;

// States of the machine. Plain numbers (not an enum) so the hot `switch` compares small integers.
/** Between frames: EOLs here are heart-beats; any other byte starts a command line. */
const IDLE = 0;
/** Between frames after a CR: only LF may follow (a CRLF heart-beat). */
const IDLE_CR = 1;
/** Reading the command line and the header lines, up to the blank line. */
const HEAD = 2;
/** Reading a body of known size (content-length). */
const BODY_FIXED = 3;
/** Reading a body up to the first NUL (no content-length). */
const BODY_NUL = 4;
/** A content-length body is complete; its NUL terminator must come next. */
const EXPECT_NUL = 5;
type State = typeof IDLE | typeof IDLE_CR | typeof HEAD | typeof BODY_FIXED | typeof BODY_NUL | typeof EXPECT_NUL;

/** content-length is a plain non-negative decimal integer: no sign, no fraction, no blanks. */
const CONTENT_LENGTH = /^[0-9]+$/;

/**
 * An incremental, byte-level STOMP frame parser (server side, strict). Push chunks as they arrive
 * from any transport with {@link StompParser.push}; every complete frame is handed to `onFrame`,
 * every heart-beat EOL between frames to `onHeartbeat`, synchronously and in order. Any number of
 * frames may share a chunk and a frame may be split at any byte: inside a CRLF, inside an escape
 * sequence, inside a multi-byte UTF-8 character, inside a content-length body. The parser keeps
 * the partial frame and continues with the next chunk.
 *
 * Decisions, with the spec (https://stomp.github.io/stomp-specification-1.2.html) section each
 * one follows:
 *
 * - Bytes, not strings ("Value Encoding", "Augmented BNF"). Lengths are byte counts and bodies
 *   may hold any octet, so strings are converted to UTF-8 once on entry. Lines are found with
 *   `Buffer.indexOf(LF)` and bodies with `indexOf(NUL)`, never by a per-byte callback or string
 *   concatenation: on the hot path (a whole frame in one chunk) a header costs one `indexOf` for
 *   the line, one for the colon and two `toString('utf8')` calls. Splitting on raw LF/`:` bytes
 *   before decoding is safe because neither can occur inside a multi-byte UTF-8 sequence, and it
 *   is what lets a character split across chunks decode correctly (the line is joined first).
 * - EOL is LF or CRLF ("Augmented BNF": `EOL = [CR] LF`). A CR directly before LF is dropped in
 *   every version; 1.0 and 1.1 peers in the wild send CRLF too. Between frames a CR must be
 *   followed by LF.
 * - Heart-beats ("Heart-beating"): an EOL between frames, including right after a frame's NUL
 *   (the BNF's trailing `*( EOL )`), is reported to `onHeartbeat` and belongs to no frame.
 * - Commands: only those in `options.commands` are accepted, so a server rejects a client sending
 *   `MESSAGE` ("Client Frames"). Anything else is `bad-frame` as soon as the command line ends.
 * - Headers ("Headers"): split at the first colon, so values may contain colons; an empty name or
 *   a line without a colon is `bad-frame`. Names and values are not trimmed: spaces are content.
 *   Repeated headers are all kept, in order ("Repeated Header Entries": the first one wins,
 *   which is what {@link StompFrame.header} returns). At most `maxHeaders` lines.
 * - Escapes ("Value Encoding"): with version 1.2 `\r`, `\n`, `\c` and `\\` are decoded in names
 *   and values; 1.1 has no `\r`; 1.0 has no escaping at all. Any other escape, or a lone trailing
 *   backslash, is `bad-frame` ("Undefined escape sequences ... MUST be treated as a fatal protocol
 *   error"). CONNECT, STOMP and CONNECTED are never unescaped, whatever the version ("CONNECT and
 *   CONNECTED frames do not escape the carriage return, line feed or colon octets"). The version
 *   is read when each header line completes, so the session may set {@link version} from inside
 *   `onFrame` (after CONNECT) and the very next frame, even in the same chunk, uses it.
 * - Body ("Body", "Header content-length"): with `content-length` (the first occurrence) the body
 *   is exactly that many bytes, NULs included, and a NUL must follow it (anything else is
 *   `bad-frame`); without it the body ends at the first NUL. A `content-length` that is not a
 *   plain decimal integer ("", "-1", "+3", "1.5", "12a", " 1") is `bad-frame`.
 * - Size ("Size Limits"): {@link maxFrameBytes} is enforced while reading, never after buffering:
 *   an endless header line or NUL-terminated body fails as soon as the bytes held pass the limit,
 *   and a `content-length` that cannot fit fails before its first body byte arrives. The limit is
 *   settable so a session can raise it once CONNECTED (SPEC §4: 8 KiB before, 64 KiB after).
 * - Bodies are copied out of the pushed chunks (a `content-length` body straight into a buffer of
 *   its final size). A frame never aliases transport memory: a small body does not pin a large
 *   socket chunk, and a caller may reuse its `Uint8Array`.
 * - Failure is final: the first violation throws a {@link StompError} (`bad-frame` or
 *   `frame-too-large`) from `push`, and every later `push` throws the same error: after a framing
 *   error the byte stream cannot be resynchronised, so the session answers with ERROR and closes.
 *   An exception thrown by `onFrame`/`onHeartbeat` propagates out of `push` the same way and also
 *   leaves the parser failed (the rest of that chunk is not parsed).
 *
 * Model: the `Parser` of `@stomp/stompjs` (src/parser.ts), made strict, size-bounded and
 * chunk-scanning instead of byte-at-a-time. The cases it must handle are in parser.spec.ts; the
 * round trip with the serializer under random chunking is property-tested in codec.spec.ts.
 */
export class StompParser {
  /** Largest accepted frame in bytes (see {@link StompParserOptions.maxFrameBytes}); settable. */
  maxFrameBytes: number;
  /** Negotiated version: decides header unescaping. Default '1.2'; settable at any time. */
  version: StompVersion = '1.2';

  private readonly maxHeaders: number;
  private readonly commands: ReadonlySet<string>;
  private readonly onFrame: (frame: StompFrame) => void;
  private readonly onHeartbeat: (() => void) | undefined;

  private state: State = IDLE;
  private failure: unknown = undefined;

  // Current frame.
  /** Bytes of the current frame already consumed (complete lines, body bytes held). */
  private frameBytes = 0;
  private command: StompCommand | undefined;
  private headers: HeaderList = [];
  private contentLength: number | undefined;
  /** Pieces of a line split across chunks (copied), and their total length. */
  private lineParts: Buffer[] = [];
  private lineLength = 0;
  /** BODY_FIXED: the body buffer being filled and the bytes written so far. */
  private fixedBody: Buffer = EMPTY_BODY;
  private fixedFilled = 0;
  /** BODY_NUL: pieces of the body seen so far (copied), and their total length. */
  private bodyParts: Buffer[] = [];
  private bodyLength = 0;

  constructor(options: StompParserOptions) {
    this.maxFrameBytes = options.maxFrameBytes;
    this.maxHeaders = options.maxHeaders ?? DEFAULT_MAX_HEADERS;
    this.commands = new Set<string>(options.commands ?? CLIENT_COMMANDS);
    this.onFrame = options.onFrame;
    this.onHeartbeat = options.onHeartbeat;
  }

  /**
   * Feeds the next chunk of the byte stream (a string is taken as UTF-8). Emits every frame and
   * heart-beat it completes before returning; throws a {@link StompError} on the first violation,
   * and again on every later call.
   */
  push(chunk: Buffer | Uint8Array | string): void {
    if (this.failure !== undefined) throw this.failure;
    const buf =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    try {
      this.consume(buf);
    } catch (err) {
      this.failure = err;
      throw err;
    }
  }

  private consume(buf: Buffer): void {
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      switch (this.state) {
        case IDLE: {
          const b = buf[pos];
          if (b === LF) {
            pos++;
            this.onHeartbeat?.();
          } else if (b === CR) {
            pos++;
            this.state = IDLE_CR;
          } else {
            this.state = HEAD;
          }
          break;
        }
        case IDLE_CR:
          if (buf[pos] !== LF) throw badFrame('CR not followed by LF between frames');
          pos++;
          this.state = IDLE;
          this.onHeartbeat?.();
          break;
        case HEAD:
          pos = this.readHead(buf, pos);
          break;
        case BODY_FIXED:
          pos = this.readFixedBody(buf, pos);
          break;
        case BODY_NUL:
          pos = this.readNulBody(buf, pos);
          break;
        case EXPECT_NUL:
          if (buf[pos] !== NUL) throw badFrame('frame body longer than its content-length (no NUL after it)');
          pos++;
          this.emit(this.fixedBody);
          break;
      }
    }
  }

  /** Consumes at most one line of the command/header section; returns the next position. */
  private readHead(buf: Buffer, pos: number): number {
    const lf = buf.indexOf(LF, pos);
    const end = lf === -1 ? buf.length : lf;
    const held = this.frameBytes + this.lineLength + (end - pos) + (lf === -1 ? 0 : 1);
    if (held > this.maxFrameBytes) throw this.tooLarge();
    if (lf === -1) {
      if (end > pos) {
        this.lineParts.push(Buffer.from(buf.subarray(pos, end)));
        this.lineLength += end - pos;
      }
      return end;
    }
    this.frameBytes += this.lineLength + (lf - pos) + 1;
    if (this.lineParts.length === 0) {
      // Hot path: the whole line is in this chunk; no copy, no view object.
      this.onLine(buf, pos, lf > pos && buf[lf - 1] === CR ? lf - 1 : lf);
    } else {
      this.lineParts.push(buf.subarray(pos, lf));
      const line = Buffer.concat(this.lineParts, this.lineLength + (lf - pos));
      this.lineParts = [];
      this.lineLength = 0;
      this.onLine(line, 0, line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length);
    }
    return lf + 1;
  }

  /** Handles the line `buf[start, end)` (its EOL already removed). */
  private onLine(buf: Buffer, start: number, end: number): void {
    if (this.command === undefined) {
      const command = buf.toString('latin1', start, end);
      if (!this.commands.has(command)) throw badFrame(`unknown command ${printable(command)}`);
      this.command = command as StompCommand;
      return;
    }
    if (end === start) {
      this.startBody();
      return;
    }
    const colon = buf.indexOf(COLON, start);
    if (colon === -1 || colon >= end) throw badFrame('header line without a colon');
    if (colon === start) throw badFrame('header with an empty name');
    if (this.headers.length >= this.maxHeaders) throw badFrame(`more than ${this.maxHeaders} headers`);
    let name = buf.toString('utf8', start, colon);
    let value = buf.toString('utf8', colon + 1, end);
    const escaping = this.escaping();
    if (escaping !== undefined) {
      name = unescapeHeader(name, escaping);
      value = unescapeHeader(value, escaping);
    }
    this.headers.push([name, value]);
    if (name === 'content-length' && this.contentLength === undefined) {
      if (!CONTENT_LENGTH.test(value)) throw badFrame(`invalid content-length ${printable(value)}`);
      this.contentLength = Number(value);
    }
  }

  /** The escape dialect for the current frame, or undefined when nothing is unescaped. */
  private escaping(): '1.1' | '1.2' | undefined {
    const c = this.command;
    if (c === 'CONNECT' || c === 'STOMP' || c === 'CONNECTED' || this.version === '1.0') return undefined;
    return this.version;
  }

  private startBody(): void {
    const length = this.contentLength;
    if (length === undefined) {
      this.state = BODY_NUL;
      return;
    }
    if (this.frameBytes + length + 1 > this.maxFrameBytes) throw this.tooLarge();
    this.fixedBody = length === 0 ? EMPTY_BODY : Buffer.allocUnsafe(length);
    this.fixedFilled = 0;
    this.state = length === 0 ? EXPECT_NUL : BODY_FIXED;
  }

  private readFixedBody(buf: Buffer, pos: number): number {
    const take = Math.min(this.fixedBody.length - this.fixedFilled, buf.length - pos);
    buf.copy(this.fixedBody, this.fixedFilled, pos, pos + take);
    this.fixedFilled += take;
    if (this.fixedFilled === this.fixedBody.length) this.state = EXPECT_NUL;
    return pos + take;
  }

  private readNulBody(buf: Buffer, pos: number): number {
    const nul = buf.indexOf(NUL, pos);
    const end = nul === -1 ? buf.length : nul;
    const held = this.frameBytes + this.bodyLength + (end - pos) + (nul === -1 ? 0 : 1);
    if (held > this.maxFrameBytes) throw this.tooLarge();
    if (nul === -1) {
      this.bodyParts.push(Buffer.from(buf.subarray(pos, end)));
      this.bodyLength += end - pos;
      return end;
    }
    let body: Buffer;
    if (this.bodyParts.length === 0) {
      body = nul === pos ? EMPTY_BODY : Buffer.from(buf.subarray(pos, nul));
    } else {
      this.bodyParts.push(buf.subarray(pos, nul));
      body = Buffer.concat(this.bodyParts, this.bodyLength + (nul - pos));
    }
    this.emit(body);
    return nul + 1;
  }

  /** Resets for the next frame before handing this one out, so `onFrame` may re-enter settings. */
  private emit(body: Buffer): void {
    const frame = new StompFrame(this.command as StompCommand, this.headers, body);
    this.state = IDLE;
    this.frameBytes = 0;
    this.command = undefined;
    this.headers = [];
    this.contentLength = undefined;
    this.fixedBody = EMPTY_BODY;
    this.fixedFilled = 0;
    this.bodyParts = [];
    this.bodyLength = 0;
    this.onFrame(frame);
  }

  private tooLarge(): StompError {
    return new StompError('frame-too-large', `frame larger than ${this.maxFrameBytes} bytes`);
  }
}

/**
 * Decodes the escape sequences of a header name or value ("Value Encoding"). Backslash is a
 * single byte in UTF-8, so decoding on the string equals decoding on the bytes.
 */
function unescapeHeader(s: string, version: '1.1' | '1.2'): string {
  let i = s.indexOf('\\');
  if (i === -1) return s;
  let out = '';
  let from = 0;
  while (i !== -1) {
    out += s.slice(from, i);
    const next = s[i + 1];
    if (next === 'n') out += '\n';
    else if (next === 'c') out += ':';
    else if (next === '\\') out += '\\';
    else if (next === 'r' && version === '1.2') out += '\r';
    else if (next === undefined) throw badFrame('header ends with a lone backslash');
    else throw badFrame(`undefined escape sequence \\${printable(next)} in a header (STOMP ${version})`);
    from = i + 2;
    i = s.indexOf('\\', from);
  }
  return out + s.slice(from);
}

function badFrame(message: string): StompError {
  return new StompError('bad-frame', message);
}

/** Quotes peer-supplied text for an error message: bounded and without control characters. */
function printable(s: string): string {
  const cut = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return JSON.stringify(cut);
}
