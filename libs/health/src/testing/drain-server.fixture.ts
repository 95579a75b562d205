// A real backend-shaped process for the signal tests: Fastify + pino + ShutdownManager with the
// default process.exit. Run with `node --import tsx`. Protocol: JSON lines on stdout (pino's and
// `event` lines); a line `release` on stdin lets the pending /slow request answer.
import Fastify from 'fastify';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { HealthRegistry, ShutdownManager, healthPlugin } from '../index';

const logger = pino({ base: null });
// `seq` records call order: pino may hand lines to stdout out of order when a write is pending.
let seq = 0;
const emit = (event: string, extra: object = {}) =>
  logger.info({ event, seq: ++seq, ...extra }, event);

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
  // 'close', not 'finish': the client may close its end before the server sees its own write
  // complete, and 'close' is what the drain waits for. `ended` tells a complete answer from a cut one.
  reply.raw.once('close', () => emit('slow closed', { ended: reply.raw.writableEnded }));
  emit('slow started');
  await slowReleased;
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
