import type { FastifyPluginAsync, LogLevel } from 'fastify';
import fp from 'fastify-plugin';
import { evaluateLiveness, evaluateReadiness, PROBE_HEADERS, type ProbeResponse } from './probes';
import type { HealthRegistry } from './registry';
import type { ShutdownManager } from './shutdown';

export interface HealthPluginOptions {
  registry: HealthRegistry;
  /** Without it /ready only reflects the checks. */
  shutdown?: ShutdownManager;
  /** Default `/health`. */
  healthPath?: string;
  /** Default `/ready`. */
  readyPath?: string;
  /**
   * Log level of the probe routes. Default `warn`: kubelet probes every few seconds and would
   * otherwise drown the request log.
   */
  logLevel?: LogLevel;
}

const healthPluginAsync: FastifyPluginAsync<HealthPluginOptions> = async (fastify, options) => {
  const { registry, shutdown } = options;
  if (!registry) throw new TypeError('registry: a HealthRegistry is required by healthPlugin');
  const logLevel: LogLevel = options.logLevel ?? 'warn';

  const send = (probe: ProbeResponse) => ({
    status: probe.statusCode,
    headers: PROBE_HEADERS,
    body: JSON.stringify(probe.body),
  });

  // Not async: liveness waits on nothing, and each promise hop shows on the busiest route.
  fastify.get(options.healthPath ?? '/health', { logLevel }, (_request, reply) => {
    const { status, headers, body } = send(evaluateLiveness(registry, shutdown));
    return reply.code(status).headers(headers).send(body);
  });

  fastify.get(options.readyPath ?? '/ready', { logLevel }, async (_request, reply) => {
    const { status, headers, body } = send(await evaluateReadiness(registry, shutdown));
    return reply.code(status).headers(headers).send(body);
  });
};

/** Serves GET /health (liveness) and GET /ready (readiness) at the root of the app. */
export const healthPlugin = fp(healthPluginAsync, {
  fastify: '5.x',
  name: '@todo/health',
});
