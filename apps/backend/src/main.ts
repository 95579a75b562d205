import { backendEnvSchema, loadConfigOrExit, redactConfig } from '@todo/config';
import { ShutdownManager } from '@todo/health';
import { buildApp } from './app';
import { createDatabase } from './db/client';
import { createLogger } from './logger';

/**
 * Entry point: configuration → database (migrated) → app → listen. SIGTERM/SIGINT turn readiness
 * to 503 at once, let in-flight requests finish, close the server and the pool, then exit 0.
 */
async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfigOrExit(backendEnvSchema);
  const logger = createLogger(config.LOG_LEVEL);
  logger.info({ config: redactConfig(backendEnvSchema, config) }, 'starting backend');

  const shutdown = new ShutdownManager({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS, logger });
  shutdown.listen();

  const database = await createDatabase(config, {
    onPoolError: (err) => logger.warn({ err }, 'database connection lost'),
  });
  // Registered first, so it runs last: the server and the app close before the pool does.
  shutdown.onClose('database', () => database.close());

  const app = await buildApp({ config, database, logger, shutdown });
  shutdown.onClose('http', () => app.close());
  await app.listen({ port: config.PORT, host: config.HOST });
  shutdown.trackServer(app.server);

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
