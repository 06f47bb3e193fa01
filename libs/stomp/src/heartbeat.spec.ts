import { StompError } from './errors';
import { negotiateHeartbeat, parseHeartbeatHeader } from './heartbeat';

describe('parseHeartbeatHeader', () => {
  it.each([
    [undefined, [0, 0]],
    ['0,0', [0, 0]],
    ['10000,5000', [10000, 5000]],
    ['007,0', [7, 0]],
  ] as const)('parses %j', (value, expected) => {
    expect(parseHeartbeatHeader(value)).toEqual(expected);
  });

  it.each(['', '-1,0', '0,-1', 'a,b', '1', '1,', ',1', '1,2,3', ' 1,2', '1, 2', '1,2 ', '1.5,2', '+1,2', '1;2', '1e3,0', '99999999999999999999,0'])(
    'refuses %j with bad-frame',
    (value) => {
      let caught: unknown;
      try {
        parseHeartbeatHeader(value);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(StompError);
      expect((caught as StompError).code).toBe('bad-frame');
    },
  );
});

describe('negotiateHeartbeat', () => {
  // [client header, server [sx, sy], sendEveryMs, expectEveryMs]
  it.each([
    [undefined, [10000, 10000], 0, 0],
    ['0,0', [10000, 10000], 0, 0],
    ['4000,4000', [10000, 10000], 10000, 10000],
    ['20000,30000', [10000, 10000], 30000, 20000],
    ['5000,0', [10000, 10000], 0, 10000],
    ['0,5000', [10000, 10000], 10000, 0],
    ['5000,5000', [0, 10000], 0, 10000],
    ['5000,5000', [10000, 0], 10000, 0],
    ['5000,5000', [0, 0], 0, 0],
    ['1,2', [3, 4], 3, 4],
    ['30000,1', [10000, 10000], 10000, 30000],
  ] as const)('client %j with server %j: send every %d ms, expect every %d ms', (client, server, send, expectEvery) => {
    expect(negotiateHeartbeat(client, server)).toEqual({ sendEveryMs: send, expectEveryMs: expectEvery });
  });

  it('refuses an invalid client header', () => {
    expect(() => negotiateHeartbeat('-1,0', [10000, 10000])).toThrow(StompError);
    expect(() => negotiateHeartbeat('x', [10000, 10000])).toThrow(/heart-beat/);
  });
});
