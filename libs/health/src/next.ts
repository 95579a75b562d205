import { evaluateLiveness, evaluateReadiness, PROBE_HEADERS, type ProbeResponse } from './probes';
import type { HealthRegistry } from './registry';
import type { ShutdownManager } from './shutdown';

export type RouteHandler = (request?: Request) => Promise<Response>;

export interface HealthRouteHandlers {
  /** `app/health/route.ts`: `export const { GET } = handlers.health` */
  health: { GET: RouteHandler };
  /** `app/ready/route.ts`: `export const { GET } = handlers.ready` */
  ready: { GET: RouteHandler };
}

function toResponse(probe: ProbeResponse): Response {
  return new Response(JSON.stringify(probe.body), {
    status: probe.statusCode,
    headers: PROBE_HEADERS,
  });
}

/**
 * Next.js App Router route handlers built on the standard Response, so the library needs no
 * dependency on `next` itself.
 */
export function healthRouteHandlers(
  registry: HealthRegistry,
  shutdown?: ShutdownManager,
): HealthRouteHandlers {
  return {
    health: { GET: async () => toResponse(evaluateLiveness(registry, shutdown)) },
    ready: { GET: async () => toResponse(await evaluateReadiness(registry, shutdown)) },
  };
}

export { evaluateLiveness, evaluateReadiness } from './probes';
