import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app';
import { createDatabase, type DatabaseHandle } from '../db/client';
import { createLogger } from '../logger';
import { LogCapture, testConfig } from '../../test/support/app';
import { startPostgres, type PostgresCluster } from '@todo/test-support';

// Its own PostgreSQL (not the suite's shared one), because this test stops and restarts it.
let cluster: PostgresCluster;
let database: DatabaseHandle;
let app: FastifyInstance;
const logs = new LogCapture();

beforeAll(async () => {
  cluster = await startPostgres();
  const config = testConfig({ DATABASE_URL: cluster.url() });
  database = await createDatabase(config, { onPoolError: () => undefined });
  app = await buildApp({ config, database, logger: createLogger('info', logs) });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.close();
  await cluster?.destroy();
});

async function probe(url: string) {
  const response = await app.inject({ method: 'GET', url });
  return { status: response.statusCode, body: response.json() };
}

describe('readiness follows a real PostgreSQL', () => {
  it('answers 503 while the database is down and 200 again once it is back, without a restart', async () => {
    expect((await probe('/ready')).status).toBe(200);

    await cluster.stop();
    const down = await probe('/ready');
    expect(down.status).toBe(503);
    expect(down.body.checks.database).toMatchObject({ status: 'error', error: expect.any(String) });
    expect(down.body.checks.database.duration_ms).toBeLessThan(2500);
    // Liveness must not follow the database: restarting the pod would not bring it back.
    expect((await probe('/health')).status).toBe(200);

    await cluster.start();
    expect((await probe('/ready')).status).toBe(200);
    // And the API works again on the same pool.
    const registered = await app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { name: 'Back', email: 'back@example.com', password: 'after-restart' },
    });
    expect(registered.statusCode).toBe(201);
  });
});
