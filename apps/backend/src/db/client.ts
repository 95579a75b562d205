import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { sql } from 'drizzle-orm';
import { lockDataDir } from './data-dir-lock';
import { defaultTemplateFolder, seedFromTemplate } from './data-template';
import { isUpToDate, type ArrayQuery } from './migration-state';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { PGlite } from '@electric-sql/pglite';
import type { Pool } from 'pg';
import type { BackendConfig } from '@todo/config';
import * as schema from './schema';

/** A Drizzle database over either driver; services depend on this, never on a driver. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A statement with a name, so that PostgreSQL parses and plans it once per connection. */
export interface NamedStatement {
  name: string;
  text: string;
}

export interface DatabaseHandle {
  db: Database;
  /**
   * Runs a statement through the driver and returns its rows as arrays, in column order. For
   * the hottest read only: going around Drizzle's generic row mapping cut that request's CPU
   * by a quarter.
   */
  rows(statement: NamedStatement, values: unknown[]): Promise<unknown[][]>;
  /** Which engine serves the data, for logs and the readiness report. */
  driver: 'postgres' | 'pglite';
  /** Resolves when the database answers `SELECT 1`; rejects otherwise. */
  ping(): Promise<void>;
  /** Ends the pool (or closes PGlite); safe to call twice. */
  close(): Promise<void>;
}

export type DatabaseConfig = Pick<
  BackendConfig,
  'DATABASE_URL' | 'DATA_DIR' | 'DATABASE_POOL_SIZE'
>;

export interface DatabaseOptions {
  /** Where the drizzle-kit migrations live; defaults to `migrations` beside this module (or the bundle). */
  migrationsFolder?: string;
  /** Told about pool errors (a PostgreSQL restart drops idle connections). */
  onPoolError?: (error: Error) => void;
  /** Told when the embedded database's folder lock could not be kept (default: throw). */
  onLockLost?: (error: Error) => void;
  /** The initialised data folder a first embedded start copies (see data-template.ts). */
  dataTemplateFolder?: string;
}

export const IN_MEMORY = 'memory://';

/**
 * In source (jest, tsx) this module sits in src/db/ beside migrations/; in the esbuild bundle
 * `__dirname` is the bundle's folder, where the build copies migrations/.
 */
export function defaultMigrationsFolder(): string {
  return join(__dirname, 'migrations');
}

/**
 * Opens the database the configuration names — PostgreSQL through node-postgres when
 * DATABASE_URL is set, otherwise the embedded PGlite under DATA_DIR (`memory://` keeps it in
 * memory) — and applies pending migrations before returning.
 */
export async function createDatabase(
  config: DatabaseConfig,
  options: DatabaseOptions = {},
): Promise<DatabaseHandle> {
  const migrationsFolder = options.migrationsFolder ?? defaultMigrationsFolder();
  return config.DATABASE_URL
    ? openPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE, migrationsFolder, options)
    : openPglite(config.DATA_DIR, migrationsFolder, options);
}

async function openPostgres(
  url: string,
  poolSize: number,
  migrationsFolder: string,
  options: DatabaseOptions,
): Promise<DatabaseHandle> {
  const { Pool, Client } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');

  // Several replicas may start at once: one migrates while the others wait on the lock.
  const migrator = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await migrator.connect();
  try {
    await migrator.query('SELECT pg_advisory_lock(727274)');
    await migrate(drizzle({ client: migrator, schema }), { migrationsFolder });
  } finally {
    await migrator.end().catch(() => undefined);
  }

  const pool = new Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it would end
  // the process, and a database restart must not do that.
  pool.on('error', (error) => options.onPoolError?.(error));
  return postgresHandle(
    pool,
    firstCallOnly(async () => {
      await untilQuiet(pool);
      await pool.end();
    }),
  );
}

/** `close` for a handle: it runs on the first call, and later calls resolve at once. */
function firstCallOnly(close: () => Promise<void>): () => Promise<void> {
  let called = false;
  return async () => {
    if (called) return;
    called = true;
    await close();
  };
}

