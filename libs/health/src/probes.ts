import type { HealthRegistry, HealthReport } from './registry';
import type { ShutdownManager, ShutdownState } from './shutdown';

export interface ProbeBody extends HealthReport {
  /** Shutdown state, present when a ShutdownManager is wired in. */
  state?: ShutdownState;
}

export interface ProbeResponse {
  statusCode: 200 | 503;
  body: ProbeBody;
}

/** Probe responses must never be served from a cache. */
export const PROBE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
} as const;

/**
 * Liveness: 200 as long as the event loop answers, including while draining — restarting a pod
 * that is shutting down cleanly would drop the very requests the drain protects. Synchronous:
 * it consults nothing, and it is the most frequent request a pod serves.
 */
export function evaluateLiveness(
  registry: HealthRegistry,
  shutdown?: ShutdownManager,
): ProbeResponse {
  return { statusCode: 200, body: withState(registry.liveness(), shutdown) };
}

/**
 * Readiness: 503 at once while draining or stopped (checks are not even run: the answer cannot
 * change), otherwise 503 when a critical check fails.
 */
export async function evaluateReadiness(
  registry: HealthRegistry,
  shutdown?: ShutdownManager,
): Promise<ProbeResponse> {
  if (shutdown && !shutdown.isServing) {
    return { statusCode: 503, body: { status: 'error', checks: {}, state: shutdown.state } };
  }
  const report = await registry.readiness();
  // The drain may have started while the checks ran.
  const serving = !shutdown || shutdown.isServing;
  const ok = report.status === 'ok' && serving;
  return {
    statusCode: ok ? 200 : 503,
    body: withState({ ...report, status: ok ? 'ok' : 'error' }, shutdown),
  };
}

function withState(report: HealthReport, shutdown?: ShutdownManager): ProbeBody {
  return shutdown ? { ...report, state: shutdown.state } : report;
}
