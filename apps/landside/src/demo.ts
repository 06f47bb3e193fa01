import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TokenService } from '@landside/auth';
import type { AppConfig } from '@landside/config';
import { readMeta, writeMeta } from '@landside/persistence';
import type { RunningApp } from '@landside/runtime';
import { buildAirport, startSimulation, topologyDocument, type Simulation } from '../../../device-simulator/src';

/** app_meta key: the hash of the demo airport's topology document last applied. */
const SEEDED = 'demo.seeded';

/**
 * The live demo of the embedded default (SPEC §9): on first run the demo airport is seeded
 * through the public API (PUT /api/topology), later runs find it seeded and skip that; then the
 * device simulator runs against this very process over loopback, with an occasional fault, so
 * the dashboard and topics are alive within seconds. The simulator stays a client: it talks
 * HTTP and STOMP; only its device and driver tokens are minted here (same claims as
 * /api/auth/device-token and a driver's login, without an argon2 check each).
 */
export async function startDemo(running: RunningApp, config: AppConfig): Promise<Simulation> {
  const logger = new Logger('Demo');
  const db = running.app.get(DataSource);
  const tokens = running.app.get(TokenService);
  const airport = buildAirport({ devices: config.demoDevices });
  // the seed is the topology document's hash: a data dir seeded by an older layout (or another
  // DEMO_DEVICES) gets the current one applied (PUT /api/topology is idempotent), once
  const layout = createHash('sha256').update(JSON.stringify(topologyDocument(airport))).digest('hex').slice(0, 16);
  const seeded = (await readMeta(db, SEEDED)) === layout;
  const types = new Map(airport.devices.map((d) => [d.id, d.type]));
  const zones = new Map(airport.devices.map((d) => [d.id, d.zoneId]));
  const simulation = await startSimulation({
    url: `http://127.0.0.1:${running.httpPort}`,
    tcpPort: running.tcpPort ?? 0,
    // minted afresh whenever the simulator's admin token nears its end: the demo runs for days
    admin: { mint: () => tokens.sign({ sub: 'demo', role: 'ADMIN' }, 3600) },
    airport,
    provision: !seeded,
    deviceTokens: (deviceId) => {
      const ttl = config.auth.deviceTokenTtlS;
      const zone = zones.get(deviceId);
      const accessToken = tokens.sign({ sub: deviceId, role: 'DEVICE', deviceType: types.get(deviceId), zones: zone ? [zone] : undefined }, ttl);
      return Promise.resolve({ accessToken, expiresIn: ttl });
    },
    driverTokens: (plate) => Promise.resolve(tokens.sign({ sub: plate, role: 'DRIVER' }, config.auth.accessTokenTtlS)),
    faults: { ratePerMin: 1 },
    keepTruth: false,
    commandsPerMin: 2,
    log: (message) => logger.log(message),
  });
  if (!seeded) {
    await writeMeta(db, SEEDED, layout);
    logger.log(`demo airport seeded: ${airport.devices.length} devices (layout ${layout})`);
  }
  return simulation;
}