/** The handle over a node-postgres pool; `close` decides how the pool ends. */
export async function postgresHandle(
  pool: Pool,
  close: () => Promise<void>,
): Promise<DatabaseHandle> {
  const { drizzle } = await import('drizzle-orm/node-postgres');
  return {
    db: drizzle({ client: pool, schema }) as unknown as Database,
    driver: 'postgres',
    async rows({ name, text }, values) {
      return (await pool.query<unknown[]>({ name, text, values, rowMode: 'array' })).rows;
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    close,
  };
}

/**
 * Waits (at most `maxMs`) until no client has been checked out for `quietMs`. A request whose
 * client hung up is no longer counted by the HTTP drain, yet its handler may still be between
 * two queries; ending the pool under it would turn a harmless abort into a logged failure.
 */
async function untilQuiet(
  pool: { totalCount: number; idleCount: number; waitingCount: number },
  quietMs = 50,
  maxMs = 2000,
): Promise<void> {
  const deadline = Date.now() + maxMs;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const busy = pool.totalCount - pool.idleCount > 0 || pool.waitingCount > 0;
    if (busy) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Postgres's default, 128 MB, is sized for a server of its own; PGlite allocates it in the
 * process's memory, where it cost about 110 MB of RSS (8 MB: 1,024 pages) and a tenth of a second at each start. The
 * embedded database serves one user's worth of data.
 */
const PGLITE_SHARED_BUFFERS = '8MB';

/**
 * V8 runs PGlite's Postgres (9 MB of WebAssembly) on code from its baseline compiler, Liftoff,
 * and recompiles a function with TurboFan once the function has used up its tiering budget
 * (13 million by default; V8 counts roughly the bytes of code it ran). A start alone used up
 * dozens: their TurboFan jobs took the second core while the start needed it and left about
 * 50 MB of compiler memory in malloc's per-thread arenas, counted in RSS for good. 1,000 million
 * is more than a start runs and little for a busy minute: under load the hot functions still
 * tier up, and requests per second stay as they were (36 s of task-list load: 1,516 against
 * 1,524). A restart took 360 ms instead of 435 and held 147 MB instead of 199. V8 reads the
 * budget when it compiles a module, so it is set before PGlite's is compiled.
 */
const WASM_TIERING_BUDGET = 1_000_000_000;

/**
 * PGlite's Postgres: beside the bundle (the build copies it there, and PGlite looks for it
 * there), or in the package when run from source.
 */
function pgliteWasmPath(): string {
  const besideBundle = join(__dirname, 'pglite.wasm');
  if (existsSync(besideBundle)) return besideBundle;
  // Through createRequire, which esbuild leaves as it is: the bundle never gets here.
  return join(dirname(createRequire(__filename).resolve('@electric-sql/pglite')), 'pglite.wasm');
}

/**
 * Starts compiling PGlite's Postgres on V8's background threads, so that it compiles while this
 * thread takes the folder's lock and loads the app (main.ts) rather than when PGlite gets to it:
 * about 25 ms of a restart. The file is read synchronously: from the page cache that takes
 * milliseconds, where an asynchronous read would start the compile only once this thread is
 * free again. Resolves to undefined if that fails: PGlite then reads and compiles the file
 * itself, and reports what is wrong.
 */
function compilePglite(): Promise<WebAssembly.Module | undefined> {
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
  try {
    return WebAssembly.compile(readFileSync(pgliteWasmPath())).catch(() => undefined);
  } catch {
    return Promise.resolve(undefined);
  }
}

/** PGlite's `query`, rows as arrays. */
function arrayQuery(client: PGlite): ArrayQuery {
  return async (text) => (await client.query<unknown[]>(text, [], { rowMode: 'array' })).rows;
}

async function openPglite(
  dataDir: string,
  migrationsFolder: string,
  {
    onLockLost = (error) => {
      throw error;
    },
    dataTemplateFolder = defaultTemplateFolder(),
  }: DatabaseOptions,
): Promise<DatabaseHandle> {
  const engine = compilePglite();
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');

  let location = IN_MEMORY;
  let unlock: () => Promise<void> = async () => undefined;
  if (dataDir !== IN_MEMORY) {
    location = resolve(dataDir);
    await mkdir(location, { recursive: true });
    unlock = await lockDataDir(location, onLockLost);
  }
  let client: PGlite | undefined;
  try {
    if (location !== IN_MEMORY) seedFromTemplate(location, dataTemplateFolder);
    client = await PGlite.create(location, {
      pgliteWasmModule: await engine,
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    });
    // A restart finds the journal at the newest migration: one query instead of drizzle's reads.
    if (!(await isUpToDate(arrayQuery(client), migrationsFolder))) {
      await migrate(drizzle({ client, schema }), { migrationsFolder });
    }
  } catch (error) {
    await client?.close().catch(() => undefined);
    await unlock();
    throw error;
  }
  const opened = client;
  return pgliteHandle(
    opened,
    firstCallOnly(async () => {
      await opened.close();
      await unlock();
    }),
  );
}

/** The handle over a PGlite instance; `close` decides whether it closes. */
export async function pgliteHandle(
  client: PGlite,
  close: () => Promise<void>,
): Promise<DatabaseHandle> {
  const { drizzle } = await import('drizzle-orm/pglite');
  const db = drizzle({ client, schema }) as unknown as Database;
  return {
    db,
    driver: 'pglite',
    async rows({ text }, values) {
      return (await client.query<unknown[]>(text, values, { rowMode: 'array' })).rows;
    },
    async ping() {
      await db.execute(sql`SELECT 1`);
    },
    close,
  };
}
