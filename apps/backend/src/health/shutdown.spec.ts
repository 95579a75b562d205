import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShutdownManager } from '@todo/health';
import { buildApp } from '../app';
import { createLogger } from '../logger';
import { LogCapture, signUp, testConfig } from '../../test/support/app';
import { openTestDatabase, truncateAll } from '../../test/support/database';

describe('graceful shutdown', () => {
  it('on SIGTERM: readiness 503 at once, the in-flight request completes, the pool closes, exit 0', async () => {
    const database = await openTestDatabase();
    await truncateAll(database);
    let poolClosed = false;
    const handle = { ...database, close: async () => ((poolClosed = true), database.close()) };
    const logger = createLogger('info', new LogCapture());
    const exitCodes: number[] = [];
    const shutdown = new ShutdownManager({
      timeoutMs: 10_000,
      logger,
      exit: (code) => exitCodes.push(code),
    });
    const app = await buildApp({ config: testConfig(), database: handle, logger, shutdown });
    shutdown.onClose('database', () => handle.close());
    shutdown.onClose('http', () => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    shutdown.trackServer(app.server);
    const { port } = app.server.address() as AddressInfo;
    const me = await signUp(app);

    // A request whose body is still arriving when the signal comes: accepted, so it must finish.
    const body = JSON.stringify({ title: 'written during shutdown' });
    let finishBody: () => void = () => undefined;
    const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: `/api/${me.user.id}/tasks`,
          headers: {
            ...me.headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      finishBody = () => req.end(body.slice(10));
    });
    while (shutdown.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 10));

    const stopped = shutdown.shutdown('SIGTERM');
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(503);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect(poolClosed).toBe(false);

    finishBody();
    const answer = await inFlight;
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body).title).toBe('written during shutdown');

    await expect(stopped).resolves.toBe(0);
    expect(exitCodes).toEqual([0]);
    expect(poolClosed).toBe(true);
    expect(shutdown.state).toBe('stopped');
  });
});
