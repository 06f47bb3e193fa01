/**
 * The application's configuration, read once from environment variables (SPEC §9) and validated
 * up front with envalid: a bad value stops the process with one error naming every bad variable
 * (never echoing a secret). The result is a typed, deeply frozen object; libs receive the parts
 * they need from the app, they never read the environment themselves.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { cleanEnv, EnvMissingError, makeValidator, type ReporterOptions } from 'envalid';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AppConfig {
  /** HTTP, WebSocket, SockJS and the dashboard (`PORT`). */
  readonly port: number;
  /** Bind address for HTTP and STOMP over TCP (`HOST`). */
  readonly host: string;
  /** PostgreSQL connection string; unset means the embedded PGlite database (`DATABASE_URL`). */
  readonly databaseUrl?: string;
  /** True when no `DATABASE_URL` is set: PGlite in `dataDir`, generated JWT secret kept there. */
  readonly embedded: boolean;
  /** Embedded database files and other local state (`DATA_DIR`). */
  readonly dataDir: string;
  /** Redis for scale-out; unset means the in-process bus (`REDIS_URL`). */
  readonly redisUrl?: string;
  readonly jwt: {
    readonly secret?: string;
    readonly publicKey?: string;
    readonly privateKey?: string;
    readonly issuer: string;
    readonly audience: string;
  };
  readonly admin: { readonly username: string; readonly password?: string };
  /** Exact origins (scheme://host[:port]) allowed for browser transports and CORS. */
  readonly allowedOrigins: readonly string[];
  /** Seed the demo airport and run the simulator. */
  readonly demo: boolean;
  /** Devices in the demo airport (`DEMO_DEVICES`). */
  readonly demoDevices: number;
  readonly logLevel: LogLevel;
  readonly stomp: {
    /** Plain STOMP over TCP; 0 disables the listener. */
    readonly tcpPort: number;
    readonly maxFrameBytes: number;
    readonly maxPreconnectFrameBytes: number;
    readonly connectTimeoutMs: number;
    readonly maxSubscriptions: number;
    readonly ratePerS: number;
    readonly rateBurst: number;
    readonly maxSessionsPerPrincipal: number;
    readonly heartbeatMs: number;
    readonly outboundMaxMessages: number;
    readonly outboundMaxBytes: number;
  };
  readonly auth: {
    readonly accessTokenTtlS: number;
    readonly refreshTokenTtlS: number;
    readonly deviceTokenTtlS: number;
    readonly loginMaxFailures: number;
    readonly loginLockoutS: number;
  };
  readonly devices: {
    readonly disconnectGraceS: number;
    readonly escalateAfterS: number;
    readonly failbackStableS: number;
    readonly commandResultTimeoutS: number;
  };
  readonly dispatch: { readonly noShowS: number };
}

// --- validators: messages never include the raw value of a variable that may hold a secret ---

const BOOL_TRUE = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const BOOL_FALSE = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

const boolean = makeValidator<boolean>((input) => {
  const v = input.trim().toLowerCase();
  if (BOOL_TRUE.has(v)) return true;
  if (BOOL_FALSE.has(v)) return false;
  throw new Error(`expected a boolean (1/0, true/false, yes/no, on/off), got "${input}"`);
});

function integerIn(min: number, max: number, what: string) {
  return makeValidator<number>((input) => {
    const v = input.trim();
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new Error(`expected ${what}, got "${input}"`);
    }
    return n;
  });
}

const nonNegativeInt = integerIn(0, Number.MAX_SAFE_INTEGER, 'a non-negative integer');
const port = integerIn(0, 65535, 'a port number 0-65535');

/** A URL whose scheme is one of `schemes`; the value is not echoed (it may carry a password). */
function urlWithScheme(schemes: readonly string[]) {
  return makeValidator<string>((input) => {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new Error(`not a valid URL (expected ${schemes.map((s) => `${s}//…`).join(' or ')})`);
    }
    if (!schemes.includes(url.protocol)) {
      throw new Error(`unsupported scheme "${url.protocol}" (expected ${schemes.join(' or ')})`);
    }
    if (!url.hostname) throw new Error('URL has no host');
    return input;
  });
}

const nonEmpty = makeValidator<string>((input) => {
  if (input.trim() === '') throw new Error('must not be blank');
  return input;
});

