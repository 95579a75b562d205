import type { FastifyInstance } from 'fastify';
import { NextRequest } from 'next/server';
import { freePort } from '@todo/test-support';
import { buildApp, createLogger, LogCapture, testConfig } from './support/backend';
import {
  addTaskRoute,
  BACKEND_UNREACHABLE,
  listTasksRoute,
  loginRoute,
  registerRoute,
  resetFrontendConfig,
} from './support/frontend';
import { LOAD_TEST_LIMITS, rowCounts, useReliabilityApp } from './support/harness';

// The frontend's proxy routes in front of a real backend that stops and comes back on the same
// address: while it is gone every call answers a clear 502 message (nothing half-done), and once
// it is back the same browser session works again without logging in anew.

const ctx = useReliabilityApp();
let port: number;
let backend: FastifyInstance | undefined;
const FRONTEND = 'http://localhost:3000';

async function startBackend(): Promise<void> {
  backend = await buildApp({
    config: testConfig(LOAD_TEST_LIMITS),
    database: ctx.database,
    logger: createLogger('info', new LogCapture()),
  });
  await backend.listen({ port, host: '127.0.0.1' });
}

async function stopBackend(): Promise<void> {
  await backend?.close();
  backend = undefined;
}

function browserRequest(
  path: string,
  init: { method?: string; body?: unknown; cookie?: string } = {},
) {
  return new NextRequest(`${FRONTEND}${path}`, {
    method: init.method ?? 'GET',
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.cookie ? { cookie: init.cookie } : {}),
    },
  });
}

beforeAll(async () => {
  port = await freePort();
  process.env.BACKEND_URL = `http://127.0.0.1:${port}`;
  process.env.BACKEND_TIMEOUT_MS = '3000';
  resetFrontendConfig();
  await startBackend();
});

afterAll(async () => {
  await stopBackend();
  delete process.env.BACKEND_URL;
  delete process.env.BACKEND_TIMEOUT_MS;
  resetFrontendConfig();
});

it('answers a clear message while the backend is down and recovers when it returns', async () => {
  const account = { name: 'Outage Olga', email: 'olga@example.com', password: 'long-password-1' };
  expect(
    (await registerRoute(browserRequest('/api/auth/register', { method: 'POST', body: account })))
      .status,
  ).toBe(201);
  const login = await loginRoute(
    browserRequest('/api/auth/login', {
      method: 'POST',
      body: { email: account.email, password: account.password },
    }),
  );
  expect(login.status).toBe(200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  expect(cookie).toMatch(/=/);
  const added = await addTaskRoute(
    browserRequest('/api/tasks', { method: 'POST', body: { title: 'before' }, cookie }),
  );
  expect(added.status).toBe(201);

  await stopBackend();
  // The proxy logs each failed call as one JSON line on stderr (the operator's side of it).
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const before = await rowCounts(ctx.database);
  for (const response of [
    await listTasksRoute(browserRequest('/api/tasks', { cookie })),
    await addTaskRoute(
      browserRequest('/api/tasks', { method: 'POST', body: { title: 'during' }, cookie }),
    ),
    await loginRoute(
      browserRequest('/api/auth/login', {
        method: 'POST',
        body: { email: account.email, password: account.password },
      }),
    ),
  ]) {
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ detail: BACKEND_UNREACHABLE });
  }
  expect(await rowCounts(ctx.database)).toEqual(before);
  expect(
    logged.mock.calls.filter(([line]) => String(line).includes('backend unreachable')),
  ).toHaveLength(3);
  logged.mockRestore();

  await startBackend();
  const listed = await listTasksRoute(browserRequest('/api/tasks', { cookie }));
  expect(listed.status).toBe(200);
  expect(
    ((await listed.json()) as { tasks: { title: string }[] }).tasks.map((task) => task.title),
  ).toEqual(['before']);
  const after = await addTaskRoute(
    browserRequest('/api/tasks', { method: 'POST', body: { title: 'after' }, cookie }),
  );
  expect(after.status).toBe(201);
});
