import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MessageBus } from '@landside/bus';
import type { DeviceType } from '@landside/contracts';
import { REGISTRY_CHANNELS, type RegistryDeviceView } from '@landside/devices';
import { RawStompClient } from './support/raw-stomp';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from './support/test-server';

/**
 * The operator dashboard (apps/dashboard) in a real browser: Debian's Chromium driven by
 * playwright-core against a real Landside process. Devices are raw STOMP clients over TCP with a
 * 1 s heartbeat interval and a tolerance of 2; DISCONNECT_GRACE_S=1 so a killed device is OFFLINE
 * within about a second. The server listens on a port chosen up front so ALLOWED_ORIGINS can name
 * the page's own origin (the SockJS Origin check; '*' is not a valid ALLOWED_ORIGINS value).
 *
 * Without /usr/bin/chromium the browser tests are skipped with a message, except under CI=true,
 * where they fail (.ci/run installs chromium). Screenshots go to test-output/.
 */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'test-output');
const haveChromium = existsSync(CHROMIUM);
const browserRequired = process.env.CI === 'true';
if (!haveChromium && !browserRequired) {
  console.warn(`dashboard.e2e: ${CHROMIUM} not found: browser tests skipped (apt-get install -y chromium; CI=true makes this a failure)`);
}
const browserIt = haveChromium || browserRequired ? it : it.skip;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

/** Builds dist/dashboard the way `npm run build` does (tsc + the copy script). */
function buildDashboard(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'apps/dashboard/tsconfig.json')], { cwd: ROOT, stdio: 'pipe' });
  execFileSync(process.execPath, [join(ROOT, 'apps/dashboard/build.mjs')], { cwd: ROOT, stdio: 'pipe' });
}

async function addZone(server: TestServer, id: string): Promise<void> {
  await server.app.get(DataSource).query(`INSERT INTO zones (id, name, kind) VALUES ($1, $1, 'CAR_PARK') ON CONFLICT DO NOTHING`, [id]);
}

/** Inserts a device row and announces it the way the registry does (as in health.e2e.ts). */
async function addDevice(server: TestServer, id: string, type: DeviceType, zoneId: string): Promise<void> {
  await server.app.get(DataSource).query(
    `INSERT INTO devices (id, type, name, zone_id, secret_hash, heartbeat_interval_s, miss_tolerance)
     VALUES ($1, $2, $1, $3, 'x', 1, 2)`,
    [id, type, zoneId],
  );
  await server.app.get(MessageBus).publish<RegistryDeviceView>(REGISTRY_CHANNELS.registered, {
    id,
    type,
    zoneId,
    heartbeatIntervalS: 1,
    missTolerance: 2,
    maintenance: false,
  });
}

/** A device over TCP that heartbeats every 400 ms until killed (socket closed). */
class FakeDevice {
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private constructor(readonly client: RawStompClient) {}

