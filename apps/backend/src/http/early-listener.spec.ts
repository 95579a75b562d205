import type { AddressInfo } from 'node:net';
import { ShutdownManager } from '@todo/health';
import { attachApp, listenEarly } from './early-listener';

const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('early listener', () => {
  it('answers liveness at once, refuses work while starting, then hands the port to the app', async () => {
    const server = await listenEarly(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', state: 'starting' });

      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: 'error',
        checks: { database: { status: 'error', error: 'starting' } },
      });

      const api = await fetch(`${base}/api/auth/login`, { method: 'POST', body: '{}' });
      expect(api.status).toBe(503);
      expect(api.headers.get('retry-after')).toBe('1');
      expect((await api.json()).detail).toMatch(/starting/);

      attachApp(server, (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"status":"ok","state":"serving"}');
      });
      const after = await fetch(`${base}/ready`);
      expect(after.status).toBe(200);
      expect(await after.json()).toEqual({ status: 'ok', state: 'serving' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('hands over without dropping the shutdown manager, which drains the app with Connection: close', async () => {
    const server = await listenEarly(0, '127.0.0.1');
    const shutdown = new ShutdownManager({ exit: () => undefined, logger: quietLogger });
    shutdown.trackServer(server);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    attachApp(server, (_request, response) => {
      void released.then(() => response.end('{}'));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const slow = fetch(`${base}/slow`);
    while (shutdown.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const exitCode = shutdown.shutdown('SIGTERM');
    release();
    expect((await slow).headers.get('connection')).toBe('close');
    await expect(exitCode).resolves.toBe(0);
  });

  it('fails clearly when the port is taken', async () => {
    const first = await listenEarly(0, '127.0.0.1');
    try {
      await expect(listenEarly((first.address() as AddressInfo).port, '127.0.0.1')).rejects.toThrow(
        /EADDRINUSE/,
      );
    } finally {
      await new Promise((resolve) => first.close(resolve));
    }
  });
});
