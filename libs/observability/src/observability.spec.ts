/** The module over HTTP: /metrics lists the metrics, /health/* report liveness and readiness. */
import { type DynamicModule, Global, INestApplication, Module, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@landside/persistence';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  checkReadiness,
  createLogger,
  LOGGER,
  MetricsService,
  OBSERVABILITY_ROUTES,
  ObservabilityModule,
  PinoNestLogger,
  ReadinessChecks,
} from './index';

const GATEWAY_METRICS = [
  'landside_stomp_connections',
  'landside_stomp_frames_in_total',
  'landside_stomp_frames_out_total',
  'landside_stomp_errors_total',
  'landside_auth_failures_total',
  'landside_stomp_session_duration_seconds',
];

async function startApp(extraImports: Array<DynamicModule | Type<unknown>> = []): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [ObservabilityModule.forRoot({ logLevel: 'silent', defaultLabels: { app: 'test' } }), ...extraImports],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.setGlobalPrefix('api', { exclude: OBSERVABILITY_ROUTES });
  await app.init();
  return app;
}

describe('GET /metrics', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(() => app.close());

  it('serves the Prometheus text format with the gateway, process and event-loop metrics', async () => {
    const metrics = app.get(MetricsService);
    metrics.stompConnections.inc({ transport: 'ws', role: 'DEVICE' });
    metrics.stompFramesIn.inc({ command: 'SEND' }, 3);
    metrics.stompErrors.inc({ code: 'forbidden' });
    metrics.stompSessionDuration.observe({ transport: 'tcp' }, 42);

    const res = await request(app.getHttpServer()).get('/metrics').expect(200);
    // Prometheus text format 0.0.4 (Express may reorder the media type's parameters)
    expect(res.headers['content-type']).toMatch(/^text\/plain;/);
    expect(res.headers['content-type']).toContain('version=0.0.4');
    expect(res.headers['cache-control']).toBe('no-store');
    for (const name of GATEWAY_METRICS) expect(res.text).toContain(`# TYPE ${name} `);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toContain('nodejs_eventloop_lag_seconds');
    expect(res.text).toContain('landside_stomp_connections{transport="ws",role="DEVICE",app="test"} 1');
    expect(res.text).toContain('landside_stomp_frames_in_total{command="SEND",app="test"} 3');
  });

  it('is outside the /api prefix', async () => {
    await request(app.getHttpServer()).get('/api/metrics').expect(404);
    await request(app.getHttpServer()).get('/api/health/live').expect(404);
  });

  it('GET /health/live answers ok', async () => {
    const res = await request(app.getHttpServer()).get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /health/ready without a database is ready with no checks', async () => {
    const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: {} });
  });

  it('provides the logger and its Nest adapter', () => {
    expect(typeof app.get(LOGGER).info).toBe('function');
    expect(app.get(PinoNestLogger)).toBeInstanceOf(PinoNestLogger);
  });
});

