import type { AddressInfo } from 'node:net';
import { attachApp, listenEarly } from './early-listener';

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
