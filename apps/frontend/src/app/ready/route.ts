import { healthHandlers } from '../../server/health';

export const dynamic = 'force-dynamic';

/** Readiness, with the backend's reachability reported as a non-critical check. */
export function GET(): Promise<Response> {
  return healthHandlers().ready.GET();
}