describe('MetricsService', () => {
  it('gives each instance its own registry, so apps in one process do not collide', async () => {
    const a = new MetricsService();
    const b = new MetricsService();
    a.stompFramesOut.inc({ command: 'MESSAGE' });
    expect(await a.metrics()).toContain('landside_stomp_frames_out_total{command="MESSAGE"} 1');
    expect(await b.metrics()).not.toContain('command="MESSAGE"');
  });

  it('publishes the frame tallies into the frame counters when read: monotonic, beside direct inc()', async () => {
    const m = new MetricsService();
    const series = async (): Promise<string[]> =>
      (await m.metrics()).split('\n').filter((line) => line.startsWith('landside_stomp_frames_in_total{'));
    m.stompFramesInTally.add('SEND');
    m.stompFramesInTally.add('SEND');
    m.stompFramesInTally.add('CONNECT');
    m.stompFramesOutTally.add('RECEIPT');
    expect(await series()).toEqual(['landside_stomp_frames_in_total{command="SEND"} 2', 'landside_stomp_frames_in_total{command="CONNECT"} 1']);
    expect(await series()).toEqual(['landside_stomp_frames_in_total{command="SEND"} 2', 'landside_stomp_frames_in_total{command="CONNECT"} 1']);
    m.stompFramesInTally.add('SEND');
    m.stompFramesIn.inc({ command: 'SEND' }, 10);
    expect(await series()).toEqual(['landside_stomp_frames_in_total{command="SEND"} 13', 'landside_stomp_frames_in_total{command="CONNECT"} 1']);
    expect(await m.metrics()).toContain('landside_stomp_frames_out_total{command="RECEIPT"} 1');
    expect(await m.metrics()).not.toContain('command="MESSAGE"');
    const json = await m.registry.getSingleMetric('landside_stomp_frames_out_total')!.get();
    expect(json.values).toEqual([{ value: 1, labels: { command: 'RECEIPT' } }]);
  });

  it('lets other libs register metrics on the same registry, idempotently by name', async () => {
    const m = new MetricsService();
    const c1 = m.counter({ name: 'landside_dispatch_matches_total', help: 'matches', labelNames: ['zone'] });
    const c2 = m.counter({ name: 'landside_dispatch_matches_total', help: 'matches', labelNames: ['zone'] });
    expect(c2).toBe(c1);
    c1.inc({ zone: 'T1' });
    m.histogram({ name: 'landside_dispatch_wait_seconds', help: 'wait', buckets: [1, 10] }).observe(3);
    m.gauge({ name: 'landside_devices', help: 'devices' }).set(7);
    const text = await m.registry.metrics();
    expect(text).toContain('landside_dispatch_matches_total{zone="T1"} 1');
    expect(text).toContain('landside_dispatch_wait_seconds_bucket{le="10"} 1');
    expect(text).toContain('landside_devices 7');
    expect(() => m.gauge({ name: 'landside_dispatch_matches_total', help: 'x' })).toThrow(/another type/);
  });
});

describe.each(testDatabaseKinds())('GET /health/ready with a %s DataSource', (kind) => {
  let db: TestDatabase;
  let app: INestApplication;
  beforeAll(async () => {
    db = await openTestDatabase({ kind, migrations: false });
    @Global()
    @Module({ providers: [{ provide: DataSource, useValue: db.dataSource }], exports: [DataSource] })
    class FakeTypeOrmModule {}
    app = await startApp([FakeTypeOrmModule]);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('is 200 while SELECT 1 succeeds', async () => {
    const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'up' } });
  });

  it('reports a failing registered check by name', async () => {
    const checks = app.get(ReadinessChecks);
    checks.add('bus', () => Promise.reject(new Error('redis: connection refused')));
    try {
      const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ status: 'unavailable', checks: { database: 'up', bus: 'down' } });
      expect(res.body.error).toContain('redis: connection refused');
    } finally {
      checks.remove('bus');
    }
  });

  it('is 503 once the DataSource is destroyed', async () => {
    await db.dataSource.destroy();
    const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(res.body).toMatchObject({ status: 'unavailable', checks: { database: 'down' } });
    expect(typeof res.body.error).toBe('string');
    await request(app.getHttpServer()).get('/health/live').expect(200);
  });
});

describe('checkReadiness', () => {
  it('fails a check that does not answer before its deadline', async () => {
    const report = await checkReadiness(undefined, [['slow', () => new Promise<void>(() => undefined)]], 20);
    expect(report).toMatchObject({ status: 'unavailable', checks: { slow: 'down' } });
    expect(report.error).toMatch(/slow check timed out after 20 ms/);
  });
});

describe('app.useLogger(PinoNestLogger)', () => {
  it('turns Nest framework logs into JSON lines', async () => {
    const chunks: string[] = [];
    const logger = createLogger('info', { write: (s: string) => void chunks.push(s) });
    const moduleRef = await Test.createTestingModule({ imports: [ObservabilityModule.forRoot({ logLevel: 'info', logger })] }).compile();
    const app = moduleRef.createNestApplication({ bufferLogs: true });
    app.useLogger(app.get(PinoNestLogger));
    await app.init();
    await app.close();
    const lines = chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((l) => l['context'] === 'RouterExplorer' && String(l['msg']).includes('/metrics'))).toBe(true);
  });
});
