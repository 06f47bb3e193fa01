import { StompError } from '../errors';
import type { HeaderList, ServerCommand, StompFrame } from '../frame';
import type { StompPrincipal, StompServerHooks, StompServerOptions } from '../server-context';
import { StompServer } from '../server';
import type { StompSession } from '../session';
import { TestConnection } from './test-connection';

/** The principal of the test hooks: a name, and optionally when its "token" ends. */
export interface TestPrincipal extends StompPrincipal {
  readonly name: string;
  readonly expiresAt?: number;
}

/** `Authorization` value the test refresh hook understands: `Bearer <name>` or `Bearer <name>@<expiresAt>`. */
export function bearer(name: string, expiresAt?: number): string {
  return expiresAt === undefined ? `Bearer ${name}` : `Bearer ${name}@${expiresAt}`;
}

function principalFromBearer(authorization: string): TestPrincipal {
  const match = /^Bearer ([^@]+)(?:@([0-9]+))?$/.exec(authorization);
  if (!match) throw new StompError('unauthenticated', 'malformed bearer token');
  const name = match[1]!;
  return match[2] === undefined ? { name } : { name, expiresAt: Number(match[2]) };
}

/**
 * Hooks for tests: CONNECT is authenticated by its `login` header (absent: `unauthenticated`),
 * with an optional `expires-at` header (epoch ms) as the token's expiry; the refresh hook reads
 * {@link bearer} values. Anything may be overridden.
 */
export function testHooks(overrides: Partial<StompServerHooks<TestPrincipal>> = {}): StompServerHooks<TestPrincipal> {
  return {
    authenticate: (frame) => {
      const login = frame.header('login');
      if (login === undefined || login === '') throw new StompError('unauthenticated', 'a login header is required');
      const expiresAt = frame.header('expires-at');
      return expiresAt === undefined ? { name: login } : { name: login, expiresAt: Number(expiresAt) };
    },
    refresh: (authorization) => principalFromBearer(authorization),
    ...overrides,
  };
}

export function testServer(
  overrides: Partial<StompServerHooks<TestPrincipal>> = {},
  options: Partial<StompServerOptions> = {},
): StompServer<TestPrincipal> {
  return new StompServer<TestPrincipal>(testHooks(overrides), options);
}

export type Headers = HeaderList | Record<string, string>;

/**
 * Encodes a client frame byte for byte as given: header names and values are NOT escaped (write
 * `\\c` yourself where an escape is meant), no content-length is added.
 */
export function wire(command: string, headers: Headers = [], body: string | Buffer = ''): Buffer {
  const list: HeaderList = Array.isArray(headers) ? headers : Object.entries(headers);
  const head = `${command}\n${list.map(([k, v]) => `${k}:${v}\n`).join('')}\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body, Buffer.from([0])]);
}

/** Lets pending promise callbacks run (works with fake timers: no macrotask involved). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** A client on a {@link TestConnection}: sends raw frames into its session and reads what came back. */
export class TestClient {
  readonly connection: TestConnection;
  readonly session: StompSession<TestPrincipal>;

  constructor(readonly server: StompServer<TestPrincipal>, remoteAddress?: string) {
    this.connection = new TestConnection(remoteAddress);
    this.session = server.accept(this.connection);
  }

  /** Sends one frame (see {@link wire}). */
  send(command: string, headers: Headers = [], body: string | Buffer = ''): void {
    this.session.receive(wire(command, headers, body));
  }

  /** Sends raw bytes or text. */
  raw(data: Buffer | string): void {
    this.session.receive(data);
  }

  /** CONNECT (accept-version 1.2, no heart-beats unless given) and wait for the answer. */
  async connect(login: string | undefined, headers: Record<string, string> = {}): Promise<StompFrame> {
    const all: Record<string, string> = { 'accept-version': '1.2', host: 'landside', 'heart-beat': '0,0', ...headers };
    if (login !== undefined) all.login = login;
    this.send('CONNECT', all);
    await settle();
    const answer = this.connection.frames[0];
    if (!answer) throw new Error('no answer to CONNECT');
    return answer;
  }

  subscribe(id: string, destination: string, extra: Record<string, string> = {}): void {
    this.send('SUBSCRIBE', { id, destination, ...extra });
  }

  get frames(): StompFrame[] {
    return this.connection.frames;
  }

  framesOf(command: ServerCommand): StompFrame[] {
    return this.connection.framesOf(command);
  }

  get messages(): StompFrame[] {
    return this.connection.framesOf('MESSAGE');
  }

  get error(): StompFrame | undefined {
    return this.connection.error;
  }

  take(): StompFrame[] {
    return this.connection.take();
  }
}

/** A connected client (fails the test if the server did not answer CONNECTED). */
export async function connectClient(
  server: StompServer<TestPrincipal>,
  login: string,
  headers: Record<string, string> = {},
): Promise<TestClient> {
  const client = new TestClient(server);
  const answer = await client.connect(login, headers);
  if (answer.command !== 'CONNECTED') {
    throw new Error(`expected CONNECTED, got ${answer.command} ${answer.header('error-code') ?? ''} ${answer.header('message') ?? ''}`);
  }
  client.take();
  return client;
}