/** Accepts real newlines or `\n` escapes (one-line env files), checks that the key parses. */
function pemKey(kind: 'public' | 'private') {
  return makeValidator<string>((input) => {
    const pem = input.replace(/\\n/g, '\n').trim() + '\n';
    let key: KeyObject;
    try {
      key = kind === 'public' ? createPublicKey(pem) : createPrivateKey(pem);
    } catch {
      throw new Error(`not a readable PEM ${kind} key`);
    }
    const type = key.asymmetricKeyType;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (type !== 'rsa' && !(type === 'ec' && curve === 'prime256v1')) {
      throw new Error(`unsupported ${kind} key type (expected RSA for RS256 or EC P-256 for ES256)`);
    }
    return pem;
  });
}

const originList = makeValidator<string>((input) => {
  const bad: string[] = [];
  for (const item of splitList(input)) {
    if (normalizeOrigin(item) === undefined) bad.push(item);
  }
  if (bad.length > 0) {
    throw new Error(`expected a comma-separated list of origins like https://host:port, bad: ${bad.map((b) => `"${b}"`).join(', ')}`);
  }
  return input;
});

const logLevel = makeValidator<LogLevel>((input) => {
  const v = input.trim().toLowerCase();
  const found = LOG_LEVELS.find((l) => l === v);
  if (found === undefined) throw new Error(`expected one of ${LOG_LEVELS.join('|')}, got "${input}"`);
  return found;
});

