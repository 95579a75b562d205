import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildApp } from './app';
import type { DatabaseHandle } from './db/client';
import { createLogger } from './logger';
import { LogCapture, signUp, testConfig, useTestApp } from '../test/support/app';

const ctx = useTestApp();

describe('service routes', () => {
  it('GET / describes the service', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      message: expect.any(String),
      version: expect.any(String),
      docs: '/docs',
    });
  });

  it('serves an OpenAPI document built from the same zod schemas that validate', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const spec = response.json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/register',
        '/api/auth/login',
        '/api/{user_id}/tasks',
        '/api/{user_id}/tasks/{task_id}',
        '/api/{user_id}/tasks/{task_id}/complete',
      ]),
    );
    const schemas = JSON.stringify(spec.components.schemas);
    // The title limit a client sees in the docs is the one the server enforces.
    expect(schemas).toContain('"maxLength":200');
    expect(schemas).toContain('"maxLength":1000');
    expect(spec.paths['/api/{user_id}/tasks'].get.security).toEqual([{ bearerAuth: [] }]);
  });

  it("passes Redocly's recommended OpenAPI rules", async () => {
    const document = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).body;
    const lint = spawnSync(
      process.execPath,
      [join(__dirname, '../test/support/openapi-lint.mjs')],
      { input: document, encoding: 'utf8' },
    );
    expect(lint.stderr).toBe('');
    const problems = (JSON.parse(lint.stdout) as { rule: string; at: string }[]).filter(
      // GET / (service information) has no 4xx answer to document: no parameters, no body, no
      // authentication, no rate limit.
      (problem) =>
        !(problem.rule === 'operation-4xx-response' && problem.at === '#/paths/~1/get/responses'),
    );
    expect(problems).toEqual([]);
  });

  it('documents the answers the framework gives around the routes, and 204 without content', async () => {
    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const complete = spec.paths['/api/{user_id}/tasks/{task_id}/complete'].patch.responses;
    expect(Object.keys(complete)).toEqual(
      expect.arrayContaining(['200', '400', '401', '404', '413', '414', '415', '422', '503']),
    );
    expect(Object.keys(spec.paths['/api/auth/register'].post.responses)).toContain('429');
    expect(spec.paths['/api/{user_id}/tasks/{task_id}'].delete.responses['204']).toEqual({
      description: 'Deleted',
    });
    expect(spec.paths['/api/auth/login'].post.security).toEqual([]);
  });

  it('serves interactive docs at /docs', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toMatch(/swagger/i);
  });

  /** What every API answer carries, found or not. */
  function expectApiHeaders(headers: Record<string, unknown>) {
    expect(headers).toMatchObject({
      'content-type': expect.stringMatching(/^application\/json/),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'x-request-id': expect.any(String),
    });
  }

  function completedLogLine(requestId: unknown) {
    return ctx.logs
      .entries()
      .find((entry) => entry['reqId'] === requestId && entry['msg'] === 'request completed');
  }

  it('answers unknown routes with a 404 in the {"detail"} shape, with the API headers, logged', async () => {
    for (const url of ['/no/such/route', '/api/not-a-route']) {
      const response = await ctx.app.inject({ method: 'GET', url });
      expect([url, response.statusCode, response.json()]).toEqual([
        url,
        404,
        { detail: 'Not Found' },
      ]);
      expectApiHeaders(response.headers);
      expect(completedLogLine(response.headers['x-request-id'])).toMatchObject({
        res: { statusCode: 404 },
      });
    }
  });

  it('answers a wrong method on an existing path 405 with Allow, as FastAPI did', async () => {
    const login = await ctx.app.inject({ method: 'PUT', url: '/api/auth/login' });
    expect(login.statusCode).toBe(405);
    expect(login.json()).toEqual({ detail: 'Method Not Allowed' });
    expect(login.headers['allow']).toBe('POST');
    expectApiHeaders(login.headers);

    const tasks = await ctx.app.inject({ method: 'DELETE', url: '/api/some-user/tasks/' });
    expect(tasks.statusCode).toBe(405);
    expect(String(tasks.headers['allow']).split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);

    // The body of a request no route takes is not read: QUERY without Content-Type, broken JSON.
    const query = await ctx.app.inject({ method: 'QUERY' as 'GET', url: '/' });
    expect(query.statusCode).toBe(405);
    expect(query.headers['allow']).toBe('GET, HEAD');
    const broken = await ctx.app.inject({
      method: 'POST',
      url: '/api/no-such-route',
      headers: { 'content-type': 'application/json' },
      payload: '{',
    });
    expect(broken.statusCode).toBe(404);
    expect(broken.json()).toEqual({ detail: 'Not Found' });
  });

  it('answers an overlong path parameter 414 without echoing the path, logged', async () => {
    const long = 'a'.repeat(150);
    const response = await ctx.app.inject({ method: 'GET', url: `/api/${long}/tasks` });
    expect(response.statusCode).toBe(414);
    expect(response.json()).toEqual({
      detail: 'URI Too Long: a path parameter may be at most 100 characters',
    });
    expect(response.body).not.toContain(long);
    expectApiHeaders(response.headers);
    // Fastify writes no "request completed" line for these; the handler logs the answer itself.
    expect(
      ctx.logs.entries().find((entry) => entry['reqId'] === response.headers['x-request-id']),
    ).toMatchObject({ msg: 'incoming request' });
    expect(
      ctx.logs.entries().find((entry) => entry['msg'] === 'URL refused by the router'),
    ).toMatchObject({ reqId: response.headers['x-request-id'], statusCode: 414 });
  });

  it('routes every user_id the document allows, whatever its characters', async () => {
    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const userId = spec.paths['/api/{user_id}/tasks'].get.parameters.find(
      (parameter: { name: string }) => parameter.name === 'user_id',
    );
    expect(userId.schema.maxLength).toBe(50);
    // 50 characters outside the BMP are 100 UTF-16 code units, what the router counts.
    const longest = encodeURIComponent('😀'.repeat(50));
    const routed = await ctx.app.inject({ method: 'GET', url: `/api/${longest}/tasks` });
    expect(routed.statusCode).toBe(401);
    const tooLong = await ctx.app.inject({ method: 'GET', url: `/api/${longest}a/tasks` });
    expect(tooLong.statusCode).toBe(414);
  });

  it('reads JSON with a "__proto__" or "constructor" key as JSON, dropping the key', async () => {
    const login = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload:
        '{"email":"nobody@example.com","password":"wrong-password","x":{"__proto__":[null]},"constructor":{"prototype":{"y":1}}}',
    });
    expect(login.statusCode).toBe(401);
    expect(({} as Record<string, unknown>)['y']).toBeUndefined();
  });

  it('answers a malformed percent-encoding 400 in the {"detail"} shape', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/%zz/tasks' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      detail: 'The URL is not valid: it holds a malformed percent-encoding',
    });
    expectApiHeaders(response.headers);
  });

  it('gives every response a request id, reusing a sane incoming one', async () => {
    const fresh = await ctx.app.inject({ method: 'GET', url: '/' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const passed = await ctx.app.inject({
      method: 'GET',
      url: '/',
      headers: { 'x-request-id': 'edge-123' },
    });
    expect(passed.headers['x-request-id']).toBe('edge-123');
    const hostile = await ctx.app.inject({
      method: 'GET',
      url: '/',
      headers: { 'x-request-id': 'a b\u0000c' },
    });
    expect(hostile.headers['x-request-id']).not.toBe('a b\u0000c');
  });

  it('writes JSON logs that carry the request id', async () => {
    await ctx.app.inject({ method: 'GET', url: '/', headers: { 'x-request-id': 'trace-me-42' } });
    const lines = ctx.logs.entries().filter((entry) => entry['reqId'] === 'trace-me-42');
    expect(lines.map((entry) => entry['msg'])).toEqual(['incoming request', 'request completed']);
  });

  it('keeps kubelet probes out of the request log', async () => {
    const before = ctx.logs.entries().length;
    await ctx.app.inject({ method: 'GET', url: '/health' });
    await ctx.app.inject({ method: 'GET', url: '/ready' });
    await ctx.app.inject({ method: 'GET', url: '/' });
    const urls = ctx.logs
      .entries()
      .slice(before)
      .map((entry) => (entry['req'] as { url?: string } | undefined)?.url)
      .filter(Boolean);
    expect(urls).toEqual(['/']);
  });

  it('allows the configured frontend origin through CORS', async () => {
    const response = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/api/auth/login',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const foreign = await ctx.app.inject({
      method: 'GET',
      url: '/',
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('reports readiness with the database check', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ok',
      checks: { database: { status: 'ok', duration_ms: expect.any(Number) } },
    });
  });
});

