import { DataSource } from 'typeorm';
import { MessageBus } from '@landside/bus';
import type { DeviceType } from '@landside/contracts';
import { FAILOVER_GROUP_CHANNEL, HealthMonitor, REGISTRY_CHANNELS, type RegistryDeviceView } from '@landside/devices';
import type { StompFrame } from '@landside/stomp';
import { RawStompClient } from './support/raw-stomp';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * SPEC §5 failover end to end: a primary camera dies, the standby receives ACTIVATE over its
 * command queue and /topic/failovers reports it with a FAILOVER alert; when the standby dies too,
 * the group's fallback command (a gate to TICKET_MODE) is sent and NO_STANDBY raised.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const db = server.app.get(DataSource);
  const bus = server.app.get(MessageBus);
  await db.query(`INSERT INTO zones (id, name, kind) VALUES ('F1', 'F1', 'CAR_PARK')`);
  const devices: Array<[string, DeviceType]> = [
    ['cam-a', 'LPR_CAMERA'],
    ['cam-b', 'LPR_CAMERA'],
    ['gate-f', 'GATE'],
  ];
  for (const [id, type] of devices) {
    await db.query(
      `INSERT INTO devices (id, type, name, zone_id, secret_hash, heartbeat_interval_s, miss_tolerance) VALUES ($1, $2, $1, 'F1', 'x', 1, 2)`,
      [id, type],
    );
    await bus.publish<RegistryDeviceView>(REGISTRY_CHANNELS.registered, { id, type, zoneId: 'F1', heartbeatIntervalS: 1, missTolerance: 2 });
  }
  await db.query(
    `INSERT INTO failover_groups (id, zone_id, members, failback, fallback_command) VALUES ('lane-1-cams', 'F1', ARRAY['cam-a', 'cam-b'], 'MANUAL', $1)`,
    [JSON.stringify({ type: 'TICKET_MODE', deviceId: 'gate-f' })],
  );
  await bus.publish(FAILOVER_GROUP_CHANNEL, { id: 'lane-1-cams' });
});

afterAll(async () => {
  await server.close();
});

async function device(id: string, type: DeviceType): Promise<RawStompClient> {
  const client = await RawStompClient.tcp(server.tcpPort);
  expect((await client.connect(server.deviceToken(id, type))).command).toBe('CONNECTED');
  client.send('SUBSCRIBE', { id: 'cmd', destination: '/user/queue/commands', ack: 'client-individual', receipt: 'sub' });
  await client.take((f) => f.command === 'RECEIPT');
  return client;
}

function beat(client: RawStompClient, seq: number): void {
  client.send('SEND', { destination: '/app/heartbeat' }, JSON.stringify({ seq, status: 'OK' }));
}

const json = <T>(f: StompFrame): T => JSON.parse(f.bodyText) as T;

/** The next command MESSAGE of a type; ACKs it like a device would and reports SUCCEEDED. */
async function command(client: RawStompClient, type: string, timeoutMs = 15_000): Promise<{ commandId: string; type: string; params: Record<string, unknown> }> {
  const frame = await client.take((f) => f.command === 'MESSAGE' && json<{ type: string }>(f).type === type, timeoutMs);
  const body = json<{ commandId: string; type: string; params: Record<string, unknown> }>(frame);
  expect(frame.header('command-id')).toBe(body.commandId);
  client.send('ACK', { id: frame.header('ack')! });
  client.send('SEND', { destination: '/app/command-results' }, JSON.stringify({ commandId: body.commandId, outcome: 'SUCCEEDED' }));
  return body;
}

it('activates the standby when the primary dies, then falls back to TICKET_MODE when no member is left', async () => {
  const ops = await RawStompClient.tcp(server.tcpPort);
  await ops.connect(server.token({ sub: 'op-f', role: 'OPERATOR' }));
  ops.send('SUBSCRIBE', { id: 'f', destination: '/topic/failovers' });
  ops.send('SUBSCRIBE', { id: 'a', destination: '/topic/alerts', receipt: 'subs' });
  await ops.take((f) => f.command === 'RECEIPT');

  const camA = await device('cam-a', 'LPR_CAMERA');
  const camB = await device('cam-b', 'LPR_CAMERA');
  const gate = await device('gate-f', 'GATE');
  let seq = 0;
  let aAlive = true;
  let bAlive = true;
  const ticker = setInterval(() => {
    seq++;
    if (aAlive) beat(camA, seq);
    if (bAlive) beat(camB, seq);
    beat(gate, seq);
  }, 300);
  try {
    // both healthy: the first by priority becomes active
    const initial = await ops.take((f) => f.header('destination') === '/topic/failovers', 10_000);
    expect(json(initial)).toMatchObject({ kind: 'failover.activated', groupId: 'lane-1-cams', to: 'cam-a', reason: 'INITIAL', zoneId: 'F1' });
    expect((await command(camA, 'ACTIVATE')).params).toEqual({ groupId: 'lane-1-cams' });

    // the primary dies (hangs: socket open, heartbeats stop)
    aAlive = false;
    const failover = await ops.take((f) => f.header('destination') === '/topic/failovers', 10_000);
    expect(json(failover)).toMatchObject({ kind: 'failover.activated', from: 'cam-a', to: 'cam-b', reason: 'FAILOVER' });
    const activate = await command(camB, 'ACTIVATE');
    expect(activate.params).toEqual({ groupId: 'lane-1-cams' });
    const alert = await ops.take((f) => f.header('destination') === '/topic/alerts' && json<{ alert: { kind: string } }>(f).alert.kind === 'FAILOVER', 10_000);
    expect(json(alert)).toMatchObject({ kind: 'alert.raised', alert: { deviceId: 'cam-a', kind: 'FAILOVER', state: 'OPEN' } });
    // the failed primary is told to stand down when it is reachable again: its DEACTIVATE waits queued
    const db = server.app.get(DataSource);
    const deactivate = await db.query(`SELECT status FROM commands WHERE device_id = 'cam-a' AND type = 'DEACTIVATE'`);
    expect(deactivate).toHaveLength(1);
    expect((await db.query(`SELECT active_member FROM failover_groups WHERE id = 'lane-1-cams'`))[0].active_member).toBe('cam-b');

    // the standby dies too: the gate goes to ticket mode, NO_STANDBY is raised
    bAlive = false;
    const none = await ops.take((f) => f.header('destination') === '/topic/failovers', 10_000);
    expect(json(none)).toMatchObject({ kind: 'failover.no-standby', groupId: 'lane-1-cams', from: 'cam-b' });
    await command(gate, 'TICKET_MODE');
    const noStandby = await ops.take((f) => f.header('destination') === '/topic/alerts' && json<{ alert: { kind: string } }>(f).alert.kind === 'NO_STANDBY', 10_000);
    expect(json(noStandby)).toMatchObject({ alert: { deviceId: 'cam-b', kind: 'NO_STANDBY', severity: 'CRITICAL' } });
    await server.app.get(HealthMonitor).settled();
    const audited = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE actor = 'system:failover'`);
    expect(audited[0].n).toBeGreaterThanOrEqual(4);
  } finally {
    clearInterval(ticker);
    for (const c of [camA, camB, gate, ops]) c.close();
  }
});
