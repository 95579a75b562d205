import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { MAX_PATH_PARAMETER_UNITS, rootResponseSchema } from '@todo/api-contract';
import type { BackendConfig } from '@todo/config';
import { healthPlugin, type ShutdownManager } from '@todo/health';
import authPlugin from './auth/plugin';
import { authRoutes } from './auth/routes';
import { chatRoutes } from './chat/routes';
import { createDatabase, type DatabaseHandle } from './db/client';
import { installErrorHandling } from './http/error-handler';
import { applyApiHeaders, httpHardening, type HttpHardeningOptions } from './http/hardening';
import { openApiRoutes } from './http/openapi';
import { postgresRateLimitStore } from './http/rate-limit-store';
import { serializerCompiler } from './http/serializer';
import { frameworkErrorHandler, unroutedHandler } from './http/unrouted';
import { createLogger } from './logger';
import { mcpRoutes } from './mcp/routes';
import { createServices } from './services';
import { taskRoutes } from './tasks/routes';
import { APP_VERSION } from './version';

export interface BuildAppOptions {
  config: Readonly<BackendConfig>;
  /** An open database; when omitted one is opened from `config` and closed with the app. */
  database?: DatabaseHandle;
  /** A pino logger; defaults to JSON on stdout at LOG_LEVEL. */
  logger?: Logger;
  /** When given, /ready turns 503 as soon as a shutdown starts. */
  shutdown?: ShutdownManager;
  /**
   * A server that already listens (see http/early-listener.ts): Fastify serves through it instead
   * of creating its own, and `onHandler` receives the request handler to attach once the app is ready.
   */
  server?: { instance: Server; onHandler: (handler: RequestListener) => void };
  /** Overrides of the size limits and timeouts (tests, benchmarks). */
  http?: Partial<Omit<HttpHardeningOptions, 'corsOrigins' | 'rateLimitStore'>>;
}

export const MAX_BODY_BYTES = 1024 * 1024;
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Reuses a caller's X-Request-Id when it is sane, so logs line up across services. */
function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Builds the whole API without listening: `main.ts` listens, tests call `app.inject()`. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, server } = options;
  const app = Fastify({
    loggerInstance: (options.logger ?? createLogger(config.LOG_LEVEL)) as FastifyBaseLogger,
    bodyLimit: MAX_BODY_BYTES,
    genReqId: requestId,
    requestIdHeader: false,
    trustProxy: config.TRUST_PROXY,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_PARAMETER_UNITS },
    frameworkErrors: frameworkErrorHandler(applyApiHeaders, MAX_PATH_PARAMETER_UNITS),
    // JSON with a "__proto__" or "constructor.prototype" key is still JSON: the key goes, as any
    // key the schema does not name is ignored, instead of failing the request as "not JSON".
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    ...(server && {
      serverFactory: (handler: RequestListener) => {
        server.onHandler(handler);
        return server.instance;
      },
    }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const unrouted = unroutedHandler(app);
  installErrorHandling(app, unrouted);

  const database =
    options.database ??
    (await createDatabase(config, {
      onPoolError: (err) => app.log.warn({ err }, 'database connection lost'),
    }));
  if (!options.database) app.addHook('onClose', () => database.close());
  const { users, tasks, tokens, lockout, rateLimits, health, shared } = createServices(
    config,
    database,
    app.log,
  );

  // At the root so that the returned instance offers authenticate/verifyAccessToken too.
  await app.register(authPlugin, { tokens, users });
  // Probes sit at the root, outside the API scope below: the kubelet's requests skip the API's
  // hooks (security headers, CORS, rate limits, request-id header) and stay as cheap as possible.
  await app.register(healthPlugin, { registry: health, shutdown: options.shutdown });

  // Everything a client calls lives in one encapsulated scope whose hooks apply to it alone.
  await app.register(async function api(api) {
    api.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id);
      done();
    });
    // Here, not at the root: answers to unknown paths and methods get this scope's hooks too.
    api.setNotFoundHandler(unrouted);
    await api.register(httpHardening, {
      corsOrigins: config.BACKEND_CORS_ORIGINS,
      ...(shared && { rateLimitStore: postgresRateLimitStore(database.db) }),
      ...options.http,
    });
    await api.register(openApiRoutes);
    api.get(
      '/',
      {
        schema: {
          operationId: 'getServiceInfo',
          summary: 'Service information',
          security: [],
          response: { 200: rootResponseSchema },
        },
      },
      async () => ({ message: 'Todo API', version: APP_VERSION, docs: '/docs' }),
    );
    await api.register(authRoutes, { users, tokens, lockout, rateLimits });
    await api.register(taskRoutes, { tasks });
    await api.register(chatRoutes, { db: database.db, tasks, config, rateLimit: rateLimits.chat });
    await api.register(mcpRoutes, {
      tasks,
      allowedOrigins: [...config.BACKEND_CORS_ORIGINS, ...config.MCP_ALLOWED_ORIGINS],
    });
  });

  return app;
}
