import { formatReport, score, startSimulation, type FaultEntry, type ScheduledFault, type Simulation } from '../device-simulator/src';
import { startTestServer, type TestServer } from './support/test-server';
import { until } from './support/wait';

/**
 * The device simulator against a real server: an airport of ~240 devices on every transport
 * (@stomp/stompjs over WebSocket and SockJS, hand-written frames over WebSocket and TCP) with
 * 1 s heartbeats and a tolerance of 2, crashes, hangs, network cuts, flapping, reported faults
 * and a parent down with its children injected, OPEN_GATE commands issued meanwhile; then the
 * scorer reads back what the server recorded. Detection times are the server's own transition
 * `at` against the deadline the simulator logged (last heartbeat + interval × tolerance), so a
 * loaded machine slows the test down but does not change the verdict.
 */
jest.setTimeout(240_000);

const DEVICES = 240;
const SCHEDULE: ScheduledFault[] = [
  { atMs: 1000, fault: 'CRASH', count: 4 },
  { atMs: 1000, fault: 'HANG', count: 4 },
  { atMs: 1000, fault: 'FLAPPING', count: 3 },
  { atMs: 1500, fault: 'NETWORK_CUT', count: 2 },
  { atMs: 1500, fault: 'PARENT_DOWN', count: 1 },
  { atMs: 2000, fault: 'COMPONENT_FAULT', count: 2 },
  { atMs: 2000, fault: 'COMPONENT_DEGRADED', count: 2 },
];
/** Faults logged: the parent and its two children for PARENT_DOWN. */
const EXPECTED_ENTRIES = 4 + 4 + 3 + 2 + 3 + 2 + 2;

let server: TestServer;
let sim: Simulation | undefined;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await sim?.stop();
  await server.close();
});

it('scores recall 1.0, no false alerts and every detection in time for crashes, hangs and flapping', async () => {
  const admin = server.token({ sub: 'simulator', role: 'ADMIN' }, 900);
  const logs: string[] = [];
  sim = await startSimulation({
    url: server.httpUrl,
    wsUrl: server.wsUrl,
    sockjsUrl: server.sockjsUrl,
    tcpHost: '127.0.0.1',
    tcpPort: server.tcpPort,
    admin: { token: admin },
    driverTokens: (plate) => Promise.resolve(server.token({ sub: plate, role: 'DRIVER' }, 900)),
    airport: { devices: DEVICES, heartbeatIntervalS: 1, missTolerance: 2 },
    seed: 20240611,
    commandsPerMin: 40,
    // taxis and passengers ten times a real stand's pace, so a short run sees matches
    dispatchScale: 10,
    faults: { schedule: SCHEDULE, durationMs: 5000, flapPeriodMs: 400 },
    log: (m) => logs.push(m),
  });
  expect(sim.devices.size).toBe(DEVICES);
  const kinds = new Set([...sim.devices.values()].map((d) => d.kind));
  expect([...kinds].sort()).toEqual(['raw-tcp', 'raw-ws', 'stompjs-sockjs', 'stompjs-ws']);

  await sim.ready;
  const running = sim;
  const faults = (): FaultEntry[] => running.truth.filter((e): e is FaultEntry => e.event === 'fault');
  await until(() => faults().length >= EXPECTED_ENTRIES, 'the scheduled faults', 15_000);
  await until(() => running.activeFaults() === 0, 'every fault to recover', 30_000);
  // recovered devices report again; give the server a moment to record it
  await new Promise((r) => setTimeout(r, 3000));
  expect(running.stats.connected).toBe(DEVICES);

  const report = await score({ url: server.httpUrl, token: admin, truth: running.truth, slackMs: 2000 });
  await running.stop();
  process.stdout.write(`${formatReport(report)}\n`);

  expect(faults().map((f) => f.fault).sort()).toEqual(
    [
      ...Array<string>(4).fill('CRASH'),
      ...Array<string>(4).fill('HANG'),
      ...Array<string>(3).fill('FLAPPING'),
      ...Array<string>(2).fill('NETWORK_CUT'),
      ...Array<string>(3).fill('PARENT_DOWN'),
      ...Array<string>(2).fill('COMPONENT_FAULT'),
      ...Array<string>(2).fill('COMPONENT_DEGRADED'),
    ].sort(),
  );
  expect(report.faults.expectingDetection).toBe(EXPECTED_ENTRIES);
  expect(report.missed).toEqual([]);
  expect(report.faults.recall).toBe(1);
  expect(report.alerts.falseAlerts).toEqual([]);
  // every detection by its deadline + SPEC's 1 s (+ 2 s slack), on the server's own clock
  expect(report.late).toEqual([]);
  expect(report.latenessMs.count).toBe(EXPECTED_ENTRIES);
  // the transitions are stamped at their deadline; the server's own histogram says when they
  // were published: every OFFLINE of the run is counted there
  expect(report.publishDelay?.count).toBeGreaterThanOrEqual(4 + 4 + 2 + 1);
  // the parent's children went down after it: their OFFLINE alerts recorded, suppressed
  expect(report.suppression.expected).toBe(2);
  expect(report.suppression.correct).toBe(2);
  // OPEN_GATE commands to healthy gates all went through
  expect(report.commands.issued - report.commands.unfinished).toBeGreaterThan(0);
  expect(report.commands.unfinished).toBeLessThanOrEqual(2);
  expect(report.commands.successRate).toBe(1);
  // taxis and passengers went through the stands: matched, never twice, in FIFO order
  expect(running.dispatch.arrivals).toBeGreaterThan(0);
  expect(running.dispatch.requests).toBeGreaterThan(0);
  const d = report.dispatch;
  if (d.status === 'n/a') throw new Error(`dispatch not scored: ${d.reason}`);
  expect(d.source).toBe('audit log');
  expect(d.matches).toBeGreaterThan(0);
  expect(d.doubleMatches).toEqual([]);
  expect(d.passengerFifo.checked).toBeGreaterThan(0);
  expect(d.passengerFifo.violations).toEqual([]);
  expect(d.taxiFifo.checked).toBeGreaterThan(0);
  expect(d.taxiFifo.violations).toEqual([]);
  expect(d.status).toBe('ok');
  expect(running.dispatch.refused).toEqual({});
  // T2's stand is DRIVER_SELECTED: drivers chose their regions in the driver app
  expect(running.dispatch.regionsByApp).toBeGreaterThan(0);
  expect(running.dispatch.regionsAtDesk).toBe(0);
  expect(running.stats.stompErrors).toEqual({});
  expect(running.stats.queueErrors).toEqual({});
});
