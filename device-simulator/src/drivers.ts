/**
 * Taxi drivers' app (SPEC §7, DRIVER_SELECTED): a driver whose taxi waits in the lot for a region
 * choice opens a STOMP session as the `DRIVER` whose `sub` is the plate, sends
 * `SEND /app/dispatch/region {region, zoneId}` with a receipt, and closes it. Sessions are opened on
 * demand (a stand sees a few choices a minute), not kept for the whole fleet; a choice counts as
 * made when the stand's answer arrives on `/user/queue/replies`, not at the gateway's RECEIPT.
 *
 * Tokens: an embedding app may mint them (`DriverTokenSource`); otherwise the simulator creates a
 * `DRIVER` account per plate when it provisions (`POST /api/users`, random password, kept in
 * memory) and logs in (`POST /api/auth/login`, token cached until shortly before it expires). A
 * driver whose account an earlier run created has no known password: it has no app, and its
 * choice is entered at the dispatch desk (`POST /api/dispatch/drivers/{plate}/region` as admin).
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@stomp/stompjs';
import WebSocket from 'ws';
import { Api, HttpError, mapLimit } from './http';

/** A driver's access token, or undefined when the driver has no app. */
export type DriverTokenSource = (plate: string) => Promise<string | undefined>;

export interface DriverAccounts {
  readonly passwords: ReadonlyMap<string, string>;
  /** Plates whose account already existed (password unknown). */
  readonly existing: number;
}

/** One `DRIVER` account per plate, username = plate; 409 (it exists) leaves that driver without an app. */
export async function createDriverAccounts(api: Api, plates: readonly string[], concurrency: number): Promise<DriverAccounts> {
  const passwords = new Map<string, string>();
  let existing = 0;
  await mapLimit(plates, concurrency, async (plate) => {
    const password = randomBytes(18).toString('base64url');
    try {
      await api.post('/api/users', { username: plate, password, role: 'DRIVER' });
      passwords.set(plate, password);
    } catch (e) {
      if (!(e instanceof HttpError) || e.status !== 409) throw e;
      existing++;
    }
  });
  return { passwords, existing };
}

/** Logs drivers in with their passwords; a token is reused until a minute before it expires. */
export function loginDriverTokens(baseUrl: string, passwords: ReadonlyMap<string, string>): DriverTokenSource {
  const api = new Api(baseUrl);
  const cache = new Map<string, { token: string; until: number }>();
  return async (plate) => {
    const password = passwords.get(plate);
    if (password === undefined) return undefined;
    const cached = cache.get(plate);
    if (cached && cached.until > Date.now()) return cached.token;
    const res = await api.post<{ accessToken: string; expiresIn: number }>('/api/auth/login', { username: plate, password });
    cache.set(plate, { token: res.accessToken, until: Date.now() + Math.max(0, res.expiresIn - 60) * 1000 });
    return res.accessToken;
  };
}

export type RegionOutcome = 'sent' | 'no-app' | 'refused';

/** The driver app: one short STOMP session per choice. */
export class DriverApp {
  constructor(
    private readonly wsUrl: string,
    private readonly tokens: DriverTokenSource,
    private readonly log: (message: string) => void,
  ) {}

  async selectRegion(plate: string, region: string, zoneId: string): Promise<RegionOutcome> {
    const token = await this.tokens(plate).catch((e: unknown) => {
      this.log(`driver ${plate}: no token: ${(e as Error).message}`);
      return undefined;
    });
    if (token === undefined) return 'no-app';
    return new Promise<RegionOutcome>((resolve) => {
      let settled = false;
      const client = new Client({
        webSocketFactory: () => new WebSocket(this.wsUrl, ['v12.stomp']) as unknown as globalThis.WebSocket,
        connectHeaders: { Authorization: `Bearer ${token}` },
        reconnectDelay: 0,
        heartbeatIncoming: 0,
        heartbeatOutgoing: 0,
      });
      const done = (outcome: RegionOutcome, why?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (why !== undefined) this.log(`driver ${plate}: region ${region} at ${zoneId} refused: ${why}`);
        void client.deactivate();
        resolve(outcome);
      };
      const timer = setTimeout(() => done('refused', 'no answer within 10 s'), 10_000);
      timer.unref();
      client.onConnect = () => {
        // the RECEIPT only says the gateway took the frame; the stand's answer comes later: the
        // applied choice on /user/queue/replies (correlation-id = the receipt), a refusal on errors
        const receipt = `region-${plate}-${Date.now()}`;
        client.subscribe('/user/queue/errors', (m) => {
          const body = JSON.parse(m.body) as { receipt?: string | null };
          if (body.receipt === receipt) done('refused', m.body);
        });
        client.subscribe('/user/queue/replies', (m) => {
          if (m.headers['correlation-id'] === receipt) done('sent');
        });
        client.publish({
          destination: '/app/dispatch/region',
          body: JSON.stringify({ region, zoneId }),
          headers: { 'content-type': 'application/json', receipt },
        });
      };
      client.onStompError = (frame) => done('refused', `${frame.headers['error-code'] ?? ''} ${frame.headers['message'] ?? ''}`);
      client.onWebSocketClose = () => done('refused', 'connection closed');
      client.activate();
    });
  }
}
