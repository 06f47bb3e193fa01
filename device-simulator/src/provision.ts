/**
 * Provisioning: the airport goes to the server as one PUT /api/topology document (applied
 * idempotently, SPEC §8). The server generates a secret for every device it creates and answers
 * it once; those secrets are hashed at a light argon2 setting (they are 256 random bits), so ten
 * thousand devices provision in seconds. A device that already existed (a second run against the
 * same server) gets a fresh secret through `POST /api/devices/{id}/secret`. With dispatch, the
 * stands' fleets are registered too (`POST /api/dispatch/taxis`, an upsert). Devices then
 * exchange id + secret for a device token (POST /api/auth/device-token, SPEC §3).
 */
import { hasDispatch, topologyDocument, type Airport } from './airport';
import { Api, HttpError, mapLimit } from './http';

export interface KindCounts {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
}

export interface TopologyApplyResult {
  readonly applied: Readonly<Record<string, KindCounts>>;
  readonly secrets: Readonly<Record<string, string>>;
}

export interface ProvisionResult {
  readonly applied: Readonly<Record<string, KindCounts>>;
  /** Every device's secret: generated on creation, or rotated. */
  readonly secrets: ReadonlyMap<string, string>;
  readonly rotated: number;
  readonly taxis: number;
}

export interface ProvisionOptions {
  /** Requests in flight for secret rotations and taxi registrations; default 4. */
  readonly concurrency?: number;
  /** Rotate the secrets of devices that already existed (default true; false when tokens come from elsewhere). */
  readonly needSecrets?: boolean;
}

export async function applyTopology(api: Api, airport: Airport, secrets?: ReadonlyMap<string, string>): Promise<TopologyApplyResult> {
  // thousands of devices: allow minutes (chosen secrets are hashed at the password cost)
  return api.request<TopologyApplyResult>('PUT', '/api/topology', topologyDocument(airport, secrets), 15 * 60_000);
}

export async function provisionAirport(api: Api, airport: Airport, options: ProvisionOptions = {}): Promise<ProvisionResult> {
  const concurrency = options.concurrency ?? 4;
  const result = await applyTopology(api, airport);
  const secrets = new Map(Object.entries(result.secrets));
  const existing = options.needSecrets === false ? [] : airport.devices.filter((d) => !secrets.has(d.id));
  await mapLimit(existing, concurrency, async (d) => {
    const rotated = await withRetry(() => api.post<{ secret: string }>(`/api/devices/${encodeURIComponent(d.id)}/secret`, {}));
    secrets.set(d.id, rotated.secret);
  });
  const fleet = hasDispatch(airport) ? airport.taxiStands.flatMap((s) => s.fleet) : [];
  await mapLimit(fleet, concurrency, (t) => withRetry(() => api.post('/api/dispatch/taxis', t)));
  return { applied: result.applied, secrets, rotated: existing.length, taxis: fleet.length };
}

/** Retries on 429, 5xx and network errors, with backoff (honouring Retry-After). */
async function withRetry<T>(call: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retryable = !(error instanceof HttpError) || error.status === 429 || error.status >= 500;
      if (!retryable || attempt >= attempts) throw error;
      const waitMs = error instanceof HttpError && error.retryAfterS !== undefined ? error.retryAfterS * 1000 : Math.min(10_000, 250 * 2 ** attempt);
      await new Promise((r) => setTimeout(r, waitMs * (0.5 + Math.random() / 2)));
    }
  }
}

export interface DeviceToken {
  readonly accessToken: string;
  /** Seconds. */
  readonly expiresIn: number;
}

/** How a device gets its token; the default asks the server, an embedding app may mint them itself. */
export type DeviceTokenSource = (deviceId: string) => Promise<DeviceToken>;

/**
 * Device tokens over REST with a bound on requests in flight (each costs the server an argon2
 * verification) and a retry with backoff on 429/5xx/network errors.
 */
export function restDeviceTokens(baseUrl: string, secrets: ReadonlyMap<string, string>, concurrency = 4): DeviceTokenSource {
  const api = new Api(baseUrl);
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const acquire = async (): Promise<void> => {
    if (inFlight < concurrency) {
      inFlight++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const nextInLine = waiting.shift();
    if (nextInLine) nextInLine();
    else inFlight--;
  };
  return async (deviceId) => {
    const secret = secrets.get(deviceId);
    if (secret === undefined) throw new Error(`no secret for device ${deviceId}`);
    return withRetry(async () => {
      await acquire();
      try {
        return await api.post<DeviceToken>('/api/auth/device-token', { deviceId, secret });
      } finally {
        release();
      }
    });
  };
}
