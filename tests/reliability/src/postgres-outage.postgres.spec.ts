import type { FastifyInstance } from 'fastify';
import { Client } from 'pg';
import type { Task } from '@todo/api-contract';
import { startPostgres, type PostgresCluster } from '@todo/test-support';
import {
  buildApp,
  createDatabase,
  createLogger,
  LogCapture,
  signUp,
  testConfig,
  type DatabaseHandle,
  type SignedIn,
} from './support/backend';
import { LOAD_TEST_LIMITS } from './support/harness';

// PostgreSQL crashes (every server process killed, no shutdown checkpoint) while users keep
// writing, then comes back. The same backend instance must report 503 on /ready during the
// outage and 200 after, serve again without a restart, and have lost no write it acknowledged.

const WRITERS = 8;

let cluster: PostgresCluster;
let database: DatabaseHandle;
let app: FastifyInstance;
const logs = new LogCapture();

beforeAll(async () => {
  // Its own server, since this test crashes it.
  cluster = await startPostgres();
  const admin = new Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query('CREATE DATABASE outage');
  // The throwaway cluster runs with synchronous_commit=off for speed, which lets a crash lose
  // the last commits by design. Production keeps the default (on); so does this database.
  await admin.query('ALTER DATABASE outage SET synchronous_commit = on');
  await admin.end();
  const config = testConfig({ ...LOAD_TEST_LIMITS, DATABASE_URL: cluster.url('outage') });
  database = await createDatabase(config, { onPoolError: () => undefined });
  app = await buildApp({
    config,
    database,
    logger: createLogger('info', logs),
  });
  await app.ready();
}, 90_000);

afterAll(async () => {
  await app?.close();
  await database?.close();
  await cluster?.destroy();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readyStatus(): Promise<number> {
  return (await app.inject({ method: 'GET', url: '/ready' })).statusCode;
}

it('reports the outage on /ready, recovers by itself and loses no acknowledged write', async () => {
  const users: SignedIn[] = [];
  for (let i = 0; i < WRITERS; i++) users.push(await signUp(app));
  expect(await readyStatus()).toBe(200);

  const acknowledged = new Map<string, Map<number, string>>(
    users.map((u) => [u.user.id, new Map()]),
  );
  const statuses = new Map<number, number>();
  let stop = false;
  let sequence = 0;

  const writer = async (who: SignedIn) => {
    while (!stop) {
      const title = `write ${++sequence}`;
      const response = await app.inject({
        method: 'POST',
        url: `/api/${who.user.id}/tasks`,
        headers: who.headers,
        payload: { title },
      });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      if (response.statusCode === 201) {
        acknowledged.get(who.user.id)?.set((response.json() as Task).id, title);
      } else {
        // Refused writes say the service is unavailable for now (not a server bug) and when to
        // retry, and fail fast rather than hang.
        expect(response.statusCode).toBe(503);
        expect(response.headers['retry-after']).toMatch(/^\d+$/);
        expect(response.json().detail).toEqual(expect.any(String));
        await sleep(50);
      }
    }
  };
  const load = Promise.all(users.map(writer));

  await sleep(1500);
  const beforeCrash = [...acknowledged.values()].reduce((n, m) => n + m.size, 0);
  expect(beforeCrash).toBeGreaterThan(0);

  // `pg_ctl stop -m immediate`: every server process quits at once, as in a crash.
  await cluster.stop('immediate');
  const duringOutage: number[] = [];
  for (let i = 0; i < 3; i++) {
    duringOutage.push(await readyStatus());
    await sleep(300);
  }
  // Liveness does not follow the database (a pod restart would not help).
  expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  expect(duringOutage).toEqual([503, 503, 503]);

  await cluster.start();
  let ready = 0;
  for (let i = 0; i < 50 && ready !== 200; i++) {
    ready = await readyStatus();
    if (ready !== 200) await sleep(200);
  }
  expect(ready).toBe(200);
  // Writes succeed again on the same process, through the same pool.
  const ackedBeforeRecovery = [...acknowledged.values()].reduce((n, m) => n + m.size, 0);
  await sleep(1500);
  stop = true;
  await load;
  const total = [...acknowledged.values()].reduce((n, m) => n + m.size, 0);
  expect(total).toBeGreaterThan(ackedBeforeRecovery);
  // Some writes were refused during the outage (each with 503, checked above).
  expect(statuses.get(503)).toBeGreaterThan(0);

  for (const who of users) {
    const response = await app.inject({
      method: 'GET',
      url: `/api/${who.user.id}/tasks`,
      headers: who.headers,
    });
    expect(response.statusCode).toBe(200);
    const stored = new Map((response.json().tasks as Task[]).map((task) => [task.id, task.title]));
    for (const [id, title] of acknowledged.get(who.user.id) ?? []) {
      expect({ id, title: stored.get(id) }).toEqual({ id, title });
    }
  }
});
