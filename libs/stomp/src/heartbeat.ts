import { StompError } from './errors';

/**
 * Negotiated heart-beat intervals of one connection, in milliseconds; 0 means disabled.
 * `sendEveryMs`: the server sends something (a frame or an EOL) at least this often.
 * `expectEveryMs`: the client promised to; the session allows some slack (SPEC §2: 2×).
 */
export interface HeartbeatTerms {
  sendEveryMs: number;
  expectEveryMs: number;
}

const HEART_BEAT = /^([0-9]+),([0-9]+)$/;

/**
 * Parses a `heart-beat` header (STOMP 1.2 §"Heart-beating",
 * https://stomp.github.io/stomp-specification-1.2.html#Heart-beating): two non-negative integers
 * `cx,cy` separated by a comma, nothing else (no blanks, signs, fractions, extra fields).
 * An absent header means `0,0`. Anything else throws `StompError('bad-frame')`.
 */
export function parseHeartbeatHeader(value: string | undefined): [number, number] {
  if (value === undefined) return [0, 0];
  const m = HEART_BEAT.exec(value);
  const x = m ? Number(m[1]) : NaN;
  const y = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) {
    throw new StompError('bad-frame', `invalid heart-beat header ${JSON.stringify(value.slice(0, 40))}`);
  }
  return [x, y];
}

/**
 * Applies the spec's rule to the client's `heart-beat:cx,cy` and the server's offer `[sx, sy]`
 * (`sx`: how often the server can send, `sy`: how often it wants to receive):
 * the server sends every `max(sx, cy)` ms unless `sx` or `cy` is 0, and expects the client every
 * `max(cx, sy)` ms unless `cx` or `sy` is 0. An invalid client header throws like
 * {@link parseHeartbeatHeader}.
 */
export function negotiateHeartbeat(clientHeader: string | undefined, server: readonly [number, number]): HeartbeatTerms {
  const [cx, cy] = parseHeartbeatHeader(clientHeader);
  const [sx, sy] = server;
  return {
    sendEveryMs: sx === 0 || cy === 0 ? 0 : Math.max(sx, cy),
    expectEveryMs: cx === 0 || sy === 0 ? 0 : Math.max(cx, sy),
  };
}
