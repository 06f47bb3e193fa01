import { NUL } from './byte';
import { StompFrame } from './frame';
import type { StompVersion } from './parser';

/** One heart-beat as sent on the wire: a single LF (STOMP 1.2 §"Heart-beating"). */
export const HEARTBEAT_EOL: Buffer = Buffer.from([0x0a]);

const NEEDS_ESCAPE_12 = /[\\\n\r:]/;
const NEEDS_ESCAPE_11 = /[\\\n:]/;
const ESCAPES_12 = /[\\\n\r:]/g;
const ESCAPES_11 = /[\\\n:]/g;
const ESCAPED: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', ':': '\\c' };

/**
 * Encodes a frame for the wire (STOMP 1.2 §"STOMP Frames",
 * https://stomp.github.io/stomp-specification-1.2.html#STOMP_Frames): the command, one
 * `name:value` line per header in order, a `content-length` header (the body's byte length) when
 * the body is non-empty and the frame has none, a blank line, the body, NUL. Lines end with LF.
 *
 * Header names and values are escaped per version (§"Value Encoding"): 1.2 escapes `\` LF CR and
 * `:` as `\\` `\n` `\r` `\c`; 1.1 has no `\r`; 1.0 escapes nothing; CONNECT, STOMP and CONNECTED
 * are never escaped. A header the chosen encoding cannot carry faithfully (an empty name; CR in
 * 1.1; LF, CR, or a colon in a name where nothing is escaped) throws a `RangeError` instead of
 * emitting a frame that would parse differently, so a forwarded header can never inject lines
 * into a frame for a 1.0 peer. The result always parses back to the same frame (plus the added
 * `content-length`) with {@link StompParser} at the same version: see codec.spec.ts.
 *
 * One allocation of the final size; the body is copied into it once.
 */
export function serializeFrame(frame: StompFrame, version: StompVersion = '1.2'): Buffer {
  const { command, headers, body } = frame;
  const escaped = command !== 'CONNECT' && command !== 'STOMP' && command !== 'CONNECTED' && version !== '1.0';
  const check = escaped ? (version === '1.1' ? NEEDS_ESCAPE_11 : NEEDS_ESCAPE_12) : undefined;
  const replace = version === '1.1' ? ESCAPES_11 : ESCAPES_12;
  let head = `${command}\n`;
  let hasContentLength = false;
  for (const [name, value] of headers) {
    if (name === '') throw new RangeError('STOMP header with an empty name');
    if (name === 'content-length') hasContentLength = true;
    if (check === undefined) {
      assertUnescaped(name, value, version);
      head += `${name}:${value}\n`;
    } else {
      if (version === '1.1' && (name.includes('\r') || value.includes('\r'))) {
        throw new RangeError(`STOMP 1.1 cannot carry CR in header ${JSON.stringify(name)}`);
      }
      const n = check.test(name) ? name.replace(replace, escapeChar) : name;
      const v = check.test(value) ? value.replace(replace, escapeChar) : value;
      head += `${n}:${v}\n`;
    }
  }
  if (!hasContentLength && body.length > 0) head += `content-length:${body.length}\n`;
  head += '\n';

  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + body.length + 1);
  out.write(head, 0, 'utf8');
  body.copy(out, headLength);
  out[out.length - 1] = NUL;
  return out;
}

function escapeChar(c: string): string {
  return ESCAPED[c] ?? c;
}

/** Where nothing is escaped, a header must not contain what would end its line or its name. */
function assertUnescaped(name: string, value: string, version: StompVersion): void {
  if (/[\r\n:]/.test(name) || /[\r\n]/.test(value)) {
    throw new RangeError(
      `header ${JSON.stringify(name)} cannot be sent unescaped (STOMP ${version} or a CONNECT/CONNECTED frame)`,
    );
  }
}
