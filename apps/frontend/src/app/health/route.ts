import { healthHandlers } from '../../server/health';

export const dynamic = 'force-dynamic';

/** Liveness: the server answers. Never checks the backend. */
export function GET(): Promise<Response> {
  return healthHandlers().health.GET();
}
