/**
 * The device simulator as the load: a fresh server (harness.ts) and `simulate run` in a second
 * process with N devices of every type — provisioned through PUT /api/topology, each with its own
 * device token from POST /api/auth/device-token, over raw WebSocket, raw TCP, @stomp/stompjs and
 * SockJS, heartbeats at the type's interval, field events, taxi dispatch, commands and injected
 * faults — then `simulate score` on what the server recorded. Prints the timings of the way up,
 * the steady window's figures (server and simulator CPU and memory, frames/s, event-loop lag,
 * devices the server counts ONLINE) and the score (recall, false alerts, lateness, commands,
 * dispatch invariants).
 *
 *   npm run build && node dist/bench/simulated.js --devices 10000 --window-s 120 --fault-rate 6
 *
 * Flags: --devices N (10000)  --window-s S (steady window after every device is online, 120)
 *        --fault-rate N (faults/min, 6)  --database-url URL (PostgreSQL instead of PGlite)
 *        --quiet-wait-s N (60)  --quiet-pct P (25)  --keep-truth FILE
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ADMIN_PASSWORD,
  argValue,
  exited,
  hasEnded,
  log,
  removeTempDir,
  ROOT,
  runMain,
  SERVER_MAIN,
  sleep,
  spawnNode,
  startServer,
  stop,
  tempDir,
  waitQuiet,
  type BenchServer,
} from './harness';
import { machineCpuJiffies, procCpuSeconds, procMemKiB } from './load';

const SIMULATOR = join(ROOT, 'dist/device-simulator/src/cli.js');

interface Options {
  devices: number;
  windowS: number;
  faultRate: number;
  databaseUrl?: string;
  quietWaitS: number;
  quietPct: number;
  keepTruth?: string;
}

function parseArgs(argv: readonly string[]): Options {
  const get = (name: string): string | undefined => argValue(argv, name);
  return {
    devices: Number(get('devices') ?? 10_000),
    windowS: Number(get('window-s') ?? 120),
    faultRate: Number(get('fault-rate') ?? 6),
    databaseUrl: get('database-url'),
    quietWaitS: Number(get('quiet-wait-s') ?? 60),
    quietPct: Number(get('quiet-pct') ?? 25),
    keepTruth: get('keep-truth'),
  };
}

/** Sums of the /metrics series of interest (labels summed over). */
async function scrape(server: BenchServer): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const out: Record<string, number> = {};
  const add = (key: string, v: number): void => {
    out[key] = (out[key] ?? 0) + v;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const sp = line.lastIndexOf(' ');
    const key = line.slice(0, sp);
    const v = Number(line.slice(sp + 1));
    const name = key.replace(/\{.*$/, '');
    if (name === 'landside_devices') add(`devices ${/state="([A-Z_]+)"/.exec(key)?.[1] ?? '?'}`, v);
    else if (name === 'landside_stomp_connections') add(`connections ${/transport="([a-z-]+)"/.exec(key)?.[1] ?? '?'}`, v);
    else if (name === 'landside_stomp_frames_in_total') add('frames in', v);
    else if (name === 'landside_stomp_frames_out_total') add('frames out', v);
    else if (name === 'landside_stomp_errors_total') add(`errors ${/code="([a-z-]+)"/.exec(key)?.[1] ?? '?'}`, v);
    else if (['nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_max_seconds', 'nodejs_heap_size_used_bytes'].includes(name) && !key.includes('{')) out[name] = v;
  }
  return out;
}

