import { HealthRegistry } from '@todo/health';
import { healthRouteHandlers, type HealthRouteHandlers } from '@todo/health/next';
import { checkBackendReachable } from './backend';
import { processShutdown } from './process-shutdown';

/**
 * One registry per process. Next bundles each route separately, so the instance hangs on
 * globalThis to be shared by /health and /ready.
 */
const holder = globalThis as typeof globalThis & { __todoFrontendHealth?: HealthRouteHandlers };

export function healthHandlers(): HealthRouteHandlers {
  if (!holder.__todoFrontendHealth) {
    const registry = new HealthRegistry().register({
      name: 'backend',
      // The pages still render (and explain the outage) without the backend, so this pod should
      // keep receiving traffic: reported, but not failing readiness.
      critical: false,
      timeoutMs: 2000,
      check: (signal) => checkBackendReachable(signal),
    });
    // Started through the standalone entry, readiness also fails while the process drains.
    holder.__todoFrontendHealth = healthRouteHandlers(registry, processShutdown());
  }
  return holder.__todoFrontendHealth;
}
