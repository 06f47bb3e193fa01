/**
 * Structured JSON logging with pino. SPEC §4: no token is ever written to logs. Two layers:
 * known secret-bearing fields are redacted by path (at the top level and up to two levels deep),
 * and every finished line is scrubbed of JWT-shaped strings, `Bearer` credentials and token query
 * parameters, wherever they appear (messages, error text, URLs, unexpected fields).
 */
import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';

export type AppLogger = Logger;
export type AppLogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export const REDACTED = '[redacted]';

const SECRET_KEYS = ['authorization', 'Authorization', 'passcode', 'password', 'token', 'accessToken', 'refreshToken', 'secret'];

/** Redacted field paths: each secret key at depth 0, 1 and 2 (`*.token` covers `headers.token`). */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

const URL_SECRET_PARAM = /([?&](?:access_token|token|jwt|passcode)=)[^&#\s"\\]*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer\s+)[^\s"\\]+/gi;

/** Replaces the values of access_token/token/jwt/passcode query parameters with [redacted]. */
export function redactUrl(url: string): string {
  return url.replace(URL_SECRET_PARAM, `$1${REDACTED}`);
}

/** Scrubs credentials from free text (a log line, an error message). */
export function scrubSecrets(text: string): string {
  return redactUrl(text).replace(JWT, REDACTED).replace(BEARER, `$1${REDACTED}`);
}

/** A pino logger writing JSON lines to `destination` (default stdout). */
export function createLogger(level: AppLogLevel, destination?: DestinationStream): AppLogger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    hooks: { streamWrite: scrubSecrets },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

const STACK_LINE = /\n\s+at /;

/**
 * Nest's LoggerService on top of a pino logger, so `app.useLogger(...)` (or NestFactory.create's
 * `logger` option) turns framework logs into the same JSON lines. Nest's calling conventions:
 * `log(message, context?)`, `error(message, stack?, context?)`; the context is the last string.
 */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: AppLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    if (typeof rest[rest.length - 1] === 'string') {
      const last = rest[rest.length - 1] as string;
      // error(message, stack) with no context: a lone stack is not a context
      if (!(level === 'error' && rest.length === 1 && STACK_LINE.test(last))) {
        fields['context'] = last;
        rest.pop();
      }
    }
    if (level === 'error' && typeof rest[0] === 'string') fields['stack'] = rest.shift();
    if (rest.length > 0) fields['params'] = rest;

    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
