import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { pgliteHandle, postgresHandle, type DatabaseHandle } from '../../src/db/client';

type SharedDatabase = { driver: 'pglite'; client: PGlite } | { driver: 'postgres'; url: string };

declare global {
  var __BACKEND_TEST_DB__: (() => Promise<SharedDatabase>) | undefined;
}

function shared(): Promise<SharedDatabase> {
  const open = globalThis.__BACKEND_TEST_DB__;
  if (!open)
    throw new Error('run backend tests with test/support/environment.cjs (jest.config.js)');
  return open();
}

/** Which engine this run tests against: `TEST_DB=postgres` selects PostgreSQL. */
export function testDriver(): 'pglite' | 'postgres' {
  return process.env['TEST_POSTGRES_ADMIN_URL'] ? 'postgres' : 'pglite';
}

/**
 * A handle on the worker's shared, already-migrated database. `close()` ends only this file's
 * connections: the database itself lives as long as the worker.
 */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  const database = await shared();
  if (database.driver === 'pglite') return pgliteHandle(database.client, async () => undefined);
  const { Pool } = await import('pg');
  const pool = new Pool({ connectionString: database.url, max: 5 });
  return postgresHandle(pool, () => pool.end());
}

/** Empties every table, so each test starts from a blank database. */
export async function truncateAll(handle: DatabaseHandle): Promise<void> {
  await handle.db.execute(
    sql`TRUNCATE messages, conversations, tasks, users, login_failures, rate_limit_counters RESTART IDENTITY CASCADE`,
  );
}
