import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { freePort, startPostgres, type PostgresCluster } from '@todo/test-support';
import { buildApp } from './app';
import { createDatabase, type DatabaseHandle } from './db/client';
import { createLogger } from './logger';
import { LogCapture, testConfig } from '../test/support/app';
import { exited, spawnMain } from '../test/support/process';

// Replicas of the backend on one real PostgreSQL: the protections counted per client must be
// counted once for all of them, or N replicas allow N times the guesses.
let cluster: PostgresCluster;
// One key for all replicas, as their shared Secret would give them.
const signingKey = randomBytes(32).toString('base64url');

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);

afterAll(async () => {
  await cluster?.destroy();
});

interface Replica {
  url: string;
  child: ChildProcess;
}

async function startReplica(port: number): Promise<Replica> {
  const child = spawnMain({
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: cluster.url(),
    JWT_SECRET_KEY: signingKey,
    MAX_LOGIN_ATTEMPTS: '5',
    LOG_LEVEL: 'warn',
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
    const poll = setInterval(() => {
      fetch(`http://127.0.0.1:${port}/ready`).then(
        (response) => response.ok && (clearInterval(poll), resolve()),
        () => undefined,
      );
    }, 100);
    child.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`replica exited early (${code}):\n${output}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function stopReplica(replica: Replica): Promise<void> {
  replica.child.kill('SIGTERM');
  expect(await exited(replica.child)).toBe(0);
}

async function post(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

test('three processes share the login lockout, and a restarted one still holds it', async () => {
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  const replicas = await Promise.all(ports.map(startReplica));
  try {
    const email = 'shared-lockout@example.com';
    const password = 'the-right-password';
    expect(
      (await post(`${replicas[0].url}/api/auth/register`, { name: 'Ada', email, password })).status,
    ).toBe(201);

    // Five wrong passwords, spread over the three processes.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const replica = replicas[attempt % 3];
      const answer = await post(`${replica.url}/api/auth/login`, { email, password: 'guess' });
      expect([attempt, answer.status]).toEqual([attempt, 401]);
    }
    // The sixth attempt, on any of them and even with the right password, is refused.
    for (const replica of replicas) {
      const answer = await post(`${replica.url}/api/auth/login`, { email, password });
      expect(answer.status).toBe(429);
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
    }

    await stopReplica(replicas[1]);
    replicas[1] = await startReplica(ports[1]);
    const afterRestart = await post(`${replicas[1].url}/api/auth/login`, { email, password });
    expect(afterRestart.status).toBe(429);
  } finally {
    await Promise.all(replicas.map(stopReplica));
  }
}, 120_000);

test('two apps on one database share the rate limits: the third registration from one address is refused', async () => {
  const databases: DatabaseHandle[] = [];
  const apps: FastifyInstance[] = [];
  for (let i = 0; i < 2; i += 1) {
    const config = testConfig({ DATABASE_URL: cluster.url(), REGISTER_RATE_LIMIT: '2' });
    const database = await createDatabase(config);
    databases.push(database);
    apps.push(await buildApp({ config, database, logger: createLogger('warn', new LogCapture()) }));
  }
  try {
    const register = (app: FastifyInstance, n: number) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/register',
        // An address of its own: the counters outlive the apps, as they must.
        remoteAddress: '127.0.0.9',
        payload: { name: 'Spam', email: `spam-${n}@example.com`, password: 'spam-password' },
      });
    expect((await register(apps[0], 1)).statusCode).toBe(201);
    expect((await register(apps[1], 2)).statusCode).toBe(201);
    const third = await register(apps[0], 3);
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
    expect(third.json().detail).toMatch(/^Too many registrations: at most 2 per minute\./);
    // The other app counts the same address against the same limit.
    expect((await register(apps[1], 4)).statusCode).toBe(429);
  } finally {
    for (const app of apps) await app.close();
    for (const database of databases) await database.close();
  }
}, 60_000);