function splitList(input: string): string[] {
  return input
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function normalizeOrigin(item: string): string | undefined {
  try {
    const url = new URL(item);
    const bare = (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !url.username;
    if ((url.protocol === 'http:' || url.protocol === 'https:') && bare) return url.origin;
    return undefined;
  } catch {
    return undefined;
  }
}

// --- the variables ---

const SPECS = {
  PORT: port({ default: 3000 }),
  HOST: nonEmpty({ default: '0.0.0.0', desc: 'bind address for HTTP and STOMP over TCP' }),
  STOMP_TCP_PORT: port({ default: 61613 }),
  DATABASE_URL: urlWithScheme(['postgres:', 'postgresql:'])({ default: undefined }),
  DATA_DIR: nonEmpty({ default: './data' }),
  REDIS_URL: urlWithScheme(['redis:', 'rediss:'])({ default: undefined }),
  JWT_SECRET: nonEmpty({
    default: undefined,
    desc: 'required when DATABASE_URL is set and JWT_PUBLIC_KEY is not (the HS256 signing secret)',
    requiredWhen: (env) => env['DATABASE_URL'] !== undefined && env['JWT_PUBLIC_KEY'] === undefined,
  }),
  JWT_PUBLIC_KEY: pemKey('public')({
    default: undefined,
    desc: 'required when JWT_PRIVATE_KEY is set',
    requiredWhen: (env) => env['JWT_PRIVATE_KEY'] !== undefined,
  }),
  JWT_PRIVATE_KEY: pemKey('private')({ default: undefined }),
  JWT_ISSUER: nonEmpty({ default: 'landside' }),
  JWT_AUDIENCE: nonEmpty({ default: 'landside' }),
  ADMIN_USERNAME: nonEmpty({ default: 'admin' }),
  ADMIN_PASSWORD: nonEmpty({ default: undefined }),
  ALLOWED_ORIGINS: originList({ default: 'http://localhost:3000' }),
  DEMO: boolean({ default: undefined }),
  DEMO_DEVICES: nonNegativeInt({ default: 300 }),
  LOG_LEVEL: logLevel({ default: 'info' }),
  STOMP_MAX_FRAME_BYTES: nonNegativeInt({ default: 65536 }),
  STOMP_MAX_PRECONNECT_FRAME_BYTES: nonNegativeInt({ default: 8192 }),
  STOMP_CONNECT_TIMEOUT_MS: nonNegativeInt({ default: 10000 }),
  STOMP_MAX_SUBSCRIPTIONS: nonNegativeInt({ default: 32 }),
  STOMP_RATE_PER_S: nonNegativeInt({ default: 50 }),
  STOMP_RATE_BURST: nonNegativeInt({ default: 100 }),
  STOMP_MAX_SESSIONS_PER_PRINCIPAL: nonNegativeInt({ default: 5 }),
  STOMP_HEARTBEAT_MS: nonNegativeInt({ default: 10000 }),
  STOMP_OUTBOUND_MAX_MESSAGES: nonNegativeInt({ default: 1000 }),
  STOMP_OUTBOUND_MAX_BYTES: nonNegativeInt({ default: 4194304 }),
  ACCESS_TOKEN_TTL_S: nonNegativeInt({ default: 900 }),
  REFRESH_TOKEN_TTL_S: nonNegativeInt({ default: 604800 }),
  DEVICE_TOKEN_TTL_S: nonNegativeInt({ default: 3600 }),
  LOGIN_MAX_FAILURES: nonNegativeInt({ default: 5 }),
  LOGIN_LOCKOUT_S: nonNegativeInt({ default: 900 }),
  DISCONNECT_GRACE_S: nonNegativeInt({ default: 10 }),
  ESCALATE_AFTER_S: nonNegativeInt({ default: 300 }),
  FAILBACK_STABLE_S: nonNegativeInt({ default: 60 }),
  COMMAND_RESULT_TIMEOUT_S: nonNegativeInt({ default: 30 }),
  NO_SHOW_S: nonNegativeInt({ default: 180 }),
};

/** Every variable loadConfig reads (docs/configuration.md lists the same set; a test checks). */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(SPECS));

/** Thrown when the environment is invalid; `problems` maps each bad variable to why. */
export class ConfigError extends Error {
  constructor(readonly problems: Readonly<Record<string, string>>) {
    const lines = Object.entries(problems).map(([name, why]) => `  ${name}: ${why}`);
    super(`Invalid configuration (${lines.length} variable${lines.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'ConfigError';
  }
}

function throwingReporter({ errors }: ReporterOptions<typeof SPECS>): void {
  const problems: Record<string, string> = {};
  for (const [name, err] of Object.entries(errors)) {
    if (!(err instanceof Error)) continue;
    problems[name] = err instanceof EnvMissingError ? `missing: ${err.message}` : err.message;
  }
  if (Object.keys(problems).length > 0) throw new ConfigError(problems);
}

/**
 * Validates `env` and returns the frozen configuration, or throws a ConfigError naming every bad
 * variable. An empty value counts as unset (compose files often write `DATABASE_URL=`).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const present: Record<string, string> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') present[name] = value;
  }
  const e = cleanEnv(present, SPECS, { reporter: throwingReporter });

  if (e.STOMP_MAX_PRECONNECT_FRAME_BYTES > e.STOMP_MAX_FRAME_BYTES) {
    throw new ConfigError({
      STOMP_MAX_PRECONNECT_FRAME_BYTES: `must not exceed STOMP_MAX_FRAME_BYTES (${e.STOMP_MAX_FRAME_BYTES})`,
    });
  }

  const embedded = e.DATABASE_URL === undefined;
  const config: AppConfig = {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    embedded,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    jwt: {
      secret: e.JWT_SECRET,
      publicKey: e.JWT_PUBLIC_KEY,
      privateKey: e.JWT_PRIVATE_KEY,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
    },
    admin: { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD },
    allowedOrigins: [...new Set(splitList(e.ALLOWED_ORIGINS).map((o) => normalizeOrigin(o) ?? o))],
    demo: e.DEMO ?? embedded,
    demoDevices: Math.max(24, e.DEMO_DEVICES),
    logLevel: e.LOG_LEVEL,
    stomp: {
      tcpPort: e.STOMP_TCP_PORT,
      maxFrameBytes: e.STOMP_MAX_FRAME_BYTES,
      maxPreconnectFrameBytes: e.STOMP_MAX_PRECONNECT_FRAME_BYTES,
      connectTimeoutMs: e.STOMP_CONNECT_TIMEOUT_MS,
      maxSubscriptions: e.STOMP_MAX_SUBSCRIPTIONS,
      ratePerS: e.STOMP_RATE_PER_S,
      rateBurst: e.STOMP_RATE_BURST,
      maxSessionsPerPrincipal: e.STOMP_MAX_SESSIONS_PER_PRINCIPAL,
      heartbeatMs: e.STOMP_HEARTBEAT_MS,
      outboundMaxMessages: e.STOMP_OUTBOUND_MAX_MESSAGES,
      outboundMaxBytes: e.STOMP_OUTBOUND_MAX_BYTES,
    },
    auth: {
      accessTokenTtlS: e.ACCESS_TOKEN_TTL_S,
      refreshTokenTtlS: e.REFRESH_TOKEN_TTL_S,
      deviceTokenTtlS: e.DEVICE_TOKEN_TTL_S,
      loginMaxFailures: e.LOGIN_MAX_FAILURES,
      loginLockoutS: e.LOGIN_LOCKOUT_S,
    },
    devices: {
      disconnectGraceS: e.DISCONNECT_GRACE_S,
      escalateAfterS: e.ESCALATE_AFTER_S,
      failbackStableS: e.FAILBACK_STABLE_S,
      commandResultTimeoutS: e.COMMAND_RESULT_TIMEOUT_S,
    },
    dispatch: { noShowS: e.NO_SHOW_S },
  };
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) deepFreeze(child as object);
  }
  return Object.freeze(value);
}
