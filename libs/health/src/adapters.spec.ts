import Fastify, { type FastifyInstance } from 'fastify';
import { healthPlugin } from './fastify';
import { healthRouteHandlers } from './next';
import { HealthRegistry } from './registry';
import { ShutdownManager } from './shutdown';
import { deferred, recordingLogger } from './testing/support';

function newRegistry(databaseUp: () => boolean): HealthRegistry {
  return new HealthRegistry()
    .register({
      name: 'database',
      critical: true,
      timeoutMs: 500,
      check: () => {
        if (!databaseUp()) throw new Error('database unreachable');
      },
    })
    .register({
      name: 'mail',
      critical: false,
      check: () => {
        throw new Error('smtp refused');
      },
    });
}

/** Starts a shutdown that stays in `draining` until `finishWork` is called. */
function startDraining(shutdown: ShutdownManager): {
  done: Promise<number>;
  finishWork: () => void;
} {
  const work = deferred();
  shutdown.track(work.promise);
  return { done: shutdown.shutdown('SIGTERM'), finishWork: () => work.resolve() };
}

describe('Fastify healthPlugin', () => {
  let app: FastifyInstance;
  let databaseUp: boolean;
  let exitCodes: number[];
  let shutdown: ShutdownManager;

  beforeEach(async () => {
    databaseUp = true;
    exitCodes = [];
    shutdown = new ShutdownManager({
      timeoutMs: 5000,
      logger: recordingLogger(),
      exit: (code) => exitCodes.push(code),
    });
    app = Fastify();
    await app.register(healthPlugin, { registry: newRegistry(() => databaseUp), shutdown });
    await app.ready();
  });

  afterEach(() => app.close());

  it('serves readiness with every check, uncached JSON, while serving', async () => {
    const response = await app.inject({ method: 'GET', url: '/ready' });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({
      status: 'ok',
      state: 'serving',
      checks: {
        database: { status: 'ok', duration_ms: expect.any(Number) },
        mail: { status: 'error', duration_ms: expect.any(Number), error: 'smtp refused' },
      },
    });
  });

  it('answers 503 on /ready but 200 on /health when a critical dependency is down', async () => {
    databaseUp = false;

    const ready = await app.inject({ method: 'GET', url: '/ready' });
    const health = await app.inject({ method: 'GET', url: '/health' });

    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.database.error).toBe('database unreachable');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', state: 'serving', checks: {} });
  });

  it('turns /ready to 503 as soon as draining starts while /health stays 200', async () => {
    const before = await app.inject({ method: 'GET', url: '/health' });
    expect(before.json().state).toBe('serving');
    const { done, finishWork } = startDraining(shutdown);

    const ready = await app.inject({ method: 'GET', url: '/ready' });
    const health = await app.inject({ method: 'GET', url: '/health' });

    expect(shutdown.state).toBe('draining');
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['cache-control']).toBe('no-store');
    expect(ready.json()).toEqual({ status: 'error', state: 'draining', checks: {} });
    expect(health.statusCode).toBe(200);
    expect(health.json().state).toBe('draining');

    finishWork();
    await expect(done).resolves.toBe(0);
    expect(exitCodes).toEqual([0]);
    const afterStop = await app.inject({ method: 'GET', url: '/ready' });
    expect(afterStop.statusCode).toBe(503);
    expect(afterStop.json().state).toBe('stopped');
  });

  it('works without a shutdown manager and on custom paths', async () => {
    const plain = Fastify();
    await plain.register(healthPlugin, {
      registry: newRegistry(() => true),
      healthPath: '/livez',
      readyPath: '/readyz',
    });

    const ready = await plain.inject({ method: 'GET', url: '/readyz' });
    const health = await plain.inject({ method: 'GET', url: '/livez' });

    expect(ready.statusCode).toBe(200);
    expect(ready.json().state).toBeUndefined();
    expect(health.statusCode).toBe(200);
    await plain.close();
  });

  it('refuses to register without a registry, naming the option', async () => {
    const broken = Fastify();
    await expect(
      broken.register(healthPlugin, {} as unknown as Parameters<typeof healthPlugin>[1]),
    ).rejects.toThrow('registry: a HealthRegistry is required by healthPlugin');
    await broken.close();
  });
});

describe('Next.js route handlers', () => {
  it('serve liveness and readiness as standard Responses, 503 on /ready while draining', async () => {
    const exitCodes: number[] = [];
    const shutdown = new ShutdownManager({
      logger: recordingLogger(),
      exit: (code) => exitCodes.push(code),
    });
    const handlers = healthRouteHandlers(
      newRegistry(() => true),
      shutdown,
    );

    const readyBefore = await handlers.ready.GET(new Request('http://localhost/ready'));
    expect(readyBefore).toBeInstanceOf(Response);
    expect(readyBefore.status).toBe(200);
    expect(readyBefore.headers.get('content-type')).toMatch(/^application\/json/);
    expect(readyBefore.headers.get('cache-control')).toBe('no-store');
    expect(await readyBefore.json()).toMatchObject({
      status: 'ok',
      checks: { mail: { status: 'error', error: 'smtp refused' } },
    });

    const { done, finishWork } = startDraining(shutdown);

    const readyDuring = await handlers.ready.GET();
    const healthDuring = await handlers.health.GET();
    expect(readyDuring.status).toBe(503);
    expect(await readyDuring.json()).toEqual({ status: 'error', state: 'draining', checks: {} });
    expect(healthDuring.status).toBe(200);
    expect(healthDuring.headers.get('cache-control')).toBe('no-store');
    expect(await healthDuring.json()).toEqual({ status: 'ok', state: 'draining', checks: {} });

    finishWork();
    await expect(done).resolves.toBe(0);
    expect(exitCodes).toEqual([0]);
  });

  it('fail readiness when a critical check fails', async () => {
    const handlers = healthRouteHandlers(newRegistry(() => false));

    const ready = await handlers.ready.GET();

    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.database).toEqual({
      status: 'error',
      duration_ms: expect.any(Number),
      error: 'database unreachable',
    });
  });
});
