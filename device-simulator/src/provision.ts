/**
 * Provisioning: the airport goes to the server as one PUT /api/topology document (applied
 * idempotently, SPEC §8), with a fresh secret for every device, so a second run against the same
 * server works too (the document sets the secrets again). Devices then exchange id + secret for
 * a device token (POST /api/auth/device-token, SPEC §3).
 */
import { randomBytes } from 'node:crypto';
import { topologyDocument, type Airport } from './airport';
import { Api, HttpError } from './http';

export interface KindCounts {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
}

export interface TopologyApplyResult {
  readonly applied: Readonly<Record<string, KindCounts>>;
  readonly secrets: Readonly<Record<string, string>>;
}

export function newSecrets(airport: Airport): Map<string, string> {
  return new Map(airport.devices.map((d) => [d.id, randomBytes(18).toString('base64url')]));
}

export async function applyTopology(api: Api, airport: Airport, secrets: ReadonlyMap<string, string>): Promise<TopologyApplyResult> {
  // hashing thousands of secrets takes the server a while: allow minutes
  return api.request<TopologyApplyResult>('PUT', '/api/topology', topologyDocument(airport, secrets), 15 * 60_000);
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
    for (let attempt = 0; ; attempt++) {
      await acquire();
      let error: unknown;
      try {
        return await api.post<DeviceToken>('/api/auth/device-token', { deviceId, secret });
      } catch (e) {
        error = e;
      } finally {
        release();
      }
      const retryable = !(error instanceof HttpError) || error.status === 429 || error.status >= 500;
      if (!retryable || attempt >= 6) throw error;
      const waitMs = error instanceof HttpError && error.retryAfterS !== undefined ? error.retryAfterS * 1000 : Math.min(10_000, 250 * 2 ** attempt);
      await new Promise((r) => setTimeout(r, waitMs * (0.5 + Math.random() / 2)));
    }
  };
}
