import Fastify from 'fastify';
import http from 'node:http';
import { ShutdownManager } from './libs/health/src/index';
const get = (port: number, path: string, agent: http.Agent | false) => new Promise<any>((resolve, reject) => {
  const r = http.get({ host: '127.0.0.1', port, path, agent }, (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, socket: r.socket })); });
  r.on('error', reject);
});
(async () => {
  const shutdown = new ShutdownManager({ timeoutMs: 5000, exit: (c) => console.log('exit', c) });
  const app = Fastify();
  app.get('/health', async () => ({ ok: 1 }));
  app.get('/slow', async () => { await new Promise((r) => setTimeout(r, 1000)); return { done: true }; });
  shutdown.trackServer(app.server);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as any).port;
  const idleAgent = new http.Agent({ keepAlive: true });
  const idle = await get(port, '/health', idleAgent);
  console.log('idle', idle.status);
  const slow = get(port, '/slow', new http.Agent({ keepAlive: true })).then((r) => console.log('slow', r.status, r.headers.connection), (e) => console.log('slow err', e.message));
  await new Promise((r) => setTimeout(r, 100));
  void shutdown.shutdown('SIGTERM');
  await new Promise((r) => setTimeout(r, 100));
  await get(port, '/health', false).then((r) => console.log('fresh', r.status), (e) => console.log('fresh err', e.code, e.message));
  await get(port, '/health', idleAgent).then((r) => console.log('reuse', r.status, r.headers.connection), (e) => console.log('reuse err', e.code, e.message));
  await slow;
})();
