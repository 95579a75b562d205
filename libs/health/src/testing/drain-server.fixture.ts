// A real backend-shaped process for the signal tests: Fastify + pino + ShutdownManager with the
// default process.exit. Run with `node --import tsx`. Protocol: JSON lines on stdout (pino's and
// `event` lines); a line `release` on stdin lets the pending /slow request answer.
import Fastify from 'fastify';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { HealthRegistry, ShutdownManager, healthPlugin } from '../index';

const logger = pino({ base: null });
const emit = (event: string, extra: object = {}) => logger.info({ event, ...extra }, event);

const shutdown = new ShutdownManager({
  timeoutMs: Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 5000),
  logger,
});
const registry = new HealthRegistry().register({ name: 'database', check: () => undefined });
const app = Fastify();

let releaseSlow!: () => void;
const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'release') releaseSlow();
});

app.get('/slow', async (_request, reply) => {
  emit('slow started');
  await slowReleased;
  reply.raw.once('finish', () => emit('slow finished'));
  return { done: true };
});

async function main(): Promise<void> {
  await app.register(healthPlugin, { registry, shutdown });
  shutdown.trackServer(app.server);
  shutdown.onClose('database', () => emit('hook database'));
  shutdown.onClose('http', async () => {
    await app.close();
    emit('hook http');
  });
  shutdown.listen();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  emit('listening', { port: typeof address === 'object' && address ? address.port : 0 });
}

void main();
