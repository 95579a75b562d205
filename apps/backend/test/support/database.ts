import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../../src/db/client';
import * as schema from '../../src/db/schema';

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
  if (database.driver === 'pglite') {
    const { drizzle } = await import('drizzle-orm/pglite');
    const db = drizzle({ client: database.client, schema }) as unknown as DatabaseHandle['db'];
    return {
      db,
      driver: 'pglite',
      ping: async () => {
        await db.execute(sql`SELECT 1`);
      },
      close: async () => undefined,
    };
  }
  const { Pool } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const pool = new Pool({ connectionString: database.url, max: 5 });
  const db = drizzle({ client: pool, schema }) as unknown as DatabaseHandle['db'];
  return {
    db,
    driver: 'postgres',
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}

/** Empties every table, so each test starts from a blank database. */
export async function truncateAll(handle: DatabaseHandle): Promise<void> {
  await handle.db.execute(
    sql`TRUNCATE messages, conversations, tasks, users RESTART IDENTITY CASCADE`,
  );
}
