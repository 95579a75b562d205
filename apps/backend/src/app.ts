import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { rootResponseSchema } from '@todo/api-contract';
import type { BackendConfig } from '@todo/config';
import { HealthRegistry, healthPlugin, type ShutdownManager } from '@todo/health';
import authPlugin from './auth/plugin';
import { MemoryLoginLockout, PostgresLoginLockout } from './auth/lockout';
import { authRoutes } from './auth/routes';
import { TokenService } from './auth/tokens';
import { UserService } from './auth/users';
import { chatRoutes } from './chat/routes';
import { createDatabase, type Database, type DatabaseHandle } from './db/client';
import { installErrorHandling } from './http/error-handler';
import { serializerCompiler } from './http/serializer';
import {
  applyApiHeaders,
  httpHardening,
  type HttpHardeningOptions,
  type RateLimitRule,
} from './http/hardening';
import { postgresRateLimitStore } from './http/rate-limit-store';
import { openApiDocument } from './http/openapi';
import { frameworkErrorHandler, unroutedHandler } from './http/unrouted';
import { createLogger } from './logger';
import { mcpRoutes } from './mcp/routes';
import { taskRoutes } from './tasks/routes';
import { TaskService } from './tasks/service';
import { APP_VERSION } from './version';

declare module 'fastify' {
  interface FastifyInstance {
    config: Readonly<BackendConfig>;
    /** The Drizzle database (either driver). */
    db: Database;
    tasks: TaskService;
    users: UserService;
    health: HealthRegistry;
  }
}

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
/** Fastify's default, stated so that the 414 answer can name it. */
const MAX_PARAM_LENGTH = 100;
const READINESS_TIMEOUT_MS = 2000;
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * In the esbuild bundle swagger-ui's own `static/` folder is not beside its code any more; the
 * build copies it next to main.js. From source the package finds its files itself.
 */
function bundledSwaggerAssets(): string | undefined {
  const folder = join(__dirname, 'static');
  return existsSync(join(folder, 'swagger-ui-bundle.js')) ? folder : undefined;
}

/** Reuses a caller's X-Request-Id when it is sane, so logs line up across services. */
function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Builds the whole API without listening: `main.ts` listens, tests call `app.inject()`. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);

  const { server } = options;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: MAX_BODY_BYTES,
    genReqId: requestId,
    requestIdHeader: false,
    trustProxy: config.TRUST_PROXY,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler(applyApiHeaders, MAX_PARAM_LENGTH),
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

  let jwtSecret = config.JWT_SECRET_KEY;
  if (!jwtSecret) {
    // Only reachable outside production (the config schema requires the key there).
    jwtSecret = randomBytes(32).toString('base64url');
    app.log.warn(
      'JWT_SECRET_KEY is not set: using a random key for this process only; tokens stop working on restart',
    );
  }

  const users = new UserService(database.db);
  const tasks = new TaskService(database);
  const tokens = new TokenService(jwtSecret, config.ACCESS_TOKEN_EXPIRE_DAYS);
  // On PostgreSQL every replica counts login failures and rate limits in the same tables; the
  // embedded database has one process, whose memory is enough.
  const shared = database.driver === 'postgres';
  const lockout = shared
    ? new PostgresLoginLockout(database.db, config.MAX_LOGIN_ATTEMPTS, config.LOGIN_LOCKOUT_TIME)
    : new MemoryLoginLockout(config.MAX_LOGIN_ATTEMPTS, config.LOGIN_LOCKOUT_TIME);
  const perMinute = (max: number): RateLimitRule => ({ max, timeWindowMs: 60_000 });
  const rateLimits = {
    login: perMinute(config.LOGIN_RATE_LIMIT),
    register: perMinute(config.REGISTER_RATE_LIMIT),
    chat: perMinute(config.CHAT_RATE_LIMIT),
  };

  const health = new HealthRegistry();
  health.register({
    name: 'database',
    critical: true,
    timeoutMs: READINESS_TIMEOUT_MS,
    check: () => database.ping(),
  });

  app.decorate('config', config);
  app.decorate('db', database.db);
  app.decorate('tasks', tasks);
  app.decorate('users', users);
  app.decorate('health', health);

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

    // Security headers, CORS, rate limits, size limits, timeouts (src/http/hardening.ts).
    await api.register(httpHardening, {
      corsOrigins: config.BACKEND_CORS_ORIGINS,
      ...(shared && { rateLimitStore: postgresRateLimitStore(database.db) }),
      ...options.http,
    });

    await api.register(swagger, {
      openapi: {
        info: {
          title: 'Todo API',
          description: 'Tasks, authentication and the AI task assistant',
          version: APP_VERSION,
          license: { name: 'MIT', url: 'https://spdx.org/licenses/MIT.html' },
        },
        // Relative: the API answers on whatever host and port serve this document.
        servers: [{ url: '/', description: 'The server that serves this document' }],
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: openApiDocument,
    });
    await api.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      baseDir: bundledSwaggerAssets(),
    });
    api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());

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

    // ── Chat and MCP routes (src/chat/**, src/mcp/**) register here. ─────────────────────────────
    // Available to them: api.authenticate (route hook), api.verifyAccessToken(token), api.tasks,
    // api.users, api.db, api.config, api.log (`api` is this scope; the same decorators exist on
    // the returned root instance).
    await api.register(chatRoutes, {
      db: database.db,
      tasks,
      config,
      rateLimit: rateLimits.chat,
    });
    await api.register(mcpRoutes, {
      tasks,
      allowedOrigins: [...config.BACKEND_CORS_ORIGINS, ...config.MCP_ALLOWED_ORIGINS],
    });
    // ── end of chat and MCP routes ──────────────────────────────────────────────────────────────
  });

  return app;
}
