import Fastify, { type FastifyInstance } from 'fastify';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { healthPlugin } from './fastify';
import { HealthRegistry } from './registry';
import { ShutdownManager } from './shutdown';
import { deferred, recordingLogger } from './testing/support';

interface ClientResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: Socket;
}

/** A real HTTP request through `agent`; resolves once the whole body has arrived. */
function get(port: number, path: string, agent: http.Agent | false): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent }, (response) => {
      // Captured now: the agent detaches the socket from the response once it is idle again.
      const socket = response.socket;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({
          statusCode: response.statusCode ?? 0,
          headers: response.headers,
          body,
          socket,
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/**
 * A real Fastify app listening on an ephemeral port, with a /slow route that answers only when
 * the test releases it, and a ShutdownManager tracking its server.
 */
async function startApp(options: { timeoutMs: number }) {
  const events: string[] = [];
  const exitCodes: number[] = [];
  const logger = recordingLogger();
  const slowStarted = deferred();
  const releaseSlow = deferred();

  const shutdown = new ShutdownManager({
    timeoutMs: options.timeoutMs,
    logger,
    exit: (code) => exitCodes.push(code),
  });
  const app: FastifyInstance = Fastify();
  await app.register(healthPlugin, { registry: new HealthRegistry(), shutdown });
  app.get('/slow', async (_request, reply) => {
    // 'close' (not 'finish', which can come after the client already closed) is what the drain
    // waits for; writableEnded tells a whole answer from a cut one.
    reply.raw.once('close', () =>
      events.push(reply.raw.writableEnded ? 'slow response ended' : 'slow response cut'),
    );
    slowStarted.resolve();
    await releaseSlow.promise;
    return { done: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  app.server.once('close', () => events.push('server closed'));
  shutdown.trackServer(app.server);
  const port = (app.server.address() as AddressInfo).port;

  return { app, shutdown, port, events, exitCodes, logger, slowStarted, releaseSlow };
}

describe('ShutdownManager on a real HTTP server', () => {
  let agent: http.Agent;
  let cleanup: (() => Promise<unknown>) | undefined;

  beforeEach(() => {
    agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  });

  afterEach(async () => {
    agent.destroy();
    await cleanup?.();
    cleanup = undefined;
  });

  it('on shutdown lets a slow in-flight request finish, refuses new connections, closes hooks in reverse, exits 0', async () => {
    const ctx = await startApp({ timeoutMs: 5000 });
    cleanup = () => ctx.app.close();
    // Named for the rule under test, not after an app's resources: each app's own wiring is tested
    // on its real process (apps/backend/src/main.spec.ts, apps/frontend-e2e).
    ctx.shutdown
      .onClose('registered first', () => ctx.events.push('hook registered first'))
      .onClose('registered second', () => {
        ctx.events.push('hook registered second');
      });

    // An idle keep-alive connection from an earlier request (its own agent, so the slow
    // request below cannot reuse it)...
    const idleAgent = new http.Agent({ keepAlive: true });
    const warmUp = await get(ctx.port, '/health', idleAgent);
    expect(warmUp.statusCode).toBe(200);
    const idleSocketClosed = once(warmUp.socket, 'close');
    // ...and a slow request in flight when the signal arrives.
    const slow = get(ctx.port, '/slow', agent);
    await ctx.slowStarted.promise;

    const exitCode = ctx.shutdown.shutdown('SIGTERM');
    void ctx.shutdown.shutdown('SIGINT'); // a second signal must not start a second shutdown

    expect(ctx.shutdown.state).toBe('draining');
    expect(ctx.shutdown.inFlight).toBe(1);
    const ready = await ctx.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    const health = await ctx.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    // The idle keep-alive socket is not cut under a client that may be reusing it: a request on
    // it still gets its answer, with Connection: close, and then the socket ends.
    const reused = await get(ctx.port, '/health', idleAgent);
    expect(reused.socket).toBe(warmUp.socket);
    expect(reused.statusCode).toBe(200);
    expect(reused.headers.connection).toBe('close');
    await idleSocketClosed;
    idleAgent.destroy();
    await expect(get(ctx.port, '/health', false)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(ctx.exitCodes).toEqual([]);

    ctx.releaseSlow.resolve();
    const response = await slow;
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ done: true });
    expect(response.headers.connection).toBe('close');

    await expect(exitCode).resolves.toBe(0);
    expect(ctx.exitCodes).toEqual([0]);
    expect(ctx.shutdown.state).toBe('stopped');
    expect(ctx.events).toEqual([
      'slow response ended',
      'server closed',
      'hook registered second',
      'hook registered first',
    ]);
    expect(
      ctx.logger.lines.filter(
        (line) => line.msg === 'shutdown started: readiness now fails, draining in-flight work',
      ),
    ).toHaveLength(1);
    expect(ctx.logger.lines.some((line) => line.msg === 'shutdown already in progress')).toBe(true);
  });

  it('closes keep-alive sockets still idle at the deadline and exits 0: nothing was in flight', async () => {
    // Fastify's own server announces a 72 s keep-alive timeout, longer than this deadline.
    const ctx = await startApp({ timeoutMs: 500 });
    cleanup = () => ctx.app.close();
    const idle = await get(ctx.port, '/health', agent);
    const idleClosed = once(idle.socket, 'close');

    await expect(ctx.shutdown.shutdown('SIGTERM')).resolves.toBe(0);
    await idleClosed;
    expect(ctx.logger.lines.map((line) => line.msg)).not.toContain(
      'shutdown deadline passed with work still in flight: closing remaining connections',
    );
  });

  it('honours the deadline: a request slower than it is cut, hooks still run, exit code 1', async () => {
    const ctx = await startApp({ timeoutMs: 300 });
    cleanup = async () => {
      ctx.releaseSlow.resolve();
      await ctx.app.close();
    };
    const hooks: string[] = [];
    ctx.shutdown.onClose('first', () => hooks.push('first'));
    ctx.shutdown.onClose('second', () => hooks.push('second'));

    const slow = get(ctx.port, '/slow', agent);
    await ctx.slowStarted.promise;

    const exitCode = await ctx.shutdown.shutdown('SIGTERM');

    expect(exitCode).toBe(1);
    expect(ctx.exitCodes).toEqual([1]);
    expect(hooks).toEqual(['second', 'first']);
    await expect(slow).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(ctx.logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'shutdown deadline passed with work still in flight: closing remaining connections',
        obj: { inFlight: 1, timeoutMs: 300 },
      }),
    );
  });

  it('loses no request sent on an established keep-alive connection while it drains under load', async () => {
    const ctx = await startApp({ timeoutMs: 5000 });
    cleanup = () => ctx.app.close();
    // Eight workers on a pool of eight keep-alive sockets, all open before the signal: as behind a
    // Service after the preStop sleep, no new connection is on its way in when the listener closes
    // (one would be reset from the accept queue whatever the drain does).
    const pool = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const outcomes = new Map<string, number>();
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const outcome = await get(ctx.port, '/health', pool).then(
          (response) => `answered ${response.statusCode}`,
          (error: NodeJS.ErrnoException) => error.code ?? error.message,
        );
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (outcome === 'ECONNREFUSED') await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(ctx.shutdown.shutdown('SIGTERM')).resolves.toBe(0);
    stop = true;
    await Promise.all(workers);
    pool.destroy();
    // Only connections opened after the listener closed may fail, refused before any byte was
    // sent (a load balancer would have sent them to another pod). No reset, no hang-up.
    const lost = [...outcomes].filter(
      ([outcome]) => !['answered 200', 'ECONNREFUSED'].includes(outcome),
    );
    expect(lost).toEqual([]);
    expect(outcomes.get('answered 200')).toBeGreaterThan(50);
  });

  it('keeps a keep-alive connection whose answer had already sent its headers until its next request', async () => {
    const firstChunkSent = deferred();
    const finishStream = deferred();
    const server = http.createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('part one;');
      firstChunkSent.resolve();
      void finishStream.promise.then(() => response.end('part two'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const exitCodes: number[] = [];
    const shutdown = new ShutdownManager({
      timeoutMs: 5000,
      logger: recordingLogger(),
      exit: (code) => exitCodes.push(code),
    }).trackServer(server);
    const agent = new http.Agent({ keepAlive: true });

    const streamed = get(port, '/stream', agent);
    await firstChunkSent.promise;
    const done = shutdown.shutdown('SIGTERM');
    finishStream.resolve();
    const response = await streamed;

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('part one;part two');
    // The headers promised keep-alive, so the client may reuse the socket: it is not cut under
    // it. The next request on it is answered with Connection: close, and then the socket ends.
    expect(response.headers.connection).toBe('keep-alive');
    const next = await get(port, '/stream', agent);
    expect(next.socket).toBe(response.socket);
    expect(next.headers.connection).toBe('close');
    if (!next.socket.destroyed) await once(next.socket, 'close');
    await expect(done).resolves.toBe(0);
    expect(exitCodes).toEqual([0]);
    expect(server.listening).toBe(false);
    agent.destroy();
  });

  it('with a drain delay keeps accepting connections but answers /ready 503 over the network', async () => {
    const exitCodes: number[] = [];
    const shutdown = new ShutdownManager({
      timeoutMs: 5000,
      // Long enough for two local requests even on a loaded CI machine.
      drainDelayMs: 1000,
      logger: recordingLogger(),
      exit: (code) => exitCodes.push(code),
    });
    const app = Fastify();
    await app.register(healthPlugin, { registry: new HealthRegistry(), shutdown });
    await app.listen({ port: 0, host: '127.0.0.1' });
    shutdown.trackServer(app.server);
    const port = (app.server.address() as AddressInfo).port;

    const done = shutdown.shutdown('SIGTERM');
    const ready = await get(port, '/ready', false);
    const health = await get(port, '/health', false);

    expect(ready.statusCode).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ status: 'error', state: 'draining', checks: {} });
    expect(ready.headers['cache-control']).toBe('no-store');
    expect(health.statusCode).toBe(200);
    await expect(done).resolves.toBe(0);
    await expect(get(port, '/health', false)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(exitCodes).toEqual([0]);
    await app.close();
  });
});

describe('ShutdownManager close hooks and tracked work', () => {
  it('logs a failing hook, runs the others, and exits 1', async () => {
    const logger = recordingLogger();
    const exitCodes: number[] = [];
    const ran: string[] = [];
    const shutdown = new ShutdownManager({ logger, exit: (code) => exitCodes.push(code) })
      .onClose('database', () => ran.push('database'))
      .onClose('queue', async () => {
        throw new Error('queue already closed');
      })
      .onClose('http', () => ran.push('http'));

    await expect(shutdown.shutdown()).resolves.toBe(1);

    expect(ran).toEqual(['http', 'database']);
    expect(exitCodes).toEqual([1]);
    const failure = logger.lines.find((line) => line.msg === 'close hook failed');
    expect(failure).toMatchObject({ level: 'error', obj: { hook: 'queue' } });
    expect((failure?.obj.err as Error).message).toBe('queue already closed');
  });

  it('cuts a hanging hook at its timeout and still runs the next one', async () => {
    const exitCodes: number[] = [];
    const ran: string[] = [];
    const shutdown = new ShutdownManager({
      hookTimeoutMs: 50,
      logger: recordingLogger(),
      exit: (code) => exitCodes.push(code),
    })
      .onClose('database', () => ran.push('database'))
      .onClose('stuck', () => new Promise(() => undefined));

    await expect(shutdown.shutdown()).resolves.toBe(1);
    expect(ran).toEqual(['database']);
    expect(exitCodes).toEqual([1]);
  });

  it('waits for tracked work before closing, and calls exit once for repeated shutdowns', async () => {
    const exitCodes: number[] = [];
    const order: string[] = [];
    const job = deferred();
    const shutdown = new ShutdownManager({
      logger: recordingLogger(),
      exit: (code) => exitCodes.push(code),
    }).onClose('database', () => order.push('database closed'));
    void shutdown.track(job.promise.then(() => order.push('job finished')));

    const first = shutdown.shutdown('SIGTERM');
    const second = shutdown.shutdown('SIGINT');
    expect(shutdown.state).toBe('draining');
    expect(shutdown.inFlight).toBe(1);
    job.resolve();

    await expect(first).resolves.toBe(0);
    await expect(second).resolves.toBe(0);
    expect(order).toEqual(['job finished', 'database closed']);
    expect(exitCodes).toEqual([0]);
  });

  it('closes a server handed over after the drain began, e.g. when the signal came during start-up', async () => {
    const exitCodes: number[] = [];
    const startup = deferred();
    const shutdown = new ShutdownManager({
      logger: recordingLogger(),
      exit: (code) => exitCodes.push(code),
    });
    void shutdown.track(startup.promise);
    const done = shutdown.shutdown('SIGTERM');

    const server = http.createServer((_request, response) => response.end('late'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    shutdown.trackServer(server);
    startup.resolve();

    await expect(done).resolves.toBe(0);
    expect(server.listening).toBe(false);
    expect(exitCodes).toEqual([0]);
  });

  it('rejects bad options with the field and the rule', () => {
    expect(() => new ShutdownManager({ timeoutMs: 0 })).toThrow(
      'timeoutMs: must be a positive number of milliseconds, got 0',
    );
    expect(() => new ShutdownManager({ drainDelayMs: -5 })).toThrow(
      'drainDelayMs: must be zero or more milliseconds, got -5',
    );
    expect(() => new ShutdownManager().onClose('', () => undefined)).toThrow(
      'name: must be a non-empty string',
    );
  });
});
