import { backendEnvSchema, loadConfigOrExit, redactConfig } from '@todo/config';
import { ShutdownManager } from '@todo/health';
import type { RequestListener } from 'node:http';
import { createDatabase, type DatabaseConfig, type DatabaseHandle } from './db/client';
import { isDatabaseUnavailable, unavailableReason } from './db/errors';
import { attachApp, listenEarly } from './http/early-listener';
import { createLogger } from './logger';

const DATABASE_WAIT_MS = 60_000;

/**
 * Opens (and migrates) the database, waiting up to a minute for a PostgreSQL that is not up yet —
 * deployed together, the backend often starts first — instead of crash-looping.
 */
async function openDatabase(
  config: DatabaseConfig,
  logger: ReturnType<typeof createLogger>,
  shutdown: ShutdownManager,
): Promise<DatabaseHandle> {
  const deadline = Date.now() + DATABASE_WAIT_MS;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await createDatabase(config, {
        onPoolError: (err) => logger.warn({ err }, 'database connection lost'),
        // Another process may now write the same folder: stop, as the kubelet would restart us.
        onLockLost: (err) => {
          logger.fatal({ reason: err.message }, 'lost the lock on DATA_DIR; stopping');
          process.kill(process.pid, 'SIGTERM');
        },
      });
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + delay > deadline || !shutdown.isServing)
        throw error;
      logger.warn(
        {
          reason: unavailableReason(error),
          retry_in_ms: delay,
          gives_up_in_ms: Math.max(0, deadline - Date.now()),
        },
        'database not reachable yet; retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Entry point: configuration → listen (probes only) → database (migrated), while the app's modules
 * load → app. SIGTERM/SIGINT turn readiness to 503 at once, let in-flight requests finish, close
 * the server and the pool, then exit 0.
 */
async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfigOrExit(backendEnvSchema);
  const logger = createLogger(config.LOG_LEVEL);
  logger.info({ config: redactConfig(backendEnvSchema, config) }, 'starting backend');

  const shutdown = new ShutdownManager({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS, logger });
  shutdown.listen();

  // Liveness answers from the first moment; readiness stays 503 until the database is open.
  const server = await listenEarly(config.PORT, config.HOST);
  shutdown.trackServer(server);
  logger.info({ port: config.PORT }, 'listening; opening the database');

  // The app's modules (Fastify and its plugins, the routes, the OpenAPI document's libraries, the
  // model client) load while the database opens: while PGlite's engine compiles on V8's
  // background threads (db/client.ts) or PostgreSQL answers. /ready still waits for both.
  const [database, { buildApp }] = await Promise.all([
    openDatabase(config, logger, shutdown),
    import('./app'),
  ]);
  // Registered first, so it runs last: the server and the app close before the pool does.
  shutdown.onClose('database', () => database.close());

  let handler: RequestListener | undefined;
  const app = await buildApp({
    config,
    database,
    logger,
    shutdown,
    server: { instance: server, onHandler: (h) => (handler = h) },
  });
  shutdown.onClose('http', () => app.close());
  await app.ready();
  if (!handler) throw new Error('the app did not hand over its request handler');
  attachApp(server, handler);

  logger.info(
    {
      url: `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`,
      database: database.driver,
      startup_ms: Math.round(performance.now() - started),
    },
    'backend ready',
  );
}

main().catch((error: unknown) => {
  // Start-up failures (database unreachable, port taken) get one clear line, then exit 1.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`backend failed to start: ${message}\n`);
  process.exit(1);
});
