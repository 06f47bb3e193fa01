import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '@landside/config';
import { startApp, type RunningApp } from '@landside/runtime';
import { startDemo } from '../apps/landside/src/demo';
import { LandsideModule } from '../apps/landside/src/landside.module';
import { TEST_JWT_SECRET } from './support/test-server';

/**
 * The embedded default as `npm start` runs it (minus the build): a fresh data directory is
 * seeded with the demo airport once, the simulator brings its devices ONLINE, and a second start
 * on the same directory seeds nothing new.
 */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function start(dataDir: string): Promise<{ running: RunningApp; stop: () => Promise<void> }> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    STOMP_TCP_PORT: '0',
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    DEMO: '1',
    DEMO_DEVICES: '30',
  });
  const running = await startApp(LandsideModule.forRoot(config), config);
  const simulation = await startDemo(running, config);
  return {
    running,
    stop: async () => {
      await simulation.stop();
      await running.close();
    },
  };
}

interface Page {
  items: Array<{ id: string; state: string }>;
  nextCursor: string | null;
}

async function devices(running: RunningApp, token: string): Promise<Page['items']> {
  const http = request(`http://127.0.0.1:${running.httpPort}`);
  const all: Page['items'] = [];
  let cursor: string | null = null;
  do {
    const res: request.Response = await http
      .get(`/api/devices?limit=500${cursor ? `&cursor=${cursor}` : ''}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    const page = res.body as Page;
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

async function stands(running: RunningApp, token: string): Promise<Array<{ zoneId: string; mode: string; regions: string[] }>> {
  const res = await request(`http://127.0.0.1:${running.httpPort}`).get('/api/dispatch/stands').set('Authorization', `Bearer ${token}`).expect(200);
  const items = (res.body as { items: Array<{ zoneId: string; mode: string; regions: string[] }> }).items;
  return items.map(({ zoneId, mode, regions }) => ({ zoneId, mode, regions })).sort((a, b) => a.zoneId.localeCompare(b.zoneId));
}

it('seeds the demo airport (with its taxi stands) once, serves /health/ready, and its devices come ONLINE', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'landside-demo-'));
  try {
    let app = await start(dir);
    const { TokenService } = await import('@landside/auth');
    const token = (): string => app.running.app.get(TokenService).sign({ sub: 'viewer', role: 'OPERATOR' }, 300);
    await request(`http://127.0.0.1:${app.running.httpPort}`).get('/health/ready').expect(200);
    const seeded = await devices(app.running, token());
    expect(seeded.length).toBe(30);
    const deadline = Date.now() + 60_000;
    let online = 0;
    while (Date.now() < deadline) {
      online = (await devices(app.running, token())).filter((d) => d.state === 'ONLINE' || d.state === 'DEGRADED').length;
      if (online >= 25) break;
      await sleep(500);
    }
    expect(online).toBeGreaterThanOrEqual(25);
    expect(await stands(app.running, token())).toEqual([
      { zoneId: 'T1-TAXI', mode: 'REGIONAL', regions: ['SEOUL', 'INCHEON', 'GYEONGGI'] },
      { zoneId: 'T2-TAXI', mode: 'DRIVER_SELECTED', regions: ['SEOUL', 'INCHEON', 'GYEONGGI'] },
    ]);
    await app.stop();

    app = await start(dir);
    expect((await devices(app.running, token())).length).toBe(30);
    expect(await stands(app.running, token())).toHaveLength(2);
    await app.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
