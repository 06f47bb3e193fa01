/**
 * Where the database lives. With a DATABASE_URL we talk to that PostgreSQL; without one we start
 * PGlite (PostgreSQL compiled to WASM, run in a worker thread, see embedded-worker.ts) and serve it
 * on a loopback socket, so the very same `pg` driver and TypeORM code path is used in both cases.
 * PGlite has one connection and no per-connection transaction isolation, so the embedded pool is
 * capped at one connection: queries and transactions are serialized instead of interleaved.
 *
 * Caveat of the one-connection pool: code that, inside a transaction, issues a query through the
 * DataSource (instead of the transaction's EntityManager) waits for the connection it is holding.
 * connectionTimeoutMillis turns that deadlock into an error instead of a hang.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { emptyDatabaseTemplate, startEmbedded, type EmbeddedServer } from './embedded-worker';

/** The part of TypeORM's PostgresConnectionOptions that says where to connect and how to pool. */
export interface DatabaseConnection {
  readonly type: 'postgres';
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly username?: string;
  readonly database?: string;
  /** Passed to the `pg` Pool. */
  readonly extra: {
    readonly max: number;
    readonly idleTimeoutMillis?: number;
    readonly connectionTimeoutMillis?: number;
  };
}

export interface DatabaseHandle {
  /** True when this process runs the database itself (PGlite). */
  readonly embedded: boolean;
  readonly connection: DatabaseConnection;
  /** Stops the embedded socket server, then the database; idempotent; a no-op for PostgreSQL. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; unset means embedded PGlite. */
  readonly databaseUrl?: string;
  /** Embedded data lives in `${dataDir}/pg`; `':memory:'` keeps it in memory (tests). */
  readonly dataDir: string;
  readonly logger?: (msg: string) => void;
}

/** Pool size for an external PostgreSQL. */
const POSTGRES_POOL_MAX = 10;
/** How long a query waits for the single embedded connection before failing (see file comment). */
const EMBEDDED_CONNECTION_WAIT_MS = 30_000;

/** `dataDir` value for an in-memory embedded database. */
export const MEMORY = ':memory:';

export async function openDatabase(opts: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const log = opts.logger ?? (() => undefined);
  if (opts.databaseUrl !== undefined) {
    log(`database: PostgreSQL at ${describeUrl(opts.databaseUrl)}`);
    return {
      embedded: false,
      connection: { type: 'postgres', url: opts.databaseUrl, extra: { max: POSTGRES_POOL_MAX } },
      close: () => Promise.resolve(),
    };
  }
  if (opts.dataDir === MEMORY) {
    const handle = embeddedHandle(await startEmbedded({ load: await emptyDatabaseTemplate(), logger: log }));
    log(`database: embedded PGlite in memory on ${describeConnection(handle.connection)}`);
    return handle;
  }

  const pgDir = resolve(opts.dataDir, 'pg');
  await mkdir(pgDir, { recursive: true });
  const release = await lockDataDir(resolve(opts.dataDir, 'pg.lock'));
  let server: EmbeddedServer;
  try {
    server = await startEmbedded({ dataDir: pgDir, logger: log });
  } catch (e) {
    await release();
    throw e;
  }
  const handle = embeddedHandle(server, release);
  log(`database: embedded PGlite in ${pgDir} on ${describeConnection(handle.connection)}`);
  return handle;
}

/**
 * The handle for a running embedded server (one client connection); close() stops it and then
 * runs `onClosed`. Internal: the test helper also serves databases restored from a snapshot.
 */
export function embeddedHandle(server: EmbeddedServer, onClosed: () => Promise<void> = () => Promise.resolve()): DatabaseHandle {
  let closing: Promise<void> | undefined;
  return {
    embedded: true,
    connection: {
      type: 'postgres',
      host: server.host,
      port: server.port,
      username: 'postgres',
      database: 'postgres',
      // idleTimeoutMillis 0: the pool keeps its one connection, so the only slot stays ours.
      extra: { max: 1, idleTimeoutMillis: 0, connectionTimeoutMillis: EMBEDDED_CONNECTION_WAIT_MS },
    },
    close: () => {
      closing ??= (async () => {
        try {
          await server.close();
        } finally {
          await onClosed();
        }
      })();
      return closing;
    },
  };
}

function describeConnection(c: DatabaseConnection): string {
  return `${c.host ?? '?'}:${c.port ?? '?'}`;
}

/** host:port/database of a connection string, without credentials (for logs). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

// --- one process per data directory --------------------------------------------------------
// PGlite happily opens a directory another process (or this one) already has open, and two
// writers corrupt it. A lock file holding the owner's pid refuses that; a lock left by a dead
// process is taken over.

const heldLocks = new Set<string>();

async function lockDataDir(lockPath: string): Promise<() => Promise<void>> {
  if (heldLocks.has(lockPath)) throw new Error(`data directory is already open in this process (${lockPath})`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      heldLocks.add(lockPath);
      return async () => {
        heldLocks.delete(lockPath);
        await rm(lockPath, { force: true });
      };
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
      const owner = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processIsAlive(owner)) {
        throw new Error(`data directory is in use by process ${owner} (lock file ${lockPath})`);
      }
      // stale: its owner is gone (or is a previous incarnation of this pid, e.g. in a container)
      await rm(lockPath, { force: true });
    }
  }
  throw new Error(`could not lock the data directory (${lockPath})`);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else
    return isErrno(e, 'EPERM');
  }
}

// structural, not instanceof: errors from node:fs may come from another realm (Jest's VM)
function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as NodeJS.ErrnoException).code === code;
}

