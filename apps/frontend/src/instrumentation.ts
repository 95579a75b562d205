import { frontendEnvSchema, loadConfigOrExit } from '@todo/config';

/**
 * Runs once when the server starts: a bad environment variable stops start-up with one line
 * naming it and the rule it broke, instead of failing on the first request.
 */
export function register(): void {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  loadConfigOrExit(frontendEnvSchema, process.env);
}
