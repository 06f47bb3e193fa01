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

export class Api {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private token: string | undefined = undefined,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  setToken(token: string): void {
    this.token = token;
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, timeoutMs = 120_000): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
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

/** Admin credentials: a token as is, or a username and password to log in with. */
export type AdminCredentials = { readonly token: string } | { readonly username: string; readonly password: string };

export async function adminToken(baseUrl: string, credentials: AdminCredentials): Promise<string> {
  if ('token' in credentials) return credentials.token;
  const res = await new Api(baseUrl).post<{ accessToken: string }>('/api/auth/login', { username: credentials.username, password: credentials.password });
  return res.accessToken;
}
