/**
 * What every bench shares: a fresh server (the built all-in-one app, embedded PGlite in a
 * temporary data dir, 127.0.0.1, a free port, bench hooks preloaded), child processes started
 * with a raised fd limit and stopped on exit or Ctrl-C, and the "is the machine quiet" check
 * (the machines are shared: figures taken next to someone else's test suite are pessimistic).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { machineCpuJiffies } from './load';

export const ROOT = resolve(__dirname, '..', '..');
export const SERVER_MAIN = join(ROOT, 'dist/apps/landside/src/main.js');
const PRELOAD = join(ROOT, 'dist/bench/server-preload.js');
/** Raise the fd limit for 10,000 sockets (to the hard limit when 65535 is not allowed), then exec. */
const WITH_ULIMIT = 'ulimit -n 65535 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"';
export const ADMIN_PASSWORD = 'benchpass123';

const children = new Set<ChildProcess>();
/** Temporary directories to remove however the bench ends (Ctrl-C skips `finally` blocks). */
const tempDirs = new Set<string>();

/** A temporary directory removed when the bench ends, or earlier with {@link removeTempDir}. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `landside-bench-${prefix.replace(/[^A-Za-z0-9]+/g, '-')}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Whether a child process has ended (by exit or by a signal). */
export function hasEnded(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The value after `--name` on a bench's command line, if given. */
export function argValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

export const log = (msg: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

export async function stop(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const done = await Promise.race([exited(child).then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited(child);
  }
  children.delete(child);
}

/** `node <args>` in its own process with the fd limit raised; stopped with the bench. */
export function spawnNode(args: readonly string[], options: { env?: NodeJS.ProcessEnv; stdout: 'pipe' | 'inherit'; stderr: 'pipe' | 'inherit' }): ChildProcess {
  const child = spawn('bash', ['-c', WITH_ULIMIT, 'bash', process.execPath, ...args], {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', options.stdout, options.stderr],
  });
  children.add(child);
  return child;
}

async function waitReady(port: number, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode} before it was ready`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`server not ready within ${timeoutMs} ms`);
}

export interface BenchServer {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly port: number;
  /** 0 when STOMP over TCP is off. */
  readonly tcpPort: number;
  readonly jwtSecret: string;
  /** The last lines of the server's log (for failures). */
  logTail(lines?: number): string;
  close(): Promise<void>;
}

export interface BenchServerOptions {
  readonly name: string;
  /** Serve STOMP over TCP too (on a free port). */
  readonly tcp?: boolean;
  /** Write a CPU profile of the window (server-preload.ts) into this directory. */
  readonly profileDir?: string;
  /** Extra environment (e.g. DATABASE_URL for PostgreSQL instead of PGlite). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A fresh server: every STOMP limit at its default, `LOG_LEVEL=warn`, no demo, admin `admin` /
 * {@link ADMIN_PASSWORD}, plus `--expose-gc -r dist/bench/server-preload.js` (measurement hooks:
 * a full GC on SIGWINCH before memory samples, a CPU profile on SIGUSR2).
 */
export async function startServer(options: BenchServerOptions): Promise<BenchServer> {
  const work = tempDir(options.name);
  const port = await freePort();
  const tcpPort = options.tcp ? await freePort() : 0;
  const jwtSecret = randomBytes(32).toString('hex');
  const serverLog = join(work, 'server.log');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    PORT: String(port),
    HOST: '127.0.0.1',
    STOMP_TCP_PORT: String(tcpPort),
    DATA_DIR: join(work, 'data'),
    JWT_SECRET: jwtSecret,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    DEMO: '0',
    ...(options.profileDir !== undefined ? { BENCH_CPU_PROFILE_DIR: options.profileDir } : {}),
    ...options.env,
  };
  log(`${options.name}: starting server on 127.0.0.1:${port}${tcpPort ? ` (TCP ${tcpPort})` : ''}, data in ${work}`);
  const server = spawnNode(['--expose-gc', '-r', PRELOAD, SERVER_MAIN], { env, stdout: 'pipe', stderr: 'pipe' });
  const logStream = createWriteStream(serverLog);
  server.stdout!.pipe(logStream);
  server.stderr!.pipe(logStream);
  const logTail = (lines = 20): string => {
    try {
      return readFileSync(serverLog, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no server log)';
    }
  };
  const close = async (): Promise<void> => {
    await stop(server, 20_000);
    logStream.end();
    if (server.exitCode !== 0 && server.signalCode !== 'SIGTERM') log(`server exit: code ${server.exitCode}, signal ${server.signalCode}`);
    removeTempDir(work);
  };
  try {
    await waitReady(port, server, 60_000);
  } catch (err) {
    log(`server log tail:\n${logTail()}`);
    await close();
    throw err;
  }
  return { process: server, pid: server.pid!, port, tcpPort, jwtSecret, logTail, close };
}

/** Busy % (of one core) of the whole machine over `ms`, from /proc/stat. */
export async function machineBusyPct(ms: number): Promise<number> {
  const [b0, t0] = machineCpuJiffies();
  await sleep(ms);
  const [b1, t1] = machineCpuJiffies();
  return ((b1 - b0) / (t1 - t0)) * availableParallelism() * 100;
}

/** The machine is shared: wait (at most `waitS`) until everything on it is below `quietPct`. */
export async function waitQuiet(waitS: number, quietPct: number): Promise<number> {
  const deadline = Date.now() + waitS * 1000;
  let busy = await machineBusyPct(2000);
  while (busy > quietPct && Date.now() < deadline) {
    log(`machine busy ${busy.toFixed(0)} % (other processes); waiting for < ${quietPct} %`);
    busy = await machineBusyPct(5000);
  }
  if (busy > quietPct) log(`machine still busy ${busy.toFixed(0)} %: running anyway, figures will be pessimistic`);
  return busy;
}

async function killAll(): Promise<void> {
  await Promise.all([...children].map((c) => stop(c, 5000)));
  for (const dir of tempDirs) removeTempDir(dir);
}

/** The entry point of a bench script: run `main`, exit 0 or 1, never leave a child behind. */
export function runMain(main: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping children`);
      void killAll().finally(() => process.exit(130));
    });
  }
  main().then(
    () => void killAll().finally(() => process.exit(0)),
    (err: unknown) => {
      log(`failed: ${err instanceof Error ? err.message : String(err)}`);
      void killAll().finally(() => process.exit(1));
    },
  );
}
