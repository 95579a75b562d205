/**
 * The standalone `server.js`: wraps the server Next generates (renamed `next-server.js` by
 * scripts/assemble-standalone.mjs) with the workspace's graceful shutdown. On SIGTERM/SIGINT,
 * /ready answers 503 at once, the server stops accepting connections, requests in flight finish
 * (up to SHUTDOWN_TIMEOUT_MS), then the process exits — Next's own handler would exit at once.
 */
import { frontendEnvSchema, loadConfigOrExit, redactConfig } from '@todo/config';
import { ShutdownManager } from '@todo/health';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import pino from 'pino';
import { setProcessShutdown } from './process-shutdown';

const config = loadConfigOrExit(frontendEnvSchema, process.env);
// JSON lines on stdout, like the backend's, so the cluster's log pipeline reads both the same way.
const logger = pino({ name: 'frontend', level: config.LOG_LEVEL });
const shutdown = new ShutdownManager({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS, logger });
setProcessShutdown(shutdown);

// Next creates its HTTP server internally; follow every server it creates so in-flight requests
// are counted and idle keep-alive sockets are closed when draining.
const createServer = http.createServer;
http.createServer = function createTrackedServer(this: unknown, ...args: unknown[]) {
  const server = (createServer as (...a: unknown[]) => http.Server).apply(this, args);
  shutdown.trackServer(server);
  return server;
} as typeof http.createServer;

// Tells Next to leave SIGTERM/SIGINT to us.
process.env.NEXT_MANUAL_SIG_HANDLE = 'true';
shutdown.listen();

logger.info({ config: redactConfig(frontendEnvSchema, config) }, 'frontend starting');
createRequire(__filename)(path.join(__dirname, 'next-server.js'));