describe('health without a database', () => {
  it('/health stays 200 and /ready turns 503 when the database fails', async () => {
    // A database whose every use fails, counting uses: /health must not touch it at all.
    let touched = 0;
    // Query builders chain as usual; running one (await / execute) counts a use and fails.
    const down = () => {
      touched += 1;
      return Promise.reject(new Error('database is down'));
    };
    const query: object = new Proxy(() => query, {
      get: (_target, property) =>
        property === 'then'
          ? (resolve: unknown, reject: (error: unknown) => void) => down().catch(reject)
          : property === 'execute'
            ? down
            : query,
      apply: () => query,
    });
    const start = () => query;
    const failing = { select: start, insert: start, update: start, delete: start, execute: start };
    const broken: DatabaseHandle = {
      db: failing as unknown as DatabaseHandle['db'],
      driver: 'postgres',
      rows: down,
      ping: async () => {
        touched += 1;
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
      close: async () => undefined,
    };
    const app = await buildApp({
      config: testConfig(),
      database: broken,
      logger: createLogger('silent', new LogCapture()),
    });
    try {
      const live = await app.inject({ method: 'GET', url: '/health' });
      expect(live.statusCode).toBe(200);
      expect(touched).toBe(0);

      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        status: 'error',
        checks: { database: { status: 'error', error: expect.stringMatching(/ECONNREFUSED/) } },
      });
    } finally {
      await app.close();
    }
  });
});

describe('JWT key', () => {
  it('without JWT_SECRET_KEY outside production, uses a random key and warns', async () => {
    const logs = new LogCapture();
    const config = testConfig({ JWT_SECRET_KEY: '', NODE_ENV: 'development' });
    const app = await buildApp({
      config,
      database: ctx.database,
      logger: createLogger('info', logs),
    });
    try {
      const warning = logs.entries().find((entry) => /JWT_SECRET_KEY/.test(String(entry['msg'])));
      expect(warning?.['level']).toBe(40);
      const { headers, user } = await signUp(app);
      const response = await app.inject({ method: 'GET', url: `/api/${user.id}/tasks`, headers });
      expect(response.statusCode).toBe(200);
      // A token from this process is worthless to an app with its own random key.
      const other = await buildApp({
        config,
        database: ctx.database,
        logger: createLogger('silent', logs),
      });
      const elsewhere = await other.inject({
        method: 'GET',
        url: `/api/${user.id}/tasks`,
        headers,
      });
      expect(elsewhere.statusCode).toBe(401);
      await other.close();
    } finally {
      await app.close();
    }
  });
});
