import type { FastifyPluginAsync, LogLevel } from 'fastify';
import fp from 'fastify-plugin';
import { evaluateLiveness, evaluateReadiness, PROBE_HEADERS, type ProbeResponse } from './probes';
import type { HealthRegistry } from './registry';
import type { ShutdownManager, ShutdownState } from './shutdown';

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

  // Probes log only problems (logLevel). Fastify would still build a child logger per request,
  // at that level, for the most frequent request a pod serves: the probes share one instead,
  // so their log lines carry no request id.
  await fastify.register(async function probes(scope) {
    const probeLogger = scope.log.child({}, { level: logLevel });
    scope.setChildLoggerFactory(() => probeLogger);

    // Liveness depends on nothing but the shutdown state, so each answer is built and serialised
    // once per state: doing it per request cost about a fifth of the busiest route's throughput.
    // Not async either: each promise hop shows on this route.
    const livenessAnswers = new Map<ShutdownState | undefined, ReturnType<typeof send>>();
    scope.get(options.healthPath ?? '/health', (_request, reply) => {
      const state = shutdown?.state;
      let answer = livenessAnswers.get(state);
      if (!answer) {
        answer = send(evaluateLiveness(registry, shutdown));
        livenessAnswers.set(state, answer);
      }
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    });

    scope.get(options.readyPath ?? '/ready', async (_request, reply) => {
      const { status, headers, body } = send(await evaluateReadiness(registry, shutdown));
      return reply.code(status).headers(headers).send(body);
    });
  });
};

/** Serves GET /health (liveness) and GET /ready (readiness) at the root of the app. */
export const healthPlugin = fp(healthPluginAsync, {
  fastify: '5.x',
  name: '@todo/health',
});
