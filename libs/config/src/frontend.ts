import { z } from 'zod';
import { int, oneOf, port, str, url } from './env';
import { LOG_LEVELS, NODE_ENVS } from './backend';

/** The frontend server's environment, read at run time (nothing is baked into the build). */
export const frontendEnvSchema = z.object({
  NODE_ENV: oneOf(NODE_ENVS, 'development', 'Runtime mode.'),
  PORT: port(3000, 'TCP port of the Next.js server.'),
  HOSTNAME: str({ default: '0.0.0.0', description: 'Interface the Next.js server binds to.' }),
  BACKEND_URL: url({
    default: 'http://localhost:8000',
    description: 'Base URL of the backend API, reached by the frontend server only.',
  }),
  BACKEND_TIMEOUT_MS: int({
    default: 15000,
    min: 100,
    max: 120000,
    description: 'Timeout of one proxied backend request.',
  }),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info', 'Minimum level of the JSON logs.'),
  SHUTDOWN_TIMEOUT_MS: int({
    default: 10000,
    min: 0,
    max: 120000,
    description: 'How long in-flight requests may finish after SIGTERM.',
  }),
});

export type FrontendConfig = z.output<typeof frontendEnvSchema>;
