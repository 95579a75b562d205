/*
 * The frontend's own route handlers (its proxy to the backend), imported as they run inside the
 * Next.js server, so the outage test can exercise them against a real backend that goes away.
 */
/* eslint-disable @nx/enforce-module-boundaries */
export { POST as registerRoute } from '../../../../apps/frontend/src/app/api/auth/register/route';
export { POST as loginRoute } from '../../../../apps/frontend/src/app/api/auth/login/route';
export {
  GET as listTasksRoute,
  POST as addTaskRoute,
} from '../../../../apps/frontend/src/app/api/tasks/route';
export { resetFrontendConfig } from '../../../../apps/frontend/src/server/config';
export { BACKEND_UNREACHABLE } from '../../../../apps/frontend/src/server/backend';
/* eslint-enable @nx/enforce-module-boundaries */
