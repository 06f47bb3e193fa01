/** A minimal JSON client over Node's global fetch, for the REST API under `/api` (SPEC §8). */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: string,
    readonly retryAfterS: number | undefined,
  ) {
    super(`${method} ${path}: HTTP ${status} ${body.slice(0, 300)}`);
    this.name = 'HttpError';
  }
}

/** A bearer token, or where to get a current one (asked before every request). */
export type TokenProvider = string | (() => Promise<string>);

export class Api {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private token: TokenProvider | undefined = undefined,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  setToken(token: TokenProvider): void {
    this.token = token;
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, timeoutMs = 120_000): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined) headers['authorization'] = `Bearer ${typeof this.token === 'string' ? this.token : await this.token()}`;
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) {
      const retry = res.headers.get('retry-after');
      throw new HttpError(res.status, method, path, text, retry === null ? undefined : Number(retry));
    }
    return (text.length === 0 ? undefined : JSON.parse(text)) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** Walks a keyset-paginated list (SPEC §8) until `stop` says enough or the list ends. */
export async function collectPages<T>(api: Api, path: string, stop: (item: T) => boolean = () => false, limit = 500): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  for (;;) {
    const page: Page<T> = await api.get<Page<T>>(`${path}${sep}limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    for (const item of page.items) {
      if (stop(item)) return out;
      out.push(item);
    }
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Admin credentials: a token as is (it expires when it expires), a username and password to log
 * in with (again before each token runs out), or a function minting tokens (an embedding app).
 */
export type AdminCredentials =
  | { readonly token: string }
  | { readonly username: string; readonly password: string }
  | { readonly mint: () => string };

export async function adminToken(baseUrl: string, credentials: AdminCredentials): Promise<string> {
  if ('token' in credentials) return credentials.token;
  if ('mint' in credentials) return credentials.mint();
  const res = await new Api(baseUrl).post<{ accessToken: string }>('/api/auth/login', { username: credentials.username, password: credentials.password });
  return res.accessToken;
}

/** A JWT's `exp` and `iat` (seconds since the epoch), read without verifying. */
export function tokenTimes(token: string): { exp?: number; iat?: number } {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown; iat?: unknown };
    return {
      ...(typeof payload.exp === 'number' ? { exp: payload.exp } : {}),
      ...(typeof payload.iat === 'number' ? { iat: payload.iat } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * The simulator's admin identity for a long run: `current()` answers a token with at least a
 * fifth of its life left, logging in (or minting) again when needed; a fixed token is answered
 * as is. One login at a time, whoever asks.
 */
export class AdminSession {
  private token: string | undefined;
  private renewing: Promise<string> | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly credentials: AdminCredentials,
  ) {}

  async current(): Promise<string> {
    if (this.token !== undefined && !this.dueForRenewal(this.token)) return this.token;
    this.renewing ??= adminToken(this.baseUrl, this.credentials).finally(() => (this.renewing = undefined));
    this.token = await this.renewing;
    return this.token;
  }

  /** Less than a fifth of its life left (or a minute, when it does not say when it was issued). */
  private dueForRenewal(token: string): boolean {
    if ('token' in this.credentials) return false;
    const { exp, iat } = tokenTimes(token);
    if (exp === undefined) return false;
    const margin = iat === undefined ? 60 : (exp - iat) / 5;
    return Date.now() / 1000 >= exp - margin;
  }
}
