/** Logging: secrets never reach the output; Nest's logger calls become JSON lines. */
import type { DestinationStream } from 'pino';
import { createLogger, PinoNestLogger, redactUrl, scrubSecrets } from './logger';

// header.payload.signature, shaped like a real HS256 JWT
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJnYXRlLTEiLCJyb2xlIjoiREVWSUNFIiwiZXhwIjoxOTAwMDAwMDAwfQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';

function capture(): { dest: DestinationStream; lines: () => Array<Record<string, unknown>>; raw: () => string } {
  const chunks: string[] = [];
  return {
    dest: { write: (s: string) => void chunks.push(s) },
    raw: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger redaction', () => {
  it('never writes a JWT given as authorization, passcode or token, at any depth', () => {
    const out = capture();
    const log = createLogger('trace', out.dest);
    log.info({ authorization: `Bearer ${JWT}`, passcode: JWT, token: JWT }, 'connect');
    log.info({ headers: { authorization: `Bearer ${JWT}`, Authorization: `Bearer ${JWT}`, passcode: JWT, login: 'gate-1' } }, 'frame');
    log.info({ req: { headers: { authorization: `Bearer ${JWT}` }, url: `/stomp?access_token=${JWT}` } }, 'upgrade');
    log.info({ session: { auth: { accessToken: JWT, refreshToken: JWT, secret: 's3cr3t', password: 'pw' } } });
    log.info({ a: { b: { c: { d: { note: `deep ${JWT}` } } } } });
    log.warn(`refresh failed for Bearer ${JWT}`);
    log.error({ err: new Error(`invalid token ${JWT}`) }, 'verify failed');
    log.debug({ url: `https://x.example/sockjs/info?jwt=${JWT}&t=1` });

    const raw = out.raw();
    expect(raw).not.toContain(JWT);
    expect(raw).not.toContain(JWT.split('.')[1]!);
    expect(raw).not.toContain('s3cr3t');
    const lines = out.lines();
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatchObject({ msg: 'connect', authorization: '[redacted]', passcode: '[redacted]', token: '[redacted]', level: 'info' });
    expect(lines[1]).toMatchObject({ headers: { authorization: '[redacted]', Authorization: '[redacted]', passcode: '[redacted]', login: 'gate-1' } });
    expect(lines[2]).toMatchObject({ req: { headers: { authorization: '[redacted]' }, url: '/stomp?access_token=[redacted]' } });
    expect(lines[3]).toMatchObject({ session: { auth: { accessToken: '[redacted]', refreshToken: '[redacted]', secret: '[redacted]', password: '[redacted]' } } });
    expect(lines[5]!['msg']).toBe('refresh failed for Bearer [redacted]');
    expect(lines[7]!['url']).toBe('https://x.example/sockjs/info?jwt=[redacted]&t=1');
  });

  it('writes ISO timestamps and level labels', () => {
    const out = capture();
    createLogger('info', out.dest).info('hello');
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 'info', msg: 'hello' });
    expect(typeof line!['time']).toBe('string');
    expect(new Date(line!['time'] as string).toISOString()).toBe(line!['time']);
  });

  it('respects the level', () => {
    const out = capture();
    const log = createLogger('warn', out.dest);
    log.info('no');
    log.warn('yes');
    expect(out.lines().map((l) => l['msg'])).toEqual(['yes']);
    const silent = capture();
    createLogger('silent', silent.dest).fatal('nothing');
    expect(silent.raw()).toBe('');
  });
});

describe('redactUrl / scrubSecrets', () => {
  it('redacts token query parameters and keeps the rest of the URL', () => {
    expect(redactUrl('/stomp?access_token=abc&x=1')).toBe('/stomp?access_token=[redacted]&x=1');
    expect(redactUrl('ws://h:3000/stomp?x=1&token=abc#frag')).toBe('ws://h:3000/stomp?x=1&token=[redacted]#frag');
    expect(redactUrl('/a?JWT=abc&passcode=p&tokenish=keep')).toBe('/a?JWT=[redacted]&passcode=[redacted]&tokenish=keep');
    expect(redactUrl('/plain/path')).toBe('/plain/path');
  });

  it('scrubs JWTs and bearer credentials from free text', () => {
    expect(scrubSecrets(`got ${JWT}.`)).toBe('got [redacted].');
    expect(scrubSecrets('Authorization: bearer opaque-token-123')).toBe('Authorization: bearer [redacted]');
  });
});

describe('PinoNestLogger', () => {
  it('maps Nest calls to JSON lines with context, stack and error', () => {
    const out = capture();
    const nest = new PinoNestLogger(createLogger('trace', out.dest));
    nest.log('started', 'Bootstrap');
    nest.error('failed', 'Error: x\n    at foo (a.ts:1:1)', 'Gateway');
    nest.error('lonely stack', 'Error: y\n    at bar (b.ts:2:2)');
    nest.error(new Error(`bad ${JWT}`));
    nest.warn({ event: 'slow', ms: 12 }, 'Bus');
    nest.debug('dbg');
    nest.verbose('verbose');
    nest.fatal('dead', 'Main');
    const lines = out.lines();
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'started', context: 'Bootstrap' });
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'failed', context: 'Gateway', stack: 'Error: x\n    at foo (a.ts:1:1)' });
    expect(lines[2]).toMatchObject({ level: 'error', msg: 'lonely stack', stack: 'Error: y\n    at bar (b.ts:2:2)' });
    expect(lines[2]!['context']).toBeUndefined();
    expect(lines[3]).toMatchObject({ level: 'error', msg: 'bad [redacted]' });
    expect(lines[4]).toMatchObject({ level: 'warn', event: 'slow', ms: 12, context: 'Bus' });
    expect(lines.slice(5).map((l) => l['level'])).toEqual(['debug', 'trace', 'fatal']);
    expect(out.raw()).not.toContain(JWT);
  });
});