  static async start(server: TestServer, id: string, type: DeviceType, commands = false): Promise<FakeDevice> {
    const client = await RawStompClient.tcp(server.tcpPort);
    expect((await client.connect(server.deviceToken(id, type))).command).toBe('CONNECTED');
    if (commands) {
      client.send('SUBSCRIBE', { id: 'cmds', destination: '/user/queue/commands', ack: 'client-individual', receipt: 'sub-cmds' });
      await client.take((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'sub-cmds');
    }
    const device = new FakeDevice(client);
    device.beat();
    device.timer = setInterval(() => device.beat(), 400);
    return device;
  }

  private beat(): void {
    if (!this.client.closed) this.client.send('SEND', { destination: '/app/heartbeat', 'content-type': 'application/json' }, JSON.stringify({ seq: ++this.seq, status: 'OK' }));
  }

  kill(): void {
    clearInterval(this.timer);
    this.client.close();
  }
}

describe('operator dashboard', () => {
  let server: TestServer;
  let browser: Browser | undefined;
  let base: string;
  const devices: FakeDevice[] = [];

  beforeAll(async () => {
    buildDashboard();
    mkdirSync(OUT, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await startTestServer({ PORT: String(port), ALLOWED_ORIGINS: base, DISCONNECT_GRACE_S: '1' });
    await addZone(server, 'T1');
    await addZone(server, 'T2');
    await addDevice(server, 'gate-1', 'GATE', 'T1');
    await addDevice(server, 'gate-2', 'GATE', 'T2');
    await addDevice(server, 'lpr-1', 'LPR_CAMERA', 'T1');
    const admin = await request(base).post('/api/auth/login').send({ username: 'admin', password: TEST_ADMIN_PASSWORD }).expect(200);
    const auth = `Bearer ${admin.body.accessToken as string}`;
    await request(base).post('/api/users').set('Authorization', auth).send({ username: 'op1', password: 'operator-pass-1', role: 'OPERATOR' }).expect(201);
    await request(base).post('/api/users').set('Authorization', auth).send({ username: 'op-t2', password: 'operator-pass-2', role: 'OPERATOR', zones: ['T2'] }).expect(201);
    if (haveChromium) {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    }
  });

  afterAll(async () => {
    for (const d of devices) d.kill();
    await browser?.close();
    await server?.close();
  });

  async function openAs(username: string, password: string, query = '', requests?: string[]): Promise<Page> {
    if (!browser) throw new Error(`${CHROMIUM} is missing: CI=true requires it (apt-get install -y chromium)`);
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('pageerror', (err) => console.error('page error:', err));
    if (requests) page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${base}/${query}`);
    expect(await page.isHidden('#main-view')).toBe(true);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conn[data-conn="CONNECTED"]', { timeout: 15_000 });
    await page.waitForSelector('#login-view', { state: 'hidden' });
    await page.waitForSelector('#main-view', { state: 'visible' });
    return page;
  }

  const tile = (id: string, state?: string): string => `.tile[data-device-id="${id}"]${state ? `[data-state="${state}"]` : ''}`;

  it('serves the page, its script and the browser bundles without breaking the other routes', async () => {
    const http = request(base);
    const page = await http.get('/').expect(200);
    expect(page.text).toContain('Landside control room');
    expect(page.text).not.toMatch(/https?:\/\//); // nothing from a CDN
    await http.get('/dashboard/app.js').expect(200).expect('content-type', /javascript/);
    await http.get('/dashboard/styles.css').expect(200).expect('content-type', /css/);
    await http.get('/assets/stomp.umd.min.js').expect(200).expect('content-type', /javascript/);
    await http.get('/assets/sockjs.min.js').expect(200);
    await http.get('/health/live').expect(200);
    await http.get('/metrics').expect(200);
    await http.get('/api/devices').expect(401);
    await http.get('/sockjs/info').expect(200);
  });

  browserIt('shows a device go ONLINE then OFFLINE live, raises the alert without reload, and acknowledges it', async () => {
    const page = await openAs('admin', TEST_ADMIN_PASSWORD);
    await page.waitForSelector(tile('gate-1', 'UNKNOWN'));
    const dev = await FakeDevice.start(server, 'gate-1', 'GATE');
    devices.push(dev);
    await page.waitForSelector(tile('gate-1', 'ONLINE'), { timeout: 10_000 });
    expect(await page.textContent(tile('gate-1'))).toContain('ONLINE'); // the state as text, not only colour
    await page.waitForSelector('#zones tr[data-zone-id="T1"] td[data-state="ONLINE"]:text-is("1")');

    dev.kill();
    await page.waitForSelector(tile('gate-1', 'OFFLINE'), { timeout: 10_000 });
    const alert = '.alert[data-device-id="gate-1"][data-alert-state="OPEN"]';
    await page.waitForSelector(alert, { timeout: 10_000 });
    expect(await page.textContent(alert)).toContain('OFFLINE');
    await page.screenshot({ path: join(OUT, 'dashboard-offline-alert.png') });

    await page.fill(`${alert} .ack-note`, 'crew dispatched to gate 1');
    await page.click(`${alert} button.ack`);
    await page.waitForSelector('.alert[data-device-id="gate-1"][data-alert-state="ACKNOWLEDGED"]', { timeout: 10_000 });
    const stored = await server.app.get(DataSource).query(`SELECT state, ack_note AS note, acknowledged_by AS by FROM alerts WHERE device_id = 'gate-1' AND kind = 'OFFLINE'`);
    expect(stored).toEqual([{ state: 'ACKNOWLEDGED', note: 'crew dispatched to gate 1', by: 'admin' }]);
    await page.screenshot({ path: join(OUT, 'dashboard-acknowledged.png') });
    await page.close();
  });

  browserIt('lets an admin open a gate from the device panel and follows the command to SUCCEEDED', async () => {
    const page = await openAs('admin', TEST_ADMIN_PASSWORD);
    const dev = await FakeDevice.start(server, 'gate-1', 'GATE', true);
    devices.push(dev);
    await page.waitForSelector(tile('gate-1', 'ONLINE'), { timeout: 10_000 });
    // recovery resolves the OFFLINE alert live: it fades (and leaves the panel a little later)
    await page.waitForSelector('.alert.resolved[data-device-id="gate-1"][data-alert-state="RESOLVED"]', { timeout: 10_000 });
    await page.click(tile('gate-1'));
    await page.waitForSelector('#dp-commands:not([hidden])');
    await page.waitForSelector('#dp-history li');
    // record every status the page shows for the command, in order
    await page.evaluate(`(() => {
      window.__seen = [];
      const list = document.getElementById('dp-command-list');
      new MutationObserver(() => {
        const el = list.querySelector('.status');
        const s = el && el.getAttribute('data-status');
        if (s && window.__seen[window.__seen.length - 1] !== s) window.__seen.push(s);
      }).observe(list, { subtree: true, childList: true, attributes: true });
    })()`);
    await page.selectOption('#dp-type', 'OPEN_GATE');
    await page.click('#dp-send');

    const message = await dev.client.take((f) => f.command === 'MESSAGE' && f.header('destination') === '/user/queue/commands', 10_000);
    const commandId = message.header('command-id')!;
    expect(JSON.parse(message.bodyText)).toMatchObject({ commandId, type: 'OPEN_GATE' });
    await sleep(300); // let the page show SENT before the device answers
    dev.client.send('ACK', { id: message.header('ack')! });
    await sleep(300);
    dev.client.send('SEND', { destination: '/app/command-results', 'content-type': 'application/json' }, JSON.stringify({ commandId, outcome: 'SUCCEEDED' }));
    await page.waitForSelector(`#dp-command-list li[data-command-id="${commandId}"] .status[data-status="SUCCEEDED"]`, { timeout: 10_000 });
    const seen = (await page.evaluate('window.__seen')) as string[];
    expect(seen[seen.length - 1]).toBe('SUCCEEDED');
    expect(seen).toContain('DELIVERED');
    expect(seen.indexOf('DELIVERED')).toBeLessThan(seen.indexOf('SUCCEEDED'));
    await page.screenshot({ path: join(OUT, 'dashboard-command-succeeded.png') });
    await page.close();
  });

  browserIt('shows an operator no command button, and a zone-scoped operator only their zones', async () => {
    const page = await openAs('op1', 'operator-pass-1');
    await page.waitForSelector(tile('gate-1'));
    await page.waitForSelector(tile('lpr-1'));
    await page.click(tile('gate-1'));
    await page.waitForSelector('#device-panel:not([hidden])');
    expect(await page.isVisible('#dp-send')).toBe(false);
    expect(await page.isHidden('#dp-commands')).toBe(true);
    await page.screenshot({ path: join(OUT, 'dashboard-operator.png') });
    await page.close();

    const scoped = await openAs('op-t2', 'operator-pass-2');
    await scoped.waitForSelector(tile('gate-2'));
    expect(await scoped.$$(tile('gate-1'))).toHaveLength(0);
    expect(await scoped.$$(tile('lpr-1'))).toHaveLength(0);
    expect(await scoped.textContent('#who')).toContain('T2');
    await scoped.close();
  });

  browserIt('shows a taxi stand and a new match on the taxi board without reload', async () => {
    const db = server.app.get(DataSource);
    const stand = 'T9-TAXI';
    await db.query(`INSERT INTO zones (id, name, kind) VALUES ($1, 'T9 taxi stand', 'TAXI_STAND')`, [stand]);
    await db.query(`INSERT INTO lanes (id, zone_id, kind) VALUES ('T9-LOT-IN', $1, 'LOT_ENTRY')`, [stand]);
    await db.query(`INSERT INTO devices (id, type, name, zone_id, lane_id, secret_hash) VALUES ('lotcam-9', 'TAXI_LOT_CAMERA', 'lotcam-9', $1, 'T9-LOT-IN', 'x')`, [stand]);
    const admin = `Bearer ${server.token({ sub: 'admin', role: 'ADMIN' })}`;
    await request(base)
      .put('/api/dispatch/destinations')
      .set('Authorization', admin)
      .send({ destinations: [{ name: 'Gangnam', region: 'SEOUL' }, { name: 'Songdo', region: 'INCHEON' }] })
      .expect(200);
    await request(base).post('/api/dispatch/taxis').set('Authorization', admin).send({ plate: 'S9', licenceRegion: 'SEOUL', vehicleClass: 'STANDARD' }).expect(201);
    await request(base)
      .post('/api/dispatch/stands')
      .set('Authorization', admin)
      .send({ zoneId: stand, mode: 'REGIONAL', regions: ['SEOUL', 'INCHEON'], curbTarget: 1, nearQueue: false, priorityWindowMin: 90 })
      .expect(201);

    const page = await openAs('op1', 'operator-pass-1');
    const card = `.stand[data-stand-id="${stand}"]`;
    await page.waitForSelector(`${card}[data-version]`, { timeout: 10_000 });
    expect(await page.textContent(`${card} [data-mode]`)).toBe('REGIONAL');
    expect(await page.getAttribute(`${card} [data-lot]`, 'data-lot')).toBe('0');

    // the lot camera reads the taxi at the lot entry: it is queued and called up to the curb (curbTarget 1), live
    const lotcam = await RawStompClient.tcp(server.tcpPort);
    try {
      expect((await lotcam.connect(server.deviceToken('lotcam-9', 'TAXI_LOT_CAMERA'))).command).toBe('CONNECTED');
      lotcam.send('SEND', { destination: '/app/events', 'content-type': 'application/json', receipt: 'read-s9' }, JSON.stringify({ type: 'PLATE_READ', plate: 'S9', confidence: 0.98, laneId: 'T9-LOT-IN' }));
      await lotcam.take((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'read-s9', 10_000);
    } finally {
      lotcam.close();
    }
    await page.waitForSelector(`${card} [data-curb="1"]`, { timeout: 10_000 });
    await page.waitForSelector(`${card} tr[data-queue="SEOUL"][data-class="STANDARD"] td[data-count="curb"]:text-is("1")`);

    // a passenger asks over REST: the match appears, and the called taxi is no longer counted at the curb
    const ticket = await request(base)
      .post('/api/dispatch/requests')
      .set('Authorization', admin)
      .send({ zoneId: stand, destination: 'Gangnam', partySize: 1, vehicleClass: 'STANDARD' })
      .expect(201);
    expect(ticket.body).toMatchObject({ stage: 'MATCHED', match: { plate: 'S9' } });
    const match = `#taxi-matches li[data-match-plate="S9"][data-match-ticket="${ticket.body.ticket as string}"][data-stand-id="${stand}"]`;
    await page.waitForSelector(match, { timeout: 10_000 });
    expect(await page.textContent(match)).toContain(`S9 ↔ ticket ${ticket.body.ticket as string}`);
    await page.waitForSelector(`${card} [data-curb="0"]`, { timeout: 10_000 });
    await page.waitForSelector(`${card} [data-active-matches="1"]`, { timeout: 10_000 });
    await page.locator('.panel.taxi').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUT, 'dashboard-taxi-board.png'), fullPage: true });
    await page.close();
  });

  browserIt('works with SockJS forced to xhr-streaming', async () => {
    const urls: string[] = [];
    const page = await openAs('admin', TEST_ADMIN_PASSWORD, '?transports=xhr-streaming', urls);
    expect(await page.textContent('#conn')).toContain('xhr-streaming');
    await page.waitForSelector(tile('gate-2', 'UNKNOWN'));
    const dev = await FakeDevice.start(server, 'gate-2', 'GATE');
    devices.push(dev);
    await page.waitForSelector(tile('gate-2', 'ONLINE'), { timeout: 10_000 });
    // the live update came over the streaming transport, and no WebSocket was opened
    expect(urls.some((u) => u.includes('/xhr_streaming'))).toBe(true);
    expect(urls.some((u) => u.includes('/websocket'))).toBe(false);
    await page.screenshot({ path: join(OUT, 'dashboard-xhr-streaming.png') });
    await page.close();
  });
});
