import { expect, test } from '@playwright/test';
import { createServer, get, type Server } from 'node:http';
import path from 'node:path';
import { freePort } from '@todo/test-support';
import { artifactsDir, cleanEnv, frontendEntry } from './paths';
import { startNodeServer, type RunningServer } from './servers';

// The real backend cannot be made slow on demand, so a plain HTTP server stands in for it here,
// answering register the way the backend does (201) after a delay, to hold a request in flight
// while the frontend receives SIGTERM.
let slowBackend: Server;
let slowBackendUrl: string;
let frontend: RunningServer;
let requestArrived: () => void;
const arrived = new Promise<void>((resolve) => (requestArrived = resolve));

test.beforeAll(async () => {
  const backendPort = await freePort();
  slowBackend = createServer((request, response) => {
    if (request.url === '/health') return void response.end('{"status":"ok"}');
    requestArrived();
    setTimeout(() => {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end('{"id":"u1","name":"Ada","email":"ada@example.com","message":"registered"}');
    }, 1500);
  });
  await new Promise<void>((resolve) => slowBackend.listen(backendPort, '127.0.0.1', resolve));
  slowBackendUrl = `http://127.0.0.1:${backendPort}`;

  const port = await freePort();
  frontend = await startNodeServer({
    name: 'frontend-shutdown',
    entry: frontendEntry,
    cwd: path.dirname(frontendEntry),
    url: `http://127.0.0.1:${port}`,
    readyPath: '/ready',
    logDir: path.join(artifactsDir, 'logs'),
    env: {
      ...cleanEnv(),
      NODE_ENV: 'production',
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      BACKEND_URL: slowBackendUrl,
    },
  });
});

test.afterAll(async () => {
  await frontend?.stop();
  await new Promise((resolve) => slowBackend?.close(resolve));
});

test('on SIGTERM the standalone server finishes the request in flight, refuses new ones and exits 0', async () => {
  const inFlight = fetch(`${frontend.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ada', email: 'ada@example.com', password: 'long-enough' }),
  });
  await arrived;
  const exited = new Promise<number | null>((resolve) => frontend.child.once('exit', resolve));
  frontend.child.kill('SIGTERM');

  const answer = await inFlight;
  expect(answer.status).toBe(201);
  expect(await answer.json()).toMatchObject({ email: 'ada@example.com' });
  // A new connection is refused. (A request on a keep-alive socket opened before the signal, such
  // as the readiness polls' in fetch's pool, would still be answered, with Connection: close.)
  const fresh = new Promise((resolve, reject) =>
    get(`${frontend.url}/health`, { agent: false }, resolve).once('error', reject),
  );
  await expect(fresh).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  expect(await exited).toBe(0);
});
