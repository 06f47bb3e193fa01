/**
 * Load generator for the STOMP-over-WebSocket gateway: many device connections in one process,
 * raw `ws` and hand-written STOMP frames (no STOMP client library: its per-connection cost would
 * be measured instead of the server's).
 *
 *   node dist/bench/load.js --url ws://127.0.0.1:3100/stomp --connections 10000 \
 *     --rate-per-conn 0.2 --duration-s 40 --ramp-per-s 500 --receipt-every 10 \
 *     --jwt-secret "$JWT_SECRET" [--server-pid PID] [--json]
 *
 * Phases: ramp (open connections at --ramp-per-s, each sends CONNECT with a device JWT the
 * generator signs itself with --jwt-secret), warm-up (heartbeats flowing, not measured), steady
 * window (--duration-s, measured), drain (wait for the window's outstanding receipts), report.
 *
 * Heartbeats (`SEND /app/heartbeat`) are spread evenly: one scheduler tick walks the connections
 * round-robin so that connection i sends at phase i/N of the interval; every --receipt-every-th
 * frame carries a `receipt` header whose id embeds the send time, and SEND -> RECEIPT latency is
 * recorded from it (no per-frame bookkeeping).
 *
 * With --server-pid the generator also samples the server process from /proc: memory (VmRSS and
 * RssAnon) before the ramp, after it and after the window (connections still open), and CPU
 * (utime+stime of all its threads) over the window. With --gc-signal it asks the server for a
 * full GC before each memory sample, with --profile-signal for a CPU profile of the window (both
 * need server-preload.ts in the server). The result is printed as one `RESULT {json}` line.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { sign } from 'jsonwebtoken';
import WebSocket from 'ws';

export interface LoadOptions {
  url: string;
  connections: number;
  /** Heartbeats per second per connection (the inverse of intervalMs). */
  ratePerConn: number;
  intervalMs: number;
  durationS: number;
  warmupS: number;
  rampPerS: number;
  /** Every n-th frame (over all connections) asks for a RECEIPT; 0: none. */
  receiptEvery: number;
  jwtSecret: string;
  issuer: string;
  audience: string;
  tokenTtlS: number;
  /** `heart-beat` header of CONNECT (STOMP heart-beating, not the application heartbeat). */
  heartBeat: string;
  serverPid?: number;
  metricsUrl?: string;
  profileSignal: boolean;
  /** Send SIGWINCH (full GC in every server thread, see server-preload.ts) before memory samples. */
  gcSignal: boolean;
  idPrefix: string;
  json: boolean;
}

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  options: Omit<LoadOptions, 'jwtSecret'>;
  connectionsTarget: number;
  held: number;
  connectFailures: number;
  connectFailureReasons: Record<string, number>;
  rampS: number;
  windowS: number;
  framesSent: number;
  framesPerS: number;
  receiptsRequested: number;
  receiptsReceived: number;
  receiptsPerS: number;
  receiptsMissing: number;
  latencyMs: Percentiles;
  errorFrames: Record<string, number>;
  unexpectedCloses: number;
  messagesReceived: number;
  server?: {
    /** VmRSS: all resident memory, including file-backed pages the kernel may drop at any time. */
    rssBeforeKiB: number;
    rssAfterRampKiB: number;
    rssEndKiB: number;
    /** RssAnon: private memory (JS heap, buffers, WASM memory); what connections cost. */
    anonBeforeKiB: number;
    anonAfterRampKiB: number;
    anonEndKiB: number;
    /** (anonEnd - anonBefore) / connections held at the end sample. */
    rssPerConnKiB: number;
    heapUsedBeforeMiB: number;
    heapUsedEndMiB: number;
    cpuPct: number;
    metrics?: Record<string, number>;
  };
  /** Whole machine over the window, in % of one core (2 cores = 200 %); `otherPct` excludes server and generator. */
  machine: { cpus: number; busyPct: number; otherPct: number; loadAvg1: number };
  generator: {
    cpuPct: number;
    loopDelayP99Ms: number;
    schedulerBehindMaxMs: number;
    framesSkipped: number;
    rssKiB: number;
  };
}

