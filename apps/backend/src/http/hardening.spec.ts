import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from '../app';
import type { DatabaseHandle } from '../db/client';
import { createLogger } from '../logger';
import { LogCapture, signUp, testConfig } from '../../test/support/app';
import { openTestDatabase, truncateAll } from '../../test/support/database';
import {
  startFakeOpenAIServer,
  type FakeOpenAIServer,
} from '../../test/support/fake-openai-server';

const FRONTEND = 'https://todo.example.com';

let database: DatabaseHandle;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
});
beforeEach(async () => {
  await truncateAll(database);
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
afterAll(async () => {
  await database.close();
});

async function app(
  env: Record<string, string> = {},
  http: BuildAppOptions['http'] = {},
  logs = new LogCapture(),
): Promise<FastifyInstance> {
  const built = await buildApp({
    config: testConfig({ BACKEND_CORS_ORIGINS: FRONTEND, ...env }),
    database,
    logger: createLogger('info', logs),
    http,
  });
  apps.push(built);
  await built.ready();
  return built;
}

/** Sends raw bytes to a listening app and resolves with the status line it answers. */
function rawRequest(port: number, request: string, keepOpen = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (!keepOpen) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received.split('\r\n')[0] ?? ''));
  });
}

describe('security headers', () => {
  it('gives API answers a deny-all CSP, no framing, no sniffing, HSTS and no caching', async () => {
    const api = await app();
    const me = await signUp(api);
    const response = await api.inject({
      method: 'GET',
      url: `/api/${me.user.id}/tasks`,
      headers: me.headers,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('keeps the docs page usable with its own script policy', async () => {
    const api = await app();
    const page = await api.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });
});

describe('CORS', () => {
  it('lets the configured origin call with credentials', async () => {
    const api = await app();
    const preflight = await api.inject({
      method: 'OPTIONS',
      url: '/api/auth/login',
      headers: {
        origin: FRONTEND,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(FRONTEND);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');

    const simple = await api.inject({ method: 'GET', url: '/', headers: { origin: FRONTEND } });
    expect(simple.headers['access-control-allow-origin']).toBe(FRONTEND);
  });

  it('gives any other origin no CORS permission at all', async () => {
    const api = await app();
    for (const origin of ['https://evil.example', 'null', `${FRONTEND}.evil.example`]) {
      const preflight = await api.inject({
        method: 'OPTIONS',
        url: '/api/auth/login',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const simple = await api.inject({ method: 'GET', url: '/', headers: { origin } });
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});

describe('rate limits', () => {
  it('answers the login attempt over the limit 429 with Retry-After and a detail, per client IP', async () => {
    // A high per-email lockout, so only the per-IP limit can be what answers 429 here.
    const api = await app({ MAX_LOGIN_ATTEMPTS: '100', LOGIN_RATE_LIMIT: '3' });
    const attempt = (remoteAddress: string, n: number) =>
      api.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress,
        payload: { email: `someone${n}@example.com`, password: 'wrong-password' },
      });
    for (let n = 0; n < 3; n++) expect((await attempt('203.0.113.7', n)).statusCode).toBe(401);
    const refused = await attempt('203.0.113.7', 3);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.json().detail).toMatch(/Too many login attempts: at most 3 per minute/);
    // Another client is not punished for it.
    expect((await attempt('198.51.100.9', 4)).statusCode).toBe(401);
  });

  it('limits registrations per client IP, and a refused one creates no account', async () => {
    const api = await app({ REGISTER_RATE_LIMIT: '3' });
    const register = (n: number) =>
      api.inject({
        method: 'POST',
        url: '/api/auth/register',
        remoteAddress: '203.0.113.8',
        payload: { name: `Spammer ${n}`, email: `spam${n}@example.com`, password: 'long-password' },
      });
    for (let n = 0; n < 3; n++) expect((await register(n)).statusCode).toBe(201);
    const refused = await register(3);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.json().detail).toMatch(/Too many registrations/);
    const login = await api.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'spam3@example.com', password: 'long-password' },
    });
    expect(login.statusCode).toBe(401);
  });

  it('limits chat per signed-in user, not per address', async () => {
    const api = await app({ CHAT_RATE_LIMIT: '3' });
    const alice = await signUp(api);
    const bob = await signUp(api);
    const chat = (who: typeof alice) =>
      api.inject({
        method: 'POST',
        url: `/api/${who.user.id}/chat`,
        headers: who.headers,
        payload: { message: 'show my tasks' },
      });
    for (let n = 0; n < 3; n++) expect((await chat(alice)).statusCode).toBe(200);
    const refused = await chat(alice);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.json().detail).toMatch(/Too many chat messages/);
    // Same address (inject's 127.0.0.1), different user: still served.
    expect((await chat(bob)).statusCode).toBe(200);
    // The refused message was not stored.
    const history = await api.inject({
      method: 'GET',
      url: `/api/${alice.user.id}/conversations/history`,
      headers: alice.headers,
    });
    expect(history.json().messages).toHaveLength(6);
  });
});

describe('size limits', () => {
  it('refuses a body over 1 MiB with 413 and a detail, storing nothing', async () => {
    const api = await app();
    const me = await signUp(api);
    const response = await api.inject({
      method: 'POST',
      url: `/api/${me.user.id}/tasks`,
      headers: { ...me.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ title: 'x', description: 'y'.repeat(1024 * 1024 + 10) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().detail).toMatch(/larger than 1 MiB/);
    const list = await api.inject({
      method: 'GET',
      url: `/api/${me.user.id}/tasks`,
      headers: me.headers,
    });
    expect(list.json().tasks).toEqual([]);
  });

  it('refuses oversized headers with 431 and ignores headers beyond the count limit', async () => {
    const api = await app({}, { maxHeaderBytes: 8 * 1024, maxHeaderCount: 50 });
    await api.listen({ port: 0, host: '127.0.0.1' });
    const { port } = api.server.address() as AddressInfo;

    const big = `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(9 * 1024)}\r\n\r\n`;
    expect(await rawRequest(port, big)).toBe('HTTP/1.1 431 Request Header Fields Too Large');

    const padding = Array.from({ length: 60 }, (_, i) => `X-Pad-${i}: ${i}\r\n`).join('');
    const many = `GET / HTTP/1.1\r\nHost: x\r\n${padding}X-Request-Id: probe-after-limit\r\nConnection: close\r\n\r\n`;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(many));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('latin1')));
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    // The request id header came after the 50th header, so the server never saw it.
    expect(answer.toLowerCase()).not.toContain('x-request-id: probe-after-limit');
  });
});

describe('timeouts', () => {
  it('answers 408 to a client that never finishes its headers', async () => {
    const api = await app({}, { headersTimeoutMs: 300, requestTimeoutMs: 600 });
    await api.listen({ port: 0, host: '127.0.0.1' });
    const { port } = api.server.address() as AddressInfo;
    const started = Date.now();
    const status = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ', true);
    expect(status).toBe('HTTP/1.1 408 Request Timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers 503 with a detail when a handler hangs, and keeps serving', async () => {
    let model: FakeOpenAIServer | undefined;
    try {
      // Stand-in for a hosted model that never answers (none is reachable from CI).
      model = await startFakeOpenAIServer({ whenScriptEnds: { kind: 'hang' } });
      // Signing up costs a password hash, longer than the deadline under test: use another app
      // over the same database and key.
      const me = await signUp(await app());
      const logs = new LogCapture();
      const api = await app(
        {
          OPENAI_API_KEY: model.apiKey,
          OPENAI_BASE_URL: model.baseURL,
          OPENAI_TIMEOUT_MS: '5000',
        },
        { handlerTimeoutMs: 300 },
        logs,
      );
      const response = await api.inject({
        method: 'POST',
        url: `/api/${me.user.id}/chat`,
        headers: me.headers,
        payload: { message: 'add a task to buy milk' },
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json().detail).toMatch(/did not finish this request within 300 ms/);
      expect(logs.text).toContain('request timed out before the handler answered');
      const health = await api.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
    } finally {
      await model?.close();
    }
  });
});
