/**
 * Topic fan-out to the control room: how fast state changes and alerts reach many operators when a
 * lot happens at once. A fresh server (harness.ts), the device simulator in a second process with
 * N devices (heartbeats only, 5 s × 3), and M operator sessions in this process (@stomp/stompjs over
 * WebSocket, OPERATOR tokens) subscribed to `/topic/devices` and `/topic/alerts`. Once every
 * device is online, the simulator crashes K devices at once (a scheduled `CRASH`, held 30 s): K
 * OFFLINE transitions and K alerts, then K recoveries and K resolutions, each to every operator.
 *
 * Latency of a message = its arrival at the operator − the `at` in its body (the server's time of
 * the transition or alert change; same host, same clock): detection batching, the database write,
 * publish after commit and delivery, all included. Also: what each operator received (status
 * topics are conflated per entity for a reader that falls behind, SPEC §4), and any ERROR or close.
 *
 *   npm run build && node dist/bench/fanout.js --devices 2000 --operators 50 --crash 500 [--profile] [--database-url URL]
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@stomp/stompjs';
import { sign } from 'jsonwebtoken';
import WebSocket from 'ws';
import { ADMIN_PASSWORD, argValue, exited, hasEnded, log, removeTempDir, ROOT, runMain, sleep, spawnNode, startServer, stop, tempDir, waitQuiet } from './harness';
import { percentiles } from './load';

const SIMULATOR = join(ROOT, 'dist/device-simulator/src/cli.js');
const FAULT_HOLD_MS = 30_000;

interface Options {
  devices: number;
  operators: number;
  crash: number;
  /** Write a CPU profile of the server over the storm (server-preload.ts) into this directory. */
  profileDir?: string;
  databaseUrl?: string;
}

function parseArgs(argv: readonly string[]): Options {
  const get = (name: string): string | undefined => argValue(argv, name);
  return {
    devices: Number(get('devices') ?? 2000),
    operators: Number(get('operators') ?? 50),
    crash: Number(get('crash') ?? 500),
    profileDir: argv.includes('--profile') ? join(tmpdir(), 'landside-bench-profiles') : undefined,
    databaseUrl: get('database-url'),
  };
}

interface Operator {
  readonly client: Client;
  /** Shared by all operators: kind -> latencies. */
  readonly latencies: Map<string, number[]>;
  readonly kinds: Record<string, number>;
  errors: string[];
  closes: number;
}

