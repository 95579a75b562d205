/*
 * The one place this suite reaches into the backend app. It is a white-box reliability suite:
 * it drives the backend's own `buildApp` in process (app.inject, no ports) over the backend's own
 * test databases, exactly as the backend's integration tests do, so an app import is intended.
 */
/* eslint-disable @nx/enforce-module-boundaries */
export { buildApp, type BuildAppOptions } from '../../../../apps/backend/src/app';
export type { DatabaseHandle } from '../../../../apps/backend/src/db/client';
export { createLogger } from '../../../../apps/backend/src/logger';
export {
  LogCapture,
  signUp,
  testConfig,
  TEST_JWT_SECRET,
  type SignedIn,
} from '../../../../apps/backend/test/support/app';
export {
  openTestDatabase,
  testDriver,
  truncateAll,
} from '../../../../apps/backend/test/support/database';
export {
  startFakeOpenAIServer,
  textReply,
  toolCallsReply,
  type FakeOpenAIServer,
} from '../../../../apps/backend/test/support/fake-openai-server';
export { createDatabase } from '../../../../apps/backend/src/db/client';
/* eslint-enable @nx/enforce-module-boundaries */
