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

/** The page's stored login answer (sessionStorage, as the dashboard keeps it for a reload). */
async function storedSession(page: Page): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }> {
  return JSON.parse((await page.evaluate(`sessionStorage.getItem('landside.session')`)) as string) as { accessToken: string; refreshToken: string; expiresIn: number };
}

/** A JWT's `exp`, in epoch milliseconds. */
function expiryOf(jwt: string): number {
  return (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number }).exp * 1000;
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

  async function openAs(username: string, password: string, query = '', requests?: string[], at = base, watch?: (page: Page) => void): Promise<Page> {
    if (!browser) throw new Error(`${CHROMIUM} is missing: CI=true requires it (apt-get install -y chromium)`);
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('pageerror', (err) => console.error('page error:', err));
    if (requests) page.on('request', (r) => requests.push(r.url()));
    watch?.(page);
    await page.goto(`${at}/${query}`);
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

  browserIt('lets an admin resolve an alert: it leaves the open list live, without reload', async () => {
    await addZone(server, 'T3');
    await addDevice(server, 'det-r', 'VEHICLE_DETECTOR', 'T3');
    const requests: string[] = [];
    const page = await openAs('admin', TEST_ADMIN_PASSWORD, '', requests);
    const dev = await FakeDevice.start(server, 'det-r', 'VEHICLE_DETECTOR');
    devices.push(dev);
    await page.waitForSelector(tile('det-r', 'ONLINE'), { timeout: 10_000 });
    dev.kill();
    const open = '.alert[data-device-id="det-r"][data-alert-state="OPEN"]';
    await page.waitForSelector(`${open} button.resolve`, { timeout: 10_000 });
    const alertId = (await page.getAttribute(open, 'data-alert-id'))!;
    expect(await page.getAttribute(`${open} button.resolve`, 'aria-label')).toBe('Resolve OFFLINE alert for det-r');
    const openBefore = Number((await page.textContent('#alert-count'))!.split(' ')[0]);
    const alertReads = requests.filter((u) => u.includes('/api/alerts?')).length;

    await page.click(`${open} button.resolve`);
    const resolved = `.alert.resolved[data-alert-id="${alertId}"][data-alert-state="RESOLVED"]`;
    await page.waitForSelector(resolved, { timeout: 10_000 });
    expect(await page.$$(open)).toHaveLength(0);
    expect(await page.textContent(resolved)).toContain('RESOLVED by admin'); // as text, not only the fade
    expect(await page.$$(`${resolved} button`)).toHaveLength(0);
    await page.waitForSelector(`#alert-count:text-matches("^${openBefore - 1} open")`);
    // no reload: the alerts were read once, by the snapshot at connect, and the session is the first one
    expect(requests.filter((u) => u.includes('/api/alerts?')).length).toBe(alertReads);
    expect(await page.getAttribute('#conn', 'data-connects')).toBe('1');
    const stored = await server.app.get(DataSource).query(`SELECT state, resolved_by AS by FROM alerts WHERE id = $1`, [alertId]);
    expect(stored).toEqual([{ state: 'RESOLVED', by: 'admin' }]);
    await page.screenshot({ path: join(OUT, 'dashboard-alert-resolved.png') });
    await page.close();
  });

  browserIt('lets an admin cancel a command queued for a disconnected device and shows it CANCELLED; a refusal shows the server message', async () => {
    await addZone(server, 'T3');
    await addDevice(server, 'lpr-q', 'LPR_CAMERA', 'T3'); // never connected: commands wait QUEUED
    const page = await openAs('admin', TEST_ADMIN_PASSWORD);
    await page.click(tile('lpr-q'));
    await page.waitForSelector('#dp-commands:not([hidden])');

    // a gate command for a camera: 422 from the server, shown in the panel with its message
    await page.selectOption('#dp-type', 'OPEN_GATE');
    await page.click('#dp-send');
    await page.waitForSelector('#dp-command-error:text-matches("422")', { timeout: 10_000 });
    expect(await page.textContent('#dp-command-error')).toMatch(/^Command refused: 422 \S+: .*OPEN_GATE/);

    await page.selectOption('#dp-type', 'REBOOT');
    await page.click('#dp-send');
    const item = '#dp-command-list li[data-command-id]';
    await page.waitForSelector(`${item} .status[data-status="QUEUED"]`, { timeout: 10_000 });
    const commandId = (await page.getAttribute(item, 'data-command-id'))!;
    const row = `#dp-command-list li[data-command-id="${commandId}"]`;
    expect(await page.textContent('#dp-command-error')).toBe('');
    await page.click(`${row} button.cancel-command`);
    await page.waitForSelector(`${row} .status[data-status="CANCELLED"]`, { timeout: 10_000 });
    expect(await page.textContent(`${row} .status`)).toBe('CANCELLED');
    expect(await page.$$(`${row} button.cancel-command`)).toHaveLength(0); // final: nothing more to cancel
    await page.waitForSelector('#announcer:text-is("REBOOT command cancelled")', { state: 'attached' }); // said to screen readers too
    const stored = await server.app.get(DataSource).query(`SELECT status FROM commands WHERE id = $1`, [commandId]);
    expect(stored).toEqual([{ status: 'CANCELLED' }]);
    await page.screenshot({ path: join(OUT, 'dashboard-command-cancelled.png') });
    await page.close();
  });

  browserIt('lets an admin put a device in maintenance and back after a confirm step, following the live state', async () => {
    await addZone(server, 'T3');
    await addDevice(server, 'gate-m', 'GATE', 'T3');
    await addDevice(server, 'gate-gone', 'GATE', 'T3');
    const dev = await FakeDevice.start(server, 'gate-m', 'GATE');
    devices.push(dev);
    const requests: string[] = [];
    const page = await openAs('admin', TEST_ADMIN_PASSWORD, '', requests);
    await page.waitForSelector(tile('gate-m', 'ONLINE'), { timeout: 10_000 });
    await page.click(tile('gate-m'));
    const toggle = '#dp-maintenance:not([hidden]) #dp-maint-toggle';
    await page.waitForSelector(`${toggle}[data-action="on"]`);
    expect(await page.textContent(toggle)).toBe('Put in maintenance…');
    const maintenance = async (): Promise<boolean> =>
      ((await server.app.get(DataSource).query(`SELECT maintenance FROM devices WHERE id = 'gate-m'`)) as Array<{ maintenance: boolean }>)[0]!.maintenance;

    // the confirm step: declining changes nothing
    await page.click(toggle);
    await page.waitForSelector('#dp-maint-confirm:not([hidden])');
    expect(await page.textContent('#dp-maint-question')).toContain('Put gate-m in maintenance?');
    await page.click('#dp-maint-no');
    await page.waitForSelector('#dp-maint-confirm', { state: 'hidden' });
    expect(await maintenance()).toBe(false);

    await page.click(toggle);
    await page.screenshot({ path: join(OUT, 'dashboard-maintenance-confirm.png') });
    await page.click('#dp-maint-yes[data-action="on"]');
    await page.waitForSelector(tile('gate-m', 'MAINTENANCE'), { timeout: 10_000 });
    expect(await page.textContent(tile('gate-m'))).toContain('MAINTENANCE');
    await page.waitForSelector('#dp-summary[data-state="MAINTENANCE"]');
    await page.waitForSelector(`${toggle}[data-action="off"]`);
    await page.waitForSelector('#dp-maint-status:text-matches("^In maintenance since")');
    expect(await maintenance()).toBe(true);
    await page.screenshot({ path: join(OUT, 'dashboard-maintenance.png') });

    // and out again: UNKNOWN, then ONLINE with the device's next heartbeat
    await page.click(toggle);
    expect(await page.textContent('#dp-maint-question')).toContain('End maintenance for gate-m?');
    await page.click('#dp-maint-yes[data-action="off"]');
    await page.waitForSelector(tile('gate-m', 'ONLINE'), { timeout: 10_000 });
    await page.waitForSelector(`${toggle}[data-action="on"]`);
    expect(await maintenance()).toBe(false);
    // the states came from /topic/devices: the device list was read once, by the snapshot
    expect(requests.filter((u) => u.includes('/api/devices?')).length).toBe(1);

    // a device deleted meanwhile: the server's 404 is shown in the panel
    await request(base).delete('/api/devices/gate-gone').set('Authorization', `Bearer ${server.token({ sub: 'admin', role: 'ADMIN' })}`).expect(204);
    await page.click(tile('gate-gone'));
    await page.waitForSelector(`${toggle}[data-action="on"]`);
    await page.click(toggle);
    await page.click('#dp-maint-yes[data-action="on"]');
    await page.waitForSelector('#dp-maint-error:text-matches("404")', { timeout: 10_000 });
    expect(await page.textContent('#dp-maint-error')).toBe("Maintenance on failed: 404 not-found: device 'gate-gone' not found");
    await page.close();
  });

  browserIt('shows an operator no resolve, cancel or maintenance control', async () => {
    await addZone(server, 'T3');
    await addDevice(server, 'gate-o', 'GATE', 'T3');
    const page = await openAs('op1', 'operator-pass-1');
    const dev = await FakeDevice.start(server, 'gate-o', 'GATE');
    devices.push(dev);
    await page.waitForSelector(tile('gate-o', 'ONLINE'), { timeout: 10_000 });
    dev.kill();
    const open = '.alert[data-device-id="gate-o"][data-alert-state="OPEN"]';
    await page.waitForSelector(`${open} button.ack`, { timeout: 10_000 }); // operators acknowledge
    expect(await page.$$('#alerts button.resolve')).toHaveLength(0);
    await page.click(tile('gate-o'));
    await page.waitForSelector('#device-panel:not([hidden])');
    await page.waitForSelector('#dp-summary[data-state="OFFLINE"]');
    expect(await page.isHidden('#dp-maintenance')).toBe(true);
    expect(await page.isVisible('#dp-maint-toggle')).toBe(false);
    expect(await page.isHidden('#dp-commands')).toBe(true);
    expect(await page.$$('button.cancel-command')).toHaveLength(0);
    expect(await page.getAttribute('body', 'data-role')).toBe('OPERATOR');
    await page.screenshot({ path: join(OUT, 'dashboard-operator-no-admin-actions.png') });
    await page.close();
  });

  describe('with short-lived access tokens', () => {
    const TTL_S = 15;
    let short: TestServer;
    let shortBase: string;

    beforeAll(async () => {
      const port = await freePort();
      shortBase = `http://127.0.0.1:${port}`;
      short = await startTestServer({ PORT: String(port), ALLOWED_ORIGINS: shortBase, DISCONNECT_GRACE_S: '1', ACCESS_TOKEN_TTL_S: String(TTL_S) });
      await addZone(short, 'T1');
      await addDevice(short, 'gate-s', 'GATE', 'T1');
    });

    afterAll(async () => {
      await short?.close();
    });

    browserIt('renews the access token before it expires and hands it to the same STOMP session in-band', async () => {
      const api: Array<{ url: string; status: number }> = [];
      const sockets: string[] = [];
      const page = await openAs('admin', TEST_ADMIN_PASSWORD, '', undefined, shortBase, (p) => {
        p.on('response', (r) => {
          if (r.url().includes('/api/')) api.push({ url: r.url(), status: r.status() });
        });
        p.on('websocket', (ws) => sockets.push(ws.url()));
      });
      const first = await storedSession(page);
      expect(first.expiresIn).toBe(TTL_S);
      const firstExpiry = expiryOf(first.accessToken);
      const sessionId = (await page.getAttribute('#conn', 'data-session'))!;
      const live = (): Array<{ id: string; expiresAt: number | undefined }> =>
        short.gateway.server.sessionsOf('admin').map((s) => ({ id: s.id, expiresAt: s.principal?.expiresAt }));
      expect(live()).toEqual([{ id: sessionId, expiresAt: firstExpiry }]);

      // at ~80 % of the lifetime: POST /auth/refresh, then the new token in-band (the RECEIPT counts)
      await page.waitForSelector('#conn[data-token-handovers="1"]', { timeout: TTL_S * 1000 });
      expect(Date.now()).toBeLessThan(firstExpiry);
      expect(api.filter((r) => r.url.endsWith('/api/auth/refresh')).map((r) => r.status)).toEqual([200]);
      const second = await storedSession(page);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(live()).toEqual([{ id: sessionId, expiresAt: expiryOf(second.accessToken) }]);

      // past the first token's expiry (a computed wait: the clock is what is tested), the session lives on
      await sleep(Math.max(0, firstExpiry + 1000 - Date.now()));
      expect(await page.getAttribute('#conn', 'data-conn')).toBe('CONNECTED');
      expect(await page.getAttribute('#conn', 'data-connects')).toBe('1');
      expect(await page.getAttribute('#conn', 'data-session')).toBe(sessionId);
      expect(live().map((s) => s.id)).toEqual([sessionId]);
      expect(sockets).toHaveLength(1); // one WebSocket: no reconnect
      // ...and delivers: a device comes online on /topic/devices
      const dev = await FakeDevice.start(short, 'gate-s', 'GATE');
      try {
        await page.waitForSelector(tile('gate-s', 'ONLINE'), { timeout: 10_000 });
        // REST goes on with the renewed token, while the first one is refused
        await request(shortBase).get('/api/devices').set('Authorization', `Bearer ${first.accessToken}`).expect(401);
        await page.click(tile('gate-s'));
        await page.waitForSelector('#dp-history li:text-matches("UNKNOWN → ONLINE")', { timeout: 10_000 });
        expect(api.some((r) => r.url.includes('/api/devices/gate-s/history') && r.status === 200)).toBe(true);
        expect(api.filter((r) => r.status === 401)).toEqual([]);
        expect(await page.getAttribute('#conn', 'data-connects')).toBe('1');
        await page.screenshot({ path: join(OUT, 'dashboard-token-renewed.png') });
      } finally {
        dev.kill();
      }
      await page.close();
    });

    browserIt('returns to the sign-in screen with a message when the session can no longer be renewed', async () => {
      const page = await openAs('admin', TEST_ADMIN_PASSWORD, '', undefined, shortBase);
      const { accessToken, refreshToken } = await storedSession(page);
      // signed out elsewhere: the refresh token family is revoked
      await request(shortBase).post('/api/auth/logout').set('Authorization', `Bearer ${accessToken}`).send({ refreshToken }).expect(204);
      await page.waitForSelector('#login-view', { state: 'visible', timeout: TTL_S * 1000 });
      await page.waitForSelector('#login-error:text-matches("session has ended")');
      expect(await page.textContent('#login-error')).toMatch(/^Your session has ended \(.+\): sign in again\.$/);
      expect(await page.isHidden('#main-view')).toBe(true);
      expect(await page.getAttribute('#conn', 'data-conn')).toBe('DISCONNECTED');
      await page.waitForFunction(`sessionStorage.getItem('landside.session') === null`);
      await page.screenshot({ path: join(OUT, 'dashboard-session-ended.png') });
      await page.close();
    });
  });
});
