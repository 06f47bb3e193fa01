/**
 * Runs PGlite (and its socket server) in a worker thread, for two reasons:
 *  - PGlite executes PostgreSQL as WASM synchronously on whatever thread calls it; in a worker a
 *    slow query never stalls the event loop that serves STOMP sessions and heartbeat deadlines.
 *  - PGlite's Emscripten glue loads itself with dynamic import(), which Jest's VM sandbox cannot
 *    run; code in a worker is loaded by Node itself, so tests use the very same path as the app.
 * The worker source is inline JavaScript (no build step or copied asset needed) and only loads
 * the two PGlite packages by their resolved paths.
 */
import { Worker } from 'node:worker_threads';

export interface EmbeddedServer {
  readonly host: string;
  readonly port: number;
  /** Tar of the data directory (uncompressed); the database should be idle. */
  dump(): Promise<ArrayBuffer>;
  /** Stops the socket server, closes the database (flushing it), ends the worker. Idempotent. */
  close(): Promise<void>;
}

export interface StartEmbeddedOptions {
  /** Host directory of the data files; unset keeps the database in memory. */
  readonly dataDir?: string;
  /** Start from this data-directory tar (from dump()) instead of an empty database. */
  readonly load?: ArrayBuffer;
  readonly logger?: (msg: string) => void;
}

type FromWorker =
  | { type: 'ready'; conn: string }
  | { type: 'dumped'; id: number; data: ArrayBuffer }
  | { type: 'closed'; id: number }
  | { type: 'failed'; id: number; message: string };

const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);
const { PGLiteSocketServer } = require(workerData.socketPath);
let db, server;
async function stop() {
  try { if (server) await server.stop(); } finally { if (db && !db.closed) await db.close(); }
}
(async () => {
  const options = workerData.load ? { loadDataDir: new Blob([workerData.load]) } : {};
  db = await PGlite.create(workerData.dataDir, options);
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  parentPort.on('message', (msg) => {
    const fail = (e) => parentPort.postMessage({ type: 'failed', id: msg.id, message: String((e && e.stack) || e) });
    if (msg.type === 'dump') {
      db.dumpDataDir('none').then((blob) => blob.arrayBuffer()).then(
        (data) => parentPort.postMessage({ type: 'dumped', id: msg.id, data }, [data]), fail);
    } else if (msg.type === 'close') {
      stop().then(() => parentPort.postMessage({ type: 'closed', id: msg.id }), fail);
    }
  });
  parentPort.postMessage({ type: 'ready', conn: server.getServerConn() });
})().catch((e) => {
  const report = () => parentPort.postMessage({ type: 'failed', id: 0, message: String((e && e.stack) || e) });
  stop().then(report, report);
});
`;

let live = 0;
/** How many embedded databases this process is running (for tests). */
export function liveEmbeddedServers(): number {
  return live;
}

export async function startEmbedded(opts: StartEmbeddedOptions): Promise<EmbeddedServer> {
  const log = opts.logger ?? (() => undefined);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      pglitePath: require.resolve('@electric-sql/pglite'),
      socketPath: require.resolve('@electric-sql/pglite-socket'),
      dataDir: opts.dataDir,
      load: opts.load,
    },
  });
  live++;
  let exited = false;
  let closing: Promise<void> | undefined;
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      exited = true;
      live--;
      resolve();
      if (!closing) log(`database: embedded PGlite worker exited unexpectedly (code ${code})`);
    }),
  );

  let nextId = 1;
  const pending = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
  let ready: { resolve: (conn: string) => void; reject: (e: Error) => void } | undefined;
  const readyP = new Promise<string>((resolve, reject) => (ready = { resolve, reject }));
  const failAll = (e: Error) => {
    ready?.reject(e);
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('message', (msg: FromWorker) => {
    if (msg.type === 'ready') return ready?.resolve(msg.conn);
    if (msg.type === 'failed' && msg.id === 0) return ready?.reject(new Error(`embedded PGlite failed to start: ${msg.message}`));
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.type === 'failed') p?.reject(new Error(`embedded PGlite: ${msg.message}`));
    else p?.resolve(msg);
  });
  worker.on('error', (e) => {
    log(`database: embedded PGlite worker error: ${e.message}`);
    failAll(e);
  });
  void exit.then(() => failAll(new Error('embedded PGlite worker has exited')));

  const request = (type: 'dump' | 'close'): Promise<FromWorker> => {
    if (exited) return Promise.reject(new Error('embedded PGlite worker has exited'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ type, id });
    });
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        if (!exited) await request('close');
      } finally {
        await worker.terminate();
        await exit;
      }
    })();
    return closing;
  };

  let conn: string;
  try {
    conn = await readyP;
  } catch (e) {
    closing = worker.terminate().then(() => exit);
    await closing;
    throw e;
  }
  const i = conn.lastIndexOf(':');
  const host = conn.slice(0, i);
  const port = Number(conn.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0) {
    await close();
    throw new Error(`embedded PGlite: unexpected socket address "${conn}"`);
  }
  return {
    host,
    port,
    dump: async () => {
      const msg = await request('dump');
      if (msg.type !== 'dumped') throw new Error(`embedded PGlite: unexpected reply ${msg.type}`);
      return msg.data;
    },
    close,
  };
}

let emptyTemplate: Promise<ArrayBuffer> | undefined;

/**
 * A freshly initialized (initdb) data directory, made once per process and then copied: starting
 * PGlite from it skips initdb, which is most of PGlite's start-up time (seconds, not ~0.5 s).
 * Only in-memory databases use it (tests); a real data directory is initialized in place.
 */
export function emptyDatabaseTemplate(): Promise<ArrayBuffer> {
  if (emptyTemplate === undefined) {
    const made = (async () => {
      const server = await startEmbedded({});
      try {
        return await server.dump();
      } finally {
        await server.close();
      }
    })();
    emptyTemplate = made;
    made.catch(() => {
      if (emptyTemplate === made) emptyTemplate = undefined;
    });
  }
  return emptyTemplate;
}
