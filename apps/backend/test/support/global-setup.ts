import { startPostgres, type PostgresCluster } from '@todo/test-support';

declare global {
  var __BACKEND_TEST_POSTGRES__: PostgresCluster | undefined;
}

/**
 * With TEST_DB=postgres the whole suite runs against a real PostgreSQL started here (one cluster
 * per run, one database per Jest worker); otherwise against in-memory PGlite.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['TEST_DB'] !== 'postgres') return;
  const cluster = await startPostgres();
  globalThis.__BACKEND_TEST_POSTGRES__ = cluster;
  // Workers start after this and inherit the environment.
  process.env['TEST_POSTGRES_ADMIN_URL'] = cluster.url();
}
