import path from 'node:path';

export const workspaceRoot = path.resolve(__dirname, '../../..');
/** Logs, screenshots, traces and the HTML report of the browser tests. */
export const artifactsDir = path.join(workspaceRoot, 'dist/.playwright/apps/frontend-e2e');
// Overridable to test another build (e.g. an unpacked image) against the same flows.
export const backendEntry = path.resolve(
  process.env.E2E_BACKEND_ENTRY ?? path.join(workspaceRoot, 'dist/apps/backend/main.js'),
);
export const frontendEntry = path.resolve(
  process.env.E2E_FRONTEND_ENTRY ??
    path.join(workspaceRoot, 'dist/apps/frontend/apps/frontend/server.js'),
);

/** The environment without anything that would point the apps elsewhere or at a hosted model. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of [
    'DATABASE_URL',
    'OPENAI_API_KEY',
    'OPENROUTER_API_KEY',
    'OPENAI_BASE_URL',
    'BACKEND_URL',
    'PORT',
    'HOST',
    'HOSTNAME',
  ]) {
    delete env[key];
  }
  return env;
}
