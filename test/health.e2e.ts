import request from 'supertest';
import { DataSource } from 'typeorm';
import { MessageBus } from '@landside/bus';
import type { DeviceType } from '@landside/contracts';
import { HealthMonitor, REGISTRY_CHANNELS, type RegistryDeviceView } from '@landside/devices';
import type { StompFrame } from '@landside/stomp';
import { RawStompClient } from './support/raw-stomp';
import { startTestServer, type TestServer } from './support/test-server';
import { until } from './support/wait';

/**
 * Device health end to end: real devices over STOMP, an operator watching /topic/devices and
 * /topic/alerts, alerts acknowledged and resolved over REST, and a restart that raises no storm.
 * Devices here use a 1 s interval and a tolerance of 2, so a silent one is OFFLINE 2 s after its
 * last heartbeat.
 */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function addZone(server: TestServer, id: string): Promise<void> {
  await server.app.get(DataSource).query(`INSERT INTO zones (id, name, kind) VALUES ($1, $1, 'CAR_PARK') ON CONFLICT DO NOTHING`, [id]);
}

/** Inserts a device row and announces it the way the registry does. */
async function addDevice(server: TestServer, id: string, type: DeviceType, zoneId: string, extra: Partial<RegistryDeviceView> = {}): Promise<void> {
  await server.app.get(DataSource).query(
    `INSERT INTO devices (id, type, name, zone_id, secret_hash, heartbeat_interval_s, miss_tolerance, parent_id)
     VALUES ($1, $2, $1, $3, 'x', 1, 2, $4)`,
    [id, type, zoneId, extra.parentId ?? null],
  );
  await server.app.get(MessageBus).publish<RegistryDeviceView>(REGISTRY_CHANNELS.registered, {
    id,
    type,
    zoneId,
    heartbeatIntervalS: 1,
    missTolerance: 2,
    maintenance: false,
    ...extra,
  });
}

async function operator(server: TestServer, name: string, destinations: string[]): Promise<RawStompClient> {
  const client = await RawStompClient.tcp(server.tcpPort);
  expect((await client.connect(server.token({ sub: name, role: 'OPERATOR' }))).command).toBe('CONNECTED');
  destinations.forEach((d, i) => client.send('SUBSCRIBE', { id: `s${i}`, destination: d, receipt: `r${i}` }));
  for (let i = 0; i < destinations.length; i++) await client.nextOf('RECEIPT');
  return client;
}

async function device(server: TestServer, id: string, type: DeviceType = 'GATE'): Promise<RawStompClient> {
  const client = await RawStompClient.tcp(server.tcpPort);
  expect((await client.connect(server.deviceToken(id, type))).command).toBe('CONNECTED');
  return client;
}

async function heartbeat(client: RawStompClient, status: 'OK' | 'DEGRADED' | 'FAULT' = 'OK', seq = 1): Promise<void> {
  client.send('SEND', { destination: '/app/heartbeat', receipt: `hb-${seq}` }, JSON.stringify({ seq, status }));
  await client.nextOf('RECEIPT');
}

function body<T>(frame: StompFrame): T {
  return JSON.parse(frame.bodyText) as T;
}

