import { expect, test } from '@playwright/test';
import path from 'node:path';
import { freePort } from '@todo/test-support';
import { artifactsDir, cleanEnv, frontendEntry } from './paths';
import { startNodeServer, type RunningServer } from './servers';

// A second frontend whose BACKEND_URL points at a port nobody listens on: the outage is real.
let frontend: RunningServer;

test.beforeAll(async () => {
  const port = await freePort();
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  frontend = await startNodeServer({
    name: 'frontend-without-backend',
    entry: frontendEntry,
    cwd: path.dirname(frontendEntry),
    url: `http://127.0.0.1:${port}`,
    readyPath: '/health',
    logDir: path.join(artifactsDir, 'logs'),
    env: {
      ...cleanEnv(),
      NODE_ENV: 'production',
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      BACKEND_URL: nowhere,
      BACKEND_TIMEOUT_MS: '2000',
    },
  });
});

test.afterAll(async () => {
  await frontend?.stop();
});

test('with the backend down, login explains the outage and the proxy answers 502', async ({
  page,
}) => {
  await page.goto(`${frontend.url}/login`);
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Password').fill('correct-horse-battery');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.locator('form').getByRole('alert')).toHaveText(/not reachable right now/);
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();

  const proxied = await page.request.post(`${frontend.url}/api/auth/register`, {
    data: { name: 'Ada', email: 'ada@example.com', password: 'correct-horse-battery' },
  });
  expect(proxied.status()).toBe(502);
  expect((await proxied.json()).detail).toMatch(/not reachable right now/);

  // Readiness stays 200: the backend is a non-critical check, reported but not failing the pod.
  const ready = await page.request.get(`${frontend.url}/ready`);
  expect(ready.status()).toBe(200);
  const body = await ready.json();
  expect(body.checks.backend.status).toBe('error');

  // The server is still up and serving pages after the failures.
  expect((await page.request.get(`${frontend.url}/health`)).status()).toBe(200);
});