const mib = (kib: number): string => (kib / 1024).toFixed(0);

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  for (const f of [SERVER_MAIN, SIMULATOR]) if (!existsSync(f)) throw new Error(`${f} missing: run \`npm run build\` first`);
  const work = tempDir('sim');
  const truth = join(work, 'truth.jsonl');
  const server = await startServer({ name: `simulated ${o.devices}`, tcp: true, ...(o.databaseUrl ? { env: { DATABASE_URL: o.databaseUrl } } : {}) });
  try {
    await sleep(2000);
    await waitQuiet(o.quietWaitS, o.quietPct);
    process.kill(server.pid, 'SIGWINCH'); // full GC before the baseline (server-preload.ts)
    await sleep(1000);
    const baseline = procMemKiB(server.pid);
    const url = `http://127.0.0.1:${server.port}`;
    const credentials = ['--username', 'admin', '--password', ADMIN_PASSWORD];

    // the simulator, in its own process, until told to stop
    const started = Date.now();
    const sim = spawnNode(
      [
        SIMULATOR, 'run', '--url', url, ...credentials,
        '--devices', String(o.devices), '--tcp-port', String(server.tcpPort),
        '--fault-rate', String(o.faultRate), '--truth', truth, '--seed', '7',
      ],
      { stdout: 'inherit', stderr: 'pipe' },
    );
    const marks: Record<string, number> = {};
    let onlineLine = '';
    let provisionLine = '';
    let lastProgress = '';
    let buffered = '';
    sim.stderr!.on('data', (d: Buffer) => {
      buffered += d.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.includes('provisioned in')) {
          marks['provisioned'] = Date.now();
          provisionLine = line.slice(25);
          log(`simulator: ${provisionLine}`);
        } else if (line.includes('devices online after') || line.includes('devices online; starting anyway')) {
          marks['online'] = Date.now();
          onlineLine = line.slice(25);
          log(`simulator: ${onlineLine}`);
        } else if (line.includes(' online ') && line.includes('heartbeats')) {
          lastProgress = line.slice(25);
        } else if (line.includes('driver accounts')) {
          log(`simulator: ${line.slice(25)}`);
        } else if (line.includes('ERROR') || line.includes('failed') || line.includes('refused')) {
          log(`simulator: ${line.slice(25)}`);
        }
      }
    });
    while (marks['online'] === undefined) {
      if (hasEnded(sim)) throw new Error(`the simulator ended (${sim.exitCode ?? sim.signalCode}) before its devices were online`);
      if (Date.now() - started > 20 * 60_000) throw new Error('devices not online within 20 minutes');
      await sleep(500);
    }
    const simPid = sim.pid!;
    await sleep(10_000); // settle: faults and traffic start once every device is online

    // the steady window
    log(`steady window: ${o.windowS} s`);
    const m0 = await scrape(server);
    const [b0, t0] = machineCpuJiffies();
    const c0 = { server: procCpuSeconds(server.pid), sim: procCpuSeconds(simPid) };
    const w0 = Date.now();
    await sleep(o.windowS * 1000);
    const windowS = (Date.now() - w0) / 1000;
    const c1 = { server: procCpuSeconds(server.pid), sim: procCpuSeconds(simPid) };
    const [b1, t1] = machineCpuJiffies();
    const m1 = await scrape(server);
    process.kill(server.pid, 'SIGWINCH');
    await sleep(1500);
    const serverMem = procMemKiB(server.pid);
    const simMem = procMemKiB(simPid);
    const cores = (t1 - t0) / windowS / 100; // jiffies per second / 100 Hz
    const machinePct = ((b1 - b0) / (t1 - t0)) * cores * 100;
    const serverPct = ((c1.server - c0.server) / windowS) * 100;
    const simPct = ((c1.sim - c0.sim) / windowS) * 100;

    await stop(sim, 30_000);
    await exited(sim);
    if (o.keepTruth) copyFileSync(truth, o.keepTruth);

    // the score
    const scorer = spawnNode(
      [SIMULATOR, 'score', '--truth', truth, '--url', url, ...credentials, '--min-recall', '1', '--max-false-alerts', '0', '--max-double-matches', '0', '--fifo'],
      { stdout: 'pipe', stderr: 'inherit' },
    );
    let report = '';
    scorer.stdout!.on('data', (d: Buffer) => (report += d.toString('utf8')));
    await exited(scorer);

    const connections = Object.entries(m1).filter(([k]) => k.startsWith('connections '));
    const errors = Object.entries(m1)
      .filter(([k, v]) => k.startsWith('errors ') && v - (m0[k] ?? 0) > 0)
      .map(([k, v]) => `${k.slice(7)}:${v - (m0[k] ?? 0)}`);
    const out = [
      '',
      `simulated airport: ${o.devices} devices from a second process, fault rate ${o.faultRate}/min, ${o.databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}`,
      `way up: ${provisionLine} (${(((marks['provisioned'] ?? started) - started) / 1000).toFixed(1)} s after start); ${onlineLine} (${(((marks['online'] ?? started) - started) / 1000).toFixed(1)} s after start)`,
      `steady window ${windowS.toFixed(0)} s: frames in ${((m1['frames in']! - m0['frames in']!) / windowS).toFixed(0)}/s, out ${((m1['frames out']! - m0['frames out']!) / windowS).toFixed(0)}/s; ` +
        `server CPU ${serverPct.toFixed(0)} %, simulator CPU ${simPct.toFixed(0)} %, whole machine ${machinePct.toFixed(0)} % (others ${(machinePct - serverPct - simPct).toFixed(0)} %), of ${(cores * 100).toFixed(0)} %`,
      `server: RssAnon ${mib(baseline.anon)} -> ${mib(serverMem.anon)} MiB (${((serverMem.anon - baseline.anon) / o.devices).toFixed(1)} KiB per device, after a full GC), ` +
        `heap used ${((m1['nodejs_heap_size_used_bytes'] ?? NaN) / 2 ** 20).toFixed(0)} MiB, event-loop lag p99 ${((m1['nodejs_eventloop_lag_p99_seconds'] ?? NaN) * 1000).toFixed(1)} ms, max ${((m1['nodejs_eventloop_lag_max_seconds'] ?? NaN) * 1000).toFixed(1)} ms`,
      `server sees: ${Object.entries(m1)
        .filter(([k]) => k.startsWith('devices '))
        .map(([k, v]) => `${k.slice(8)} ${v}`)
        .join(', ')}; connections ${connections.map(([k, v]) => `${k.slice(12)} ${v}`).join(', ')}; STOMP errors in the window: ${errors.join(' ') || 'none'}`,
      `simulator: RSS ${mib(simMem.rss)} MiB (${(simMem.rss / o.devices).toFixed(1)} KiB per device); last progress: ${lastProgress}`,
      '',
      `score (exit ${scorer.exitCode}: ${scorer.exitCode === 0 ? 'every threshold met' : 'a threshold missed'}):`,
      report.trim(),
      '',
    ];
    process.stdout.write(out.join('\n'));
    if (scorer.exitCode !== 0) throw new Error(`the score missed a threshold (simulate score exited ${scorer.exitCode})`);
  } catch (err) {
    log(`server log tail:\n${server.logTail()}`);
    throw err;
  } finally {
    await server.close();
    removeTempDir(work);
  }
}

if (require.main === module) runMain(main);