/** The next MESSAGE on a destination whose body matches; other frames stay queued. */
async function nextMatching<T>(client: RawStompClient, destination: string, match: (b: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const frame = await client.take((f) => f.command === 'MESSAGE' && f.header('destination') === destination && match(body<T>(f)), timeoutMs);
  return body<T>(frame);
}

interface StateChanged {
  kind: string;
  deviceId: string;
  from: string;
  to: string;
  reason: string;
  at: string;
  zoneId?: string;
}
interface AlertEvent {
  kind: string;
  alert: { id: string; deviceId: string; kind: string; severity: string; state: string };
}

describe('device health end to end', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    await addZone(server, 'T1');
    await addZone(server, 'T2');
  });

  afterAll(async () => {
    await server.close();
  });

  it('an open transport without heartbeats is not ONLINE; a heartbeat makes it ONLINE', async () => {
    await addDevice(server, 'gate-quiet', 'GATE', 'T1');
    const ops = await operator(server, 'op-quiet', ['/topic/devices']);
    const dev = await device(server, 'gate-quiet');
    try {
      await sleep(300);
      expect(server.app.get(HealthMonitor).health('gate-quiet')?.state).toBe('UNKNOWN');
      await heartbeat(dev);
      const online = await nextMatching<StateChanged>(ops, '/topic/devices', (b) => b.deviceId === 'gate-quiet' && b.to === 'ONLINE');
      expect(online).toMatchObject({ kind: 'device.state-changed', from: 'UNKNOWN', reason: 'RECOVERED', zoneId: 'T1' });
    } finally {
      dev.close();
      ops.close();
    }
  });

  it('heartbeats of an unregistered device (valid token, no registry row) are counted and ignored; the next device is served', async () => {
    const unknownTotal = async (): Promise<number> => {
      const res = await request(server.app.getHttpServer()).get('/metrics').expect(200);
      return Number(/^landside_health_unknown_device_total (\S+)$/m.exec(res.text)?.[1] ?? 0);
    };
    const before = await unknownTotal();
    const ghost = await device(server, 'gate-deleted');
    try {
      for (let seq = 1; seq <= 3; seq++) await heartbeat(ghost, 'OK', seq);
      // three heartbeats, and the session's connect when it has been handled by now
      const counted = (await unknownTotal()) - before;
      expect(counted).toBeGreaterThanOrEqual(3);
      expect(counted).toBeLessThanOrEqual(4);
      expect(server.app.get(HealthMonitor).health('gate-deleted')).toBeUndefined();
    } finally {
      ghost.close();
    }
    await addDevice(server, 'gate-after-ghost', 'GATE', 'T1');
    const next = await device(server, 'gate-after-ghost');
    try {
      await heartbeat(next);
      await until(() => server.app.get(HealthMonitor).health('gate-after-ghost')?.state === 'ONLINE', 'the next device ONLINE', 10_000);
    } finally {
      next.close();
    }
  });

  it('a silent device goes OFFLINE at its deadline, the alert reaches /topic/alerts, recovery resolves it', async () => {
    await addDevice(server, 'gate-silent', 'GATE', 'T1');
    const ops = await operator(server, 'op-silent', ['/topic/devices', '/topic/alerts', '/topic/zones/T1/devices']);
    const dev = await device(server, 'gate-silent');
    try {
      await heartbeat(dev);
      const lastBeat = Date.now();
      // the device hangs: socket open, no heartbeats
      const offline = await nextMatching<StateChanged>(ops, '/topic/devices', (b) => b.deviceId === 'gate-silent' && b.to === 'OFFLINE');
      const seenAt = Date.now();
      expect(offline.reason).toBe('HEARTBEAT_MISSED');
      // interval 1 s x tolerance 2: the transition is stamped at the deadline, detected within +1 s
      const deadline = Date.parse(offline.at);
      expect(deadline).toBeGreaterThanOrEqual(lastBeat + 2000 - 100);
      expect(deadline).toBeLessThanOrEqual(lastBeat + 2000 + 100);
      const alert = await nextMatching<AlertEvent>(ops, '/topic/alerts', (b) => b.alert.deviceId === 'gate-silent');
      expect(alert).toMatchObject({ kind: 'alert.raised', alert: { kind: 'OFFLINE', severity: 'CRITICAL', state: 'OPEN' } });
      // loose bound only (machines are shared); latency is measured in bench/
      expect(seenAt - deadline).toBeLessThan(5000);

      const db = server.app.get(DataSource);
      expect((await db.query(`SELECT state, state_reason FROM devices WHERE id = 'gate-silent'`))[0]).toEqual({ state: 'OFFLINE', state_reason: 'HEARTBEAT_MISSED' });
      expect((await db.query(`SELECT count(*)::int AS n FROM alerts WHERE device_id = 'gate-silent' AND state = 'OPEN'`))[0].n).toBe(1);
      // the zone topic carries it too
      await nextMatching<StateChanged>(ops, '/topic/zones/T1/devices', (b) => b.deviceId === 'gate-silent' && b.to === 'OFFLINE');

      await heartbeat(dev, 'OK', 2);
      const resolved = await nextMatching<AlertEvent>(ops, '/topic/alerts', (b) => b.alert.id === alert.alert.id && b.kind === 'alert.resolved');
      expect(resolved.alert.state).toBe('RESOLVED');
      expect((await db.query(`SELECT state, resolution FROM alerts WHERE id = $1`, [alert.alert.id]))[0]).toEqual({ state: 'RESOLVED', resolution: 'RECOVERED' });
      const history = await db.query(`SELECT to_state, reason FROM device_transitions WHERE device_id = 'gate-silent' ORDER BY id`);
      expect(history.map((h: { to_state: string }) => h.to_state)).toEqual(['ONLINE', 'OFFLINE', 'ONLINE']);
    } finally {
      dev.close();
      ops.close();
    }
  });

  it('a disconnect followed by a quick reconnect inside the grace raises nothing', async () => {
    await addDevice(server, 'kiosk-blip', 'PAYMENT_KIOSK', 'T1');
    let dev = await device(server, 'kiosk-blip', 'PAYMENT_KIOSK');
    await heartbeat(dev);
    dev.close();
    await sleep(200);
    dev = await device(server, 'kiosk-blip', 'PAYMENT_KIOSK');
    try {
      for (let i = 0; i < 4; i++) {
        await heartbeat(dev, 'OK', i + 2);
        await sleep(500);
      }
      expect(server.app.get(HealthMonitor).health('kiosk-blip')?.state).toBe('ONLINE');
      const db = server.app.get(DataSource);
      expect((await db.query(`SELECT count(*)::int AS n FROM alerts WHERE device_id = 'kiosk-blip'`))[0].n).toBe(0);
    } finally {
      dev.close();
    }
  });

  it('a device reporting FAULT raises a FAULT alert; operators acknowledge it, only admins resolve it', async () => {
    await addDevice(server, 'sign-fault', 'GUIDANCE_SIGN', 'T2');
    const dev = await device(server, 'sign-fault', 'GUIDANCE_SIGN');
    try {
      await heartbeat(dev, 'FAULT');
      await server.app.get(HealthMonitor).settled();
      const http = request(server.httpUrl);
      const opToken = server.token({ sub: 'op-ack', role: 'OPERATOR' });
      const list = await http.get('/api/alerts?state=OPEN').set('Authorization', `Bearer ${opToken}`).expect(200);
      const alert = (list.body.items as Array<{ id: string; deviceId: string; kind: string }>).find((a) => a.deviceId === 'sign-fault')!;
      expect(alert.kind).toBe('FAULT');

      await http.post(`/api/alerts/${alert.id}/ack`).set('Authorization', `Bearer ${opToken}`).send({}).expect(400);
      const acked = await http.post(`/api/alerts/${alert.id}/ack`).set('Authorization', `Bearer ${opToken}`).send({ note: 'technician called' }).expect(200);
      expect(acked.body).toMatchObject({ state: 'ACKNOWLEDGED', acknowledgedBy: 'op-ack', note: 'technician called' });
      await http.post(`/api/alerts/${alert.id}/ack`).set('Authorization', `Bearer ${opToken}`).send({ note: 'again' }).expect(409);

      // a zone-scoped operator of another zone does not see it
      const otherZone = server.token({ sub: 'op-t1', role: 'OPERATOR', zones: ['T1'] });
      const scoped = await http.get('/api/alerts').set('Authorization', `Bearer ${otherZone}`).expect(200);
      expect((scoped.body.items as Array<{ deviceId: string }>).some((a) => a.deviceId === 'sign-fault')).toBe(false);
      await http.post(`/api/alerts/${alert.id}/ack`).set('Authorization', `Bearer ${otherZone}`).send({ note: 'x' }).expect(404);

      await http.post(`/api/alerts/${alert.id}/resolve`).set('Authorization', `Bearer ${opToken}`).expect(403);
      await http.post(`/api/alerts/${alert.id}/resolve`).expect(401);
      await http.post(`/api/alerts/not-a-uuid/resolve`).set('Authorization', `Bearer ${server.token({ sub: 'admin', role: 'ADMIN' })}`).expect(400);
      const resolved = await http
        .post(`/api/alerts/${alert.id}/resolve`)
        .set('Authorization', `Bearer ${server.token({ sub: 'admin', role: 'ADMIN' })}`)
        .expect(200);
      expect(resolved.body).toMatchObject({ state: 'RESOLVED', resolvedBy: 'admin', resolution: 'ADMIN' });

      const audit = await server.app.get(DataSource).query(`SELECT actor, action, target FROM audit_log WHERE target = $1 ORDER BY id`, [alert.id]);
      expect(audit).toEqual([
        { actor: 'op-ack', action: 'alert.acknowledged', target: alert.id },
        { actor: 'admin', action: 'alert.resolved', target: alert.id },
      ]);
      // the server still serves the next request
      await http.get('/api/alerts').set('Authorization', `Bearer ${opToken}`).expect(200);
    } finally {
      dev.close();
    }
  });

  it('paginates alerts with a cursor, without duplicates', async () => {
    const db = server.app.get(DataSource);
    for (let i = 0; i < 7; i++) await addDevice(server, `cam-page-${i}`, 'LPR_CAMERA', 'T2');
    for (let i = 0; i < 7; i++) {
      await db.query(
        `INSERT INTO alerts (device_id, zone_id, kind, severity, state, opened_at, last_occurred_at) VALUES ($1, 'T2', 'OFFLINE', 'MAJOR', 'RESOLVED', now() - ($2 || ' seconds')::interval, now())`,
        [`cam-page-${i}`, String(i)],
      );
    }
    const http = request(server.httpUrl);
    const token = server.token({ sub: 'op-page', role: 'OPERATOR' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await http
        .get(`/api/alerts?state=RESOLVED&limit=3${cursor ? `&cursor=${cursor}` : ''}`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      seen.push(...(res.body.items as Array<{ id: string }>).map((a) => a.id));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(7);
    await http.get('/api/alerts?limit=501').set('Authorization', `Bearer ${token}`).expect(400);
    await http.get('/api/alerts?cursor=garbage!').set('Authorization', `Bearer ${token}`).expect(400);
  });
});

describe('restart grace', () => {
  it('after a restart, devices that reconnect within the grace raise no OFFLINE alert; one that does not, does', async () => {
    let server = await startTestServer({}, undefined, { persistent: true });
    try {
      await addZone(server, 'R1');
      await addDevice(server, 'gate-back', 'GATE', 'R1');
      await addDevice(server, 'gate-gone', 'GATE', 'R1');
      const a = await device(server, 'gate-back');
      const b = await device(server, 'gate-gone');
      await heartbeat(a);
      await heartbeat(b);
      await server.app.get(HealthMonitor).settled();
      a.close();
      b.close();

      server = await server.restart();
      const monitor = server.app.get(HealthMonitor);
      expect(monitor.health('gate-back')?.state).toBe('UNKNOWN');
      const back = await device(server, 'gate-back');
      try {
        await heartbeat(back);
        // keep it alive past the grace window (1 s x 2) and the silent one's deadline
        for (let i = 0; i < 6; i++) {
          await sleep(500);
          await heartbeat(back, 'OK', i + 2);
        }
        await monitor.settled();
        const db = server.app.get(DataSource);
        const alerts: Array<{ device_id: string; kind: string }> = await db.query(`SELECT device_id, kind FROM alerts ORDER BY device_id`);
        expect(alerts).toEqual([{ device_id: 'gate-gone', kind: 'OFFLINE' }]);
        const transitions = await db.query(`SELECT to_state, reason FROM device_transitions WHERE device_id = 'gate-gone' ORDER BY id`);
        expect(transitions.map((t: { to_state: string; reason: string }) => `${t.to_state}:${t.reason}`)).toEqual([
          'ONLINE:RECOVERED',
          'UNKNOWN:RESTART_GRACE',
          'OFFLINE:RESTART_GRACE',
        ]);
      } finally {
        back.close();
      }
    } finally {
      await server.close();
    }
  });
});
