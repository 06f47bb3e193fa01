import { formatReport, score, startSimulation, type FaultEntry, type Simulation } from '../device-simulator/src';
import { startTestServer, type TestServer } from './support/test-server';
import { until } from './support/wait';

/**
 * The simulator's session-level faults against a real server, on a small airport with device
 * tokens of 8 s: every device refreshes its token in-band (SPEC §3) and stays online across
 * several token lifetimes; a device that lets its token expire is closed by the server and seen
 * OFFLINE in time; a slow consumer and a reconnect storm of every device cause no alert; a
 * command sent to the slow consumer while it does not read is delivered once it reads again.
 */
jest.setTimeout(180_000);

const DEVICES = 36;
const TOKEN_TTL_S = 8;

let server: TestServer;
let sim: Simulation | undefined;

beforeAll(async () => {
  server = await startTestServer({ DEVICE_TOKEN_TTL_S: String(TOKEN_TTL_S) });
});

afterAll(async () => {
  await sim?.stop();
  await server.close();
});

async function api<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as T;
}

it('refreshes tokens in-band, detects an expired token, and rides out a slow reader and a reconnect storm', async () => {
  const admin = server.token({ sub: 'simulator', role: 'ADMIN' }, 900);
  sim = await startSimulation({
    url: server.httpUrl,
    wsUrl: server.wsUrl,
    sockjsUrl: server.sockjsUrl,
    tcpHost: '127.0.0.1',
    tcpPort: server.tcpPort,
    admin: { token: admin },
    airport: { devices: DEVICES, heartbeatIntervalS: 1, missTolerance: 3 },
    seed: 42,
    commandsPerMin: 0,
    faults: {
      durationMs: 5000,
      schedule: [
        { atMs: 500, fault: 'TOKEN_EXPIRY' },
        { atMs: 1000, fault: 'SLOW_CONSUMER', deviceType: 'GATE' },
        { atMs: 12_000, fault: 'RECONNECT_STORM', durationMs: 20_000 },
      ],
    },
  });
  const running = sim;
  await running.ready;
  const faults = (): FaultEntry[] => running.truth.filter((e): e is FaultEntry => e.event === 'fault');

  // a command to the slow consumer while it does not read
  await until(() => faults().some((f) => f.fault === 'SLOW_CONSUMER'), 'the slow consumer', 10_000);
  const slow = faults().find((f) => f.fault === 'SLOW_CONSUMER')!;
  const command = await api<{ id: string }>('POST', `/api/devices/${slow.deviceId}/commands`, admin, { type: 'OPEN_GATE' });

  await until(() => faults().length === 3, 'the token to expire and the storm', 30_000);
  await until(() => running.activeFaults() === 0 && running.truth.filter((e) => e.event === 'recovery').length === 3, 'every recovery', 40_000);
  // run on past two more token lifetimes: every device keeps refreshing in-band
  await new Promise((r) => setTimeout(r, 2 * TOKEN_TTL_S * 1000));
  expect(running.stats.connected).toBe(DEVICES);

  const report = await score({ url: server.httpUrl, token: admin, truth: running.truth, slackMs: 2000 });
  const stats = { ...running.stats };
  await running.stop();
  process.stdout.write(`${formatReport(report)}\n`);

  const expired = faults().find((f) => f.fault === 'TOKEN_EXPIRY')!;
  expect(expired.expect).toBe('OFFLINE');
  expect(report.detections).toEqual([expect.objectContaining({ faultId: expired.id, detected: true, inTime: true })]);
  expect(report.alerts.falseAlerts).toEqual([]);
  expect(report.alerts.duringNoAlertFaults).toBe(0);
  const storm = faults().find((f) => f.fault === 'RECONNECT_STORM')!;
  expect(storm.devices).toBeGreaterThanOrEqual(DEVICES - 2);
  // the only ERROR frame is the injected expiry; everyone else refreshed in time, more than once
  expect(stats.stompErrors).toEqual({ 'token-expired': 1 });
  expect(stats.tokenRefreshesInBand).toBeGreaterThanOrEqual(2 * DEVICES);
  expect(stats.reconnects).toBeGreaterThanOrEqual(storm.devices! + 1);

  const delivered = await api<{ status: string; completedAt: string }>('GET', `/api/commands/${command.id}`, admin);
  expect(delivered.status).toBe('SUCCEEDED');
  const slowRecovered = running.truth.find((e) => e.event === 'recovery' && e.id === slow.id)!;
  expect(Date.parse(delivered.completedAt)).toBeGreaterThanOrEqual(Date.parse(slowRecovered.at));
});
