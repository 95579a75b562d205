import cors from '@fastify/cors';
import helmet from 'helmet';
import rateLimit, { type RateLimitOptions, type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { Server } from 'node:http';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from './errors';

/** How many requests one client may make in a window before it gets 429. */
export interface RateLimitRule {
  max: number;
  timeWindowMs: number;
}

export interface HttpHardeningOptions {
  /** Origins a browser may call the API from (BACKEND_CORS_ORIGINS); all others get no CORS headers. */
  corsOrigins: readonly string[];
  /**
   * Where the rate limits count (see rate-limit-store.ts); the default, this process's memory,
   * suits one process: the embedded database's.
   */
  rateLimitStore?: RateLimitPluginOptions['store'];
  /** A handler that has not answered by then gets a 503 (the work itself may still finish). */
  handlerTimeoutMs?: number;
  /** The whole request, body included, must arrive within this (Node answers 408). */
  requestTimeoutMs?: number;
  /** The request headers must arrive within this (slow-header attacks; Node answers 408). */
  headersTimeoutMs?: number;
  /** Total size of the request line and headers (Node answers 431). */
  maxHeaderBytes?: number;
  /** Headers beyond this count are dropped by Node's parser. */
  maxHeaderCount?: number;
}

/**
 * The `config.rateLimit` of a route that `rule` limits, per client IP or, after authentication,
 * per signed-in user (people behind one NAT or one frontend pod then do not share a budget).
 * `counted` names what is counted in the 429 answer ("login attempts").
 */
export function routeRateLimit(
  rule: RateLimitRule,
  counted: string,
  per: 'ip' | 'user' = 'ip',
): RateLimitOptions {
  return {
    max: rule.max,
    timeWindow: rule.timeWindowMs,
    ...(per === 'user' && {
      hook: 'preHandler',
      keyGenerator: (request: FastifyRequest) => `user:${request.user?.id ?? request.ip}`,
    }),
    errorResponseBuilder: (request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      request.log.warn({ counted, limit: context.max }, 'rate limit exceeded');
      return new HttpError(
        429,
        `Too many ${counted}: at most ${context.max} per ${formatWindow(rule.timeWindowMs)}. Try again in ${seconds} seconds.`,
        { 'Retry-After': String(seconds) },
      );
    },
  };
}

export const HARDENING_DEFAULTS = {
  // Chat may wait on a model (OPENAI_TIMEOUT_MS, 30 s by default) for more than one round.
  handlerTimeoutMs: 60_000,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  maxHeaderBytes: 16 * 1024,
  maxHeaderCount: 100,
} as const;

// helmet's middleware is built once; @fastify/helmet rebuilt it, parsing every option, on each
// request (about 2% of the task list's CPU, measured side by side).
const securityHeaders = helmet({
  // The docs page (/docs) replaces this with its own policy (swagger-ui `staticCSP`).
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  // An API that browsers on other origins call through CORS must not be CORP same-origin.
  crossOriginResourcePolicy: { policy: 'same-site' },
});

/**
 * The headers the API's hooks give every answer, for the few that Fastify gives before any hook
 * runs (see unrouted.ts).
 */
export function applyApiHeaders(request: FastifyRequest, reply: FastifyReply): void {
  securityHeaders(request.raw, reply.raw, () => undefined);
  reply.header('cache-control', 'no-store').header('x-request-id', request.id);
}

/**
 * Security headers, CORS, rate limits, header-size limits and timeouts for the API, in one
 * place. Register before any route: the rate limits attach to routes as they are declared.
 */
const hardening: FastifyPluginAsync<HttpHardeningOptions> = async (app, options) => {
  const settings = { ...HARDENING_DEFAULTS, ...definedOnly(options) };

  // ── Headers: a JSON API is never framed, sniffed, cached or allowed to load anything. ────────
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined));
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    // Answers carry a user's tasks and conversation: no shared or browser cache may keep them.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  await app.register(cors, {
    origin: [...options.corsOrigins],
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    exposedHeaders: ['x-request-id', 'retry-after', 'www-authenticate'],
    maxAge: 600,
  });

  // ── Rate limits: routes that cost a password hash or a model call declare theirs. ───────────
  await app.register(rateLimit, {
    global: false,
    ...(options.rateLimitStore && { store: options.rateLimitStore }),
  });

  // ── Sizes and timeouts of the HTTP server itself (no effect on app.inject). ─────────────────
  // `maxHeaderSize` and `connectionsCheckingInterval` are createServer options that Node keeps on
  // the server and reads per connection / at listen, so setting them here, before listen, works.
  const server = app.server as Server & {
    maxHeaderSize?: number;
    connectionsCheckingInterval?: number;
  };
  server.maxHeaderSize = settings.maxHeaderBytes;
  server.maxHeadersCount = settings.maxHeaderCount;
  server.requestTimeout = settings.requestTimeoutMs;
  server.headersTimeout = Math.min(settings.headersTimeoutMs, settings.requestTimeoutMs);
  // Node checks both timeouts on this interval (30 s by default), which would let a slow client
  // hold a connection far past them.
  server.connectionsCheckingInterval = Math.max(
    50,
    Math.min(1000, Math.floor(server.headersTimeout / 4)),
  );

  // ── A handler that hangs (a stuck dependency) still gets an answer. ─────────────────────────
  app.addHook('onRequest', (request, reply, done) => {
    const timer = setTimeout(() => {
      if (reply.sent || reply.raw.headersSent) return;
      request.log.error(
        { timeoutMs: settings.handlerTimeoutMs, url: request.url },
        'request timed out before the handler answered',
      );
      void reply
        .code(503)
        .header('retry-after', '5')
        .send({
          detail: `The server did not finish this request within ${formatDuration(settings.handlerTimeoutMs)}. It may still complete: check before retrying.`,
        });
    }, settings.handlerTimeoutMs);
    timer.unref();
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  });
};

function definedOnly(options: HttpHardeningOptions): Partial<typeof HARDENING_DEFAULTS> {
  const keys = Object.keys(HARDENING_DEFAULTS) as (keyof typeof HARDENING_DEFAULTS)[];
  return Object.fromEntries(
    keys.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
  );
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} seconds`;
}

function formatWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`;
  return `${Math.round(ms / 1000)} seconds`;
}

export const httpHardening = fp(hardening, { name: 'http-hardening', fastify: '5.x' });