function operator(i: number, url: string, secret: string, latencies: Map<string, number[]>): Promise<Operator> {
  const token = sign({ sub: `bench-operator-${i}`, role: 'OPERATOR', exp: Math.floor(Date.now() / 1000) + 3600 }, secret, {
    algorithm: 'HS256',
    issuer: 'landside',
    audience: 'landside',
  });
  return new Promise((resolve, reject) => {
    const client = new Client({
      webSocketFactory: () => new WebSocket(url, ['v12.stomp']) as unknown as globalThis.WebSocket,
      connectHeaders: { Authorization: `Bearer ${token}` },
      reconnectDelay: 0,
      heartbeatIncoming: 10_000,
      heartbeatOutgoing: 10_000,
    });
    const op: Operator = { client, latencies, kinds: {}, errors: [], closes: 0 };
    const onMessage = (body: string): void => {
      const received = Date.now();
      const m = JSON.parse(body) as { kind?: string; at?: string };
      const kind = m.kind ?? '?';
      op.kinds[kind] = (op.kinds[kind] ?? 0) + 1;
      if (m.at === undefined) return;
      const list = op.latencies.get(kind) ?? [];
      op.latencies.set(kind, list);
      list.push(received - Date.parse(m.at));
    };
    client.onConnect = () => {
      client.subscribe('/topic/devices', (m) => onMessage(m.body));
      client.watchForReceipt(`subscribed-${i}`, () => resolve(op));
      client.subscribe('/topic/alerts', (m) => onMessage(m.body), { receipt: `subscribed-${i}` });
    };
    client.onStompError = (frame) => {
      op.errors.push(frame.headers['error-code'] ?? frame.headers['message'] ?? 'error');
      reject(new Error(`operator ${i}: ${frame.headers['message']}`));
    };
    client.onWebSocketClose = () => {
      op.closes++;
    };
    client.activate();
  });
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const work = tempDir('fanout');
  const schedule = join(work, 'schedule.json');
  // atMs counts from the moment every device is online
  writeFileSync(schedule, JSON.stringify([{ atMs: 5000, fault: 'CRASH', count: o.crash, durationMs: FAULT_HOLD_MS }]));
  const server = await startServer({ name: `fanout ${o.devices}x${o.operators}`, tcp: true,
    ...(o.profileDir ? { profileDir: o.profileDir } : {}),
    ...(o.databaseUrl ? { env: { DATABASE_URL: o.databaseUrl } } : {}),
  });
  try {
    await sleep(2000);
    await waitQuiet(60, 25);
    const url = `http://127.0.0.1:${server.port}`;
    const sim = spawnNode(
      [
        SIMULATOR, 'run', '--url', url, '--username', 'admin', '--password', ADMIN_PASSWORD,
        '--devices', String(o.devices), '--tcp-port', String(server.tcpPort), '--taxis-per-stand', '0',
        '--event-scale', '0', '--commands-per-min', '0', '--schedule', schedule, '--truth', join(work, 'truth.jsonl'), '--seed', '11',
      ],
      { stdout: 'inherit', stderr: 'pipe' },
    );
    let online = false;
    let picked = '';
    let buffered = '';
    sim.stderr!.on('data', (d: Buffer) => {
      buffered += d.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.includes('devices online after') || line.includes('devices online; starting anyway')) online = true;
        if (line.includes('eligible devices')) picked = line.slice(25);
      }
    });
    // operators first: they watch the whole storm
    const latencies = new Map<string, number[]>();
    const operators = await Promise.all(Array.from({ length: o.operators }, (_, i) => operator(i, `ws://127.0.0.1:${server.port}/stomp`, server.jwtSecret, latencies)));
    log(`${o.operators} operators subscribed to /topic/devices and /topic/alerts`);
    while (!online) {
      if (hasEnded(sim)) throw new Error(`the simulator ended (${sim.exitCode ?? sim.signalCode})`);
      await sleep(500);
    }
    log(`devices online; the crash of ${o.crash} is due in 5 s, held ${FAULT_HOLD_MS / 1000} s`);
    latencies.clear();
    for (const op of operators) for (const k of Object.keys(op.kinds)) delete op.kinds[k];
    // crash at +5 s, OFFLINE by +5 s + 15 s (window) + 1 s, recovery at +35 s, resolved soon after
    if (o.profileDir) process.kill(server.pid, 'SIGUSR2');
    await sleep(5000 + FAULT_HOLD_MS + 20_000);
    if (o.profileDir) {
      process.kill(server.pid, 'SIGUSR2');
      await sleep(2000);
      log(`CPU profile of the storm in ${o.profileDir}`);
    }
    await stop(sim, 30_000);
    await exited(sim);
    const counts = operators.map((op) => Object.values(op.kinds).reduce((a, b) => a + b, 0));
    const kinds: Record<string, number> = {};
    for (const op of operators) for (const [k, v] of Object.entries(op.kinds)) kinds[k] = Math.max(kinds[k] ?? 0, v);
    const all = [...latencies.values()].flat();
    const p = percentiles(all);
    const byKind = [...latencies.entries()].map(([k, v]) => {
      const q = percentiles(v);
      return `${k} p50 ${q.p50.toFixed(0)} / p99 ${q.p99.toFixed(0)} / max ${q.max.toFixed(0)} ms`;
    });
    const out = [
      '',
      `fan-out (${o.databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}): ${o.devices} simulated devices, ${o.operators} operators on /topic/devices + /topic/alerts, a crash of ${o.crash} devices held ${FAULT_HOLD_MS / 1000} s${picked ? ` (${picked})` : ''}`,
      `messages per operator: min ${Math.min(...counts)}, max ${Math.max(...counts)}; by kind (max over operators): ${JSON.stringify(kinds)}`,
      `delivered in all: ${all.length}; latency (server at -> operator) p50 ${p.p50.toFixed(0)} ms, p90 ${p.p90.toFixed(0)} ms, p99 ${p.p99.toFixed(0)} ms, max ${p.max.toFixed(0)} ms`,
      `by kind: ${byKind.join('; ')}`,
      `operator ERRORs: ${operators.flatMap((op) => op.errors).join(' ') || 'none'}; closes: ${operators.reduce((n, op) => n + op.closes, 0)}`,
      '',
    ];
    process.stdout.write(out.join('\n'));
    await Promise.all(operators.map((op) => op.client.deactivate()));
  } finally {
    await server.close();
    removeTempDir(work);
  }
}

if (require.main === module) runMain(main);
