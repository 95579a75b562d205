import { frontendEnvSchema, loadConfig, type FrontendConfig } from '@todo/config';

let cached: Readonly<FrontendConfig> | undefined;

/**
 * The server's configuration, read from the environment of the running process on first use —
 * never at build time — so one build runs against any BACKEND_URL.
 */
export function frontendConfig(): Readonly<FrontendConfig> {
  cached ??= loadConfig(frontendEnvSchema, process.env);
  return cached;
}

/** For tests: forget the cached configuration so the next call reads the environment again. */
export function resetFrontendConfig(): void {
  cached = undefined;
}