// ---- CLI ---------------------------------------------------------------------------------------

function parseArgs(argv: readonly string[]): LoadOptions {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) args.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) args.set(a.slice(2), argv[++i]!);
    else args.set(a.slice(2), 'true');
  }
  const num = (name: string, dflt: number): number => {
    const v = args.get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${v}`);
    return n;
  };
  const rate = args.has('rate-per-conn') ? num('rate-per-conn', 0.2) : undefined;
  const interval = args.has('interval-ms') ? num('interval-ms', 5000) : undefined;
  const intervalMs = interval ?? (rate !== undefined && rate > 0 ? 1000 / rate : 5000);
  const jwtSecret = args.get('jwt-secret') ?? process.env['JWT_SECRET'];
  if (!jwtSecret) throw new Error('--jwt-secret (or JWT_SECRET) is required: the generator signs device tokens with it');
  const known = new Set([
    'url', 'connections', 'rate-per-conn', 'interval-ms', 'duration-s', 'warmup-s', 'ramp-per-s', 'receipt-every',
    'jwt-secret', 'issuer', 'audience', 'token-ttl-s', 'heart-beat', 'server-pid', 'metrics-url', 'profile-signal', 'gc-signal',
    'id-prefix', 'json',
  ]);
  for (const k of args.keys()) if (!known.has(k)) throw new Error(`unknown flag --${k}`);
  const serverPid = args.get('server-pid');
  return {
    url: args.get('url') ?? 'ws://127.0.0.1:3000/stomp',
    connections: Math.floor(num('connections', 1000)),
    ratePerConn: 1000 / intervalMs,
    intervalMs,
    durationS: num('duration-s', 40),
    warmupS: num('warmup-s', Math.max(3, intervalMs / 1000)),
    rampPerS: num('ramp-per-s', 500),
    receiptEvery: Math.floor(num('receipt-every', 10)),
    jwtSecret,
    issuer: args.get('issuer') ?? 'landside',
    audience: args.get('audience') ?? 'landside',
    tokenTtlS: num('token-ttl-s', 3600),
    heartBeat: args.get('heart-beat') ?? '10000,10000',
    serverPid: serverPid !== undefined ? Number(serverPid) : undefined,
    metricsUrl: args.get('metrics-url'),
    profileSignal: args.get('profile-signal') === 'true',
    gcSignal: args.get('gc-signal') === 'true',
    idPrefix: args.get('id-prefix') ?? 'bench-gate-',
    json: args.get('json') === 'true',
  };
}

// ---- /proc sampling ------------------------------------------------------------------------------

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  clockTicks = 100;
}

/** CPU seconds (user + system, all threads) of a process so far. */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** [busy, total] jiffies of the whole machine (all CPUs) from /proc/stat. */
export function machineCpuJiffies(): [number, number] {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = v[3]! + v[4]!; // idle + iowait
  return [total - idle, total];
}

/** Resident memory of a process, KiB: `rss` (VmRSS) and `anon` (RssAnon, heap and other private memory). */
export function procMemKiB(pid: number): { rss: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return m ? Number(m[1]) : NaN;
  };
  return { rss: field('VmRSS'), anon: field('RssAnon') };
}

const METRICS_OF_INTEREST = [
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_heap_size_used_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_external_memory_bytes',
];

async function scrapeMetrics(url: string): Promise<Record<string, number>> {
  let text: string | undefined;
  // One retry: a kept-alive connection the server closed while we were busy fails the first try.
  for (let attempt = 0; text === undefined; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      text = await res.text();
    } catch (err) {
      if (attempt >= 1) throw err;
    }
  }
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    const key = line.slice(0, sp);
    const name = key.replace(/\{.*$/, '');
    if (METRICS_OF_INTEREST.includes(name) && !key.includes('{')) out[name] = Number(line.slice(sp + 1));
    if (name === 'landside_stomp_frames_in_total' || name === 'landside_stomp_frames_out_total' || name === 'landside_stomp_errors_total') {
      out[key] = Number(line.slice(sp + 1));
    }
  }
  return out;
}

// ---- percentiles ---------------------------------------------------------------------------------

export function percentiles(samples: Float64Array | number[]): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1]! : NaN };
}

// ---- the generator -------------------------------------------------------------------------------

const enum State {
  Opening = 0,
  Connected = 1,
  Closed = 2,
}

const RECEIPT_ID = 'receipt-id:';
const ERROR_CODE = 'error-code:';

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const n = o.connections;
  const sockets: Array<WebSocket | undefined> = new Array<WebSocket | undefined>(n);
  const states = new Uint8Array(n);
  const seqs = new Uint32Array(n);
  let connected = 0;
  let connectFailures = 0;
  const connectFailureReasons: Record<string, number> = {};
  const errorFrames: Record<string, number> = {};
  let unexpectedCloses = 0;
  let messagesReceived = 0;
  let stopping = false;

  // Counters reset at the start of the measured window.
  let measuring = false;
  let framesSent = 0;
  let receiptsRequested = 0;
  let receiptsReceivedInWindow = 0;
  let windowSeqFloor = Number.POSITIVE_INFINITY;
  const latencies: number[] = [];

  const fail = (reason: string): void => {
    connectFailures++;
    connectFailureReasons[reason] = (connectFailureReasons[reason] ?? 0) + 1;
  };

  const expSeconds = Math.floor(Date.now() / 1000) + o.tokenTtlS;
  const connectPrefix = `CONNECT\naccept-version:1.2\nhost:landside\nheart-beat:${o.heartBeat}\nAuthorization:Bearer `;

  const onMessage = (i: number, data: Buffer): void => {
    messagesReceived++;
    const first = data[0];
    if (first === 0x0a || first === 0x0d) return; // STOMP heart-beat EOL
    if (first === 0x52 /* R */) {
      // RECEIPT\nreceipt-id:b<sendMicros>\n\n\0 ; ids of the window are >= windowSeqFloor
      const text = data.toString('latin1');
      const at = text.indexOf(RECEIPT_ID);
      if (at < 0) return;
      const end = text.indexOf('\n', at);
      const sentUs = Number(text.slice(at + RECEIPT_ID.length + 1, end));
      if (measuring) receiptsReceivedInWindow++;
      // Receipts of frames sent before the window (warm-up) are not sampled.
      if (sentUs >= windowSeqFloor) latencies.push(performance.now() - sentUs / 1000);
      return;
    }
    if (first === 0x43 /* C */) {
      if (states[i] === State.Opening) {
        states[i] = State.Connected;
        connected++;
      }
      return;
    }
    if (first === 0x45 /* E */) {
      const text = data.toString('utf8');
      const at = text.indexOf(ERROR_CODE);
      const code = at < 0 ? 'unknown' : text.slice(at + ERROR_CODE.length, text.indexOf('\n', at));
      errorFrames[code] = (errorFrames[code] ?? 0) + 1;
      return;
    }
  };

  const open = (i: number): void => {
    const token = sign({ sub: `${o.idPrefix}${i}`, role: 'DEVICE', deviceType: 'GATE', exp: expSeconds }, o.jwtSecret, {
      algorithm: 'HS256',
      issuer: o.issuer,
      audience: o.audience,
    });
    const ws = new WebSocket(o.url, ['v12.stomp'], { perMessageDeflate: false, handshakeTimeout: 15_000, skipUTF8Validation: true });
    sockets[i] = ws;
    ws.on('open', () => ws.send(`${connectPrefix}${token}\n\n\0`));
    ws.on('message', (data: Buffer) => onMessage(i, data));
    ws.on('unexpected-response', (_req, res) => {
      fail(`http-${res.statusCode ?? '?'}`);
      states[i] = State.Closed;
      ws.terminate();
    });
    ws.on('error', (err: Error & { code?: string }) => {
      if (states[i] === State.Opening) {
        fail(err.code ?? err.message.slice(0, 40));
        states[i] = State.Closed;
      }
    });
    ws.on('close', () => {
      if (states[i] === State.Connected) {
        connected--;
        if (!stopping) unexpectedCloses++;
      } else if (states[i] === State.Opening) {
        fail('closed-before-connected');
      }
      states[i] = State.Closed;
      sockets[i] = undefined;
    });
  };

  const send = (i: number, withReceipt: boolean): void => {
    const ws = sockets[i]!;
    const seq = seqs[i]++;
    const body = `{"seq":${seq},"status":"OK"}`;
    let frame = 'SEND\ndestination:/app/heartbeat\ncontent-type:application/json\n';
    if (withReceipt) frame += `receipt:b${Math.round(performance.now() * 1000)}\n`;
    frame += `content-length:${body.length}\n\n${body}\0`;
    ws.send(frame);
  };

  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const log = (msg: string): void => {
    process.stderr.write(`[load ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
  };

  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const noMem = { rss: NaN, anon: NaN };
  /** With --gc-signal: a full GC in every server thread first (server-preload.ts), then read. */
  const sampleMemory = async (): Promise<{ mem: { rss: number; anon: number }; metrics?: Record<string, number> }> => {
    if (o.gcSignal && o.serverPid) {
      process.kill(o.serverPid, 'SIGWINCH');
      await sleep(1500);
    }
    const mem = o.serverPid ? procMemKiB(o.serverPid) : noMem;
    const metrics = o.metricsUrl ? await scrapeMetrics(o.metricsUrl).catch(() => undefined) : undefined;
    return { mem, metrics };
  };
  const before = await sampleMemory();
  const memBefore = before.mem;
  const metricsBefore = before.metrics;

  // ---- heartbeats: one scheduler, connection i at phase i/n of the interval ----
  // It runs from the start of the ramp (a connection sends as soon as it is connected, so none
  // is silent for longer than the interval and the server's heart-beat deadline holds).
  let slot = 0;
  let framesSkipped = 0;
  let behindMaxMs = 0;
  const slotMs = o.intervalMs / n;
  const sendStart = performance.now();
  let receiptCounter = 0;
  // After a stall the generator catches up in a burst of at most one interval or one second of
  // frames, whichever is more; anything
  // older is skipped and reported (framesSkipped > 0: the generator, not the server, fell behind).
  const maxCatchUp = Math.max(n, Math.ceil(1000 / slotMs));
  const scheduler = setInterval(() => {
    const now = performance.now();
    const due = Math.floor((now - sendStart) / slotMs);
    if (measuring) behindMaxMs = Math.max(behindMaxMs, (due - slot) * slotMs);
    if (due - slot > maxCatchUp) {
      // The generator itself cannot keep up: skip rather than burst, and say so.
      if (measuring) framesSkipped += due - slot - maxCatchUp;
      slot = due - maxCatchUp;
    }
    while (slot < due) {
      const i = slot % n;
      slot++;
      if (states[i] !== State.Connected) continue;
      const withReceipt = o.receiptEvery > 0 && ++receiptCounter % o.receiptEvery === 0;
      send(i, withReceipt);
      if (measuring) {
        framesSent++;
        if (withReceipt) receiptsRequested++;
      }
    }
  }, 5);

  // ---- ramp ----
  log(`ramp: ${n} connections at ${o.rampPerS}/s to ${o.url}`);
  const rampStart = performance.now();
  await new Promise<void>((resolve) => {
    let opened = 0;
    const timer = setInterval(() => {
      const due = Math.min(n, Math.floor(((performance.now() - rampStart) / 1000) * o.rampPerS) + 1);
      while (opened < due) open(opened++);
      if (opened >= n) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const settleDeadline = performance.now() + 30_000;
  while (connected + connectFailures + unexpectedCloses < n && performance.now() < settleDeadline) await sleep(50);
  const rampS = (performance.now() - rampStart) / 1000;
  log(`ramp done in ${rampS.toFixed(1)} s: ${connected} connected, ${connectFailures} failed`);
  const memAfterRamp = o.serverPid ? procMemKiB(o.serverPid) : noMem;


  log(`warm-up ${o.warmupS} s`);
  await sleep(o.warmupS * 1000);

  // ---- steady window ----
  const heldAtStart = connected;
  // prom-client resets its event-loop-lag histogram on every scrape: this one starts the window's.
  if (o.metricsUrl) await scrapeMetrics(o.metricsUrl).catch(() => undefined);
  loopDelay.enable();
  const gen0 = process.cpuUsage();
  const srvCpu0 = o.serverPid ? procCpuSeconds(o.serverPid) : NaN;
  const machine0 = machineCpuJiffies();
  if (o.profileSignal && o.serverPid) process.kill(o.serverPid, 'SIGUSR2');
  const windowStart = performance.now();
  windowSeqFloor = Math.round(windowStart * 1000);
  measuring = true;
  log(`steady window ${o.durationS} s (${heldAtStart} connections)`);
  await sleep(o.durationS * 1000);
  measuring = false;
  const windowEnd = performance.now();
  const srvCpu1 = o.serverPid ? procCpuSeconds(o.serverPid) : NaN;
  const machine1 = machineCpuJiffies();
  if (o.profileSignal && o.serverPid) process.kill(o.serverPid, 'SIGUSR2');
  const gen1 = process.cpuUsage(gen0);
  loopDelay.disable();
  clearInterval(scheduler);
  const windowS = (windowEnd - windowStart) / 1000;
  const held = connected;
  // The window's event-loop lag, before anything else (a forced GC) disturbs the server.
  let metrics: Record<string, number> | undefined;
  if (o.metricsUrl) {
    try {
      metrics = await scrapeMetrics(o.metricsUrl);
    } catch (err) {
      log(`metrics scrape failed: ${String(err)}`);
    }
  }

  // ---- drain: receipts for frames sent in the window may still be on their way ----
  const drainDeadline = performance.now() + 5000;
  // The scheduler stopped with the window, so every sampled receipt belongs to a frame of it.
  while (latencies.length < receiptsRequested && performance.now() < drainDeadline) await sleep(20);
  const windowLatencies = latencies.slice();

  // Memory with every connection still open (and idle since the window ended).
  const end = await sampleMemory();
  const memEnd = end.mem;
  const heldAtEnd = connected;

  // ---- close ----
  stopping = true;
  for (const ws of sockets) ws?.terminate();
  await sleep(200);

  const cpuPct = o.serverPid ? ((srvCpu1 - srvCpu0) / windowS) * 100 : NaN;
  const generatorCpuPct = ((gen1.user + gen1.system) / 1e6 / windowS) * 100;
  const cpus = availableParallelism();
  const machineBusyPct = ((machine1[0] - machine0[0]) / (machine1[1] - machine0[1])) * cpus * 100;
  const { jwtSecret: _secret, ...publicOptions } = o;
  const result: LoadResult = {
    options: publicOptions,
    connectionsTarget: n,
    held,
    connectFailures,
    connectFailureReasons,
    rampS,
    windowS,
    framesSent,
    framesPerS: framesSent / windowS,
    receiptsRequested,
    receiptsReceived: windowLatencies.length,
    receiptsPerS: receiptsReceivedInWindow / windowS,
    receiptsMissing: Math.max(0, receiptsRequested - windowLatencies.length),
    latencyMs: percentiles(windowLatencies),
    errorFrames,
    unexpectedCloses,
    messagesReceived,
    server: o.serverPid
      ? {
          rssBeforeKiB: memBefore.rss,
          rssAfterRampKiB: memAfterRamp.rss,
          rssEndKiB: memEnd.rss,
          anonBeforeKiB: memBefore.anon,
          anonAfterRampKiB: memAfterRamp.anon,
          anonEndKiB: memEnd.anon,
          rssPerConnKiB: heldAtEnd > 0 ? (memEnd.anon - memBefore.anon) / heldAtEnd : NaN,
          heapUsedBeforeMiB: (metricsBefore?.['nodejs_heap_size_used_bytes'] ?? NaN) / 2 ** 20,
          heapUsedEndMiB: (end.metrics?.['nodejs_heap_size_used_bytes'] ?? NaN) / 2 ** 20,
          cpuPct,
          metrics,
        }
      : undefined,
    machine: {
      cpus,
      busyPct: machineBusyPct,
      otherPct: machineBusyPct - generatorCpuPct - (Number.isFinite(cpuPct) ? cpuPct : 0),
      loadAvg1: loadavg()[0]!,
    },
    generator: {
      cpuPct: generatorCpuPct,
      // The histogram records timer periods: subtract its 1 ms resolution to get the delay.
      loopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - 1),
      schedulerBehindMaxMs: behindMaxMs,
      framesSkipped,
      rssKiB: Math.round(process.memoryUsage.rss() / 1024),
    },
  };
  return result;
}

export function formatResult(r: LoadResult): string {
  const l = r.latencyMs;
  const s = r.server;
  const lines = [
    `connections  ${r.held}/${r.connectionsTarget} held, ${r.connectFailures} failed ${JSON.stringify(r.connectFailureReasons)}, ramp ${r.rampS.toFixed(1)} s`,
    `window       ${r.windowS.toFixed(1)} s: ${r.framesPerS.toFixed(0)} frames/s sent, ${r.receiptsPerS.toFixed(0)} receipts/s, ${r.receiptsMissing} receipts missing`,
    `latency      SEND->RECEIPT n=${l.count} p50 ${l.p50.toFixed(2)} ms, p90 ${l.p90.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(2)} ms`,
    `errors       ERROR frames ${JSON.stringify(r.errorFrames)}, unexpected closes ${r.unexpectedCloses}`,
  ];
  if (s) {
    lines.push(
      `server       RssAnon ${(s.anonBeforeKiB / 1024).toFixed(0)} -> ${(s.anonEndKiB / 1024).toFixed(0)} MiB (${s.rssPerConnKiB.toFixed(1)} KiB/conn), ` +
        `VmRSS ${(s.rssBeforeKiB / 1024).toFixed(0)} -> ${(s.rssEndKiB / 1024).toFixed(0)} MiB, heap used ${s.heapUsedBeforeMiB.toFixed(0)} -> ${s.heapUsedEndMiB.toFixed(0)} MiB, CPU ${s.cpuPct.toFixed(0)} %`,
    );
  }
  const g = r.generator;
  lines.push(`machine      ${r.machine.busyPct.toFixed(0)} % busy of ${r.machine.cpus * 100} %, other processes ${r.machine.otherPct.toFixed(0)} %, load avg ${r.machine.loadAvg1.toFixed(2)}`);
  lines.push(`generator    CPU ${g.cpuPct.toFixed(0)} %, loop delay p99 ${g.loopDelayP99Ms.toFixed(1)} ms, behind max ${g.schedulerBehindMaxMs.toFixed(0)} ms, skipped ${g.framesSkipped}`);
  return lines.join('\n');
}

if (require.main === module) {
  let options: LoadOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  runLoad(options).then(
    (result) => {
      process.stderr.write(`${formatResult(result)}\n`);
      if (options.json) process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`load failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
