import { z } from 'zod';
import { bool, int, oneOf, origins, port, secret, str, url } from './env';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const NODE_ENVS = ['development', 'production', 'test'] as const;

/** The backend's environment. Descriptions feed docs/deployment/configuration.md. */
export const backendEnvSchema = z
  .object({
    NODE_ENV: oneOf(
      NODE_ENVS,
      'development',
      'Runtime mode; `production` requires JWT_SECRET_KEY.',
    ),
    PORT: port(8000, 'TCP port the API listens on.'),
    HOST: str({ default: '0.0.0.0', description: 'Interface the API binds to.' }),
    DATABASE_URL: secret(
      url({
        protocols: ['postgres', 'postgresql'],
        optional: true,
        description: 'PostgreSQL connection string; unset → embedded PGlite database in DATA_DIR.',
      }),
    ),
    DATA_DIR: str({
      default: '.data/backend',
      description:
        'Directory of the embedded database (used only without DATABASE_URL); `memory://` keeps it in memory.',
    }),
    DATABASE_POOL_SIZE: int({
      default: 10,
      min: 1,
      max: 100,
      description: 'PostgreSQL connection pool size.',
    }),
    JWT_SECRET_KEY: secret(
      str({
        optional: true,
        description:
          'HMAC key for access tokens (≥32 characters). Required in production; a random per-process key otherwise.',
      }),
    ),
    JWT_ALGORITHM: oneOf(['HS256'], 'HS256', 'JWT signing algorithm (pinned).'),
    ACCESS_TOKEN_EXPIRE_DAYS: int({
      default: 7,
      min: 1,
      max: 365,
      description: 'Lifetime of an access token in days.',
    }),
    BACKEND_CORS_ORIGINS: origins(
      ['http://localhost:3000'],
      'Comma-separated origins allowed by CORS.',
    ),
    MCP_ALLOWED_ORIGINS: origins(
      [],
      'Comma-separated origins whose pages may call /mcp, besides BACKEND_CORS_ORIGINS and any http(s)://localhost, 127.0.0.1 or [::1] port; a request with another Origin gets 403.',
    ),
    LOG_LEVEL: oneOf(LOG_LEVELS, 'info', 'Minimum level of the JSON logs.'),
    OPENAI_API_KEY: secret(
      str({
        optional: true,
        description: 'Key for an OpenAI-compatible model; unset → built-in command interpreter.',
      }),
    ),
    OPENROUTER_API_KEY: secret(
      str({ optional: true, description: 'Accepted instead of OPENAI_API_KEY (OpenRouter).' }),
    ),
    OPENAI_BASE_URL: url({
      optional: true,
      description: 'Base URL of the OpenAI-compatible API (e.g. https://openrouter.ai/api/v1).',
    }),
    OPENAI_MODEL: str({ default: 'gpt-4o-mini', description: 'Chat model name.' }),
    OPENAI_TIMEOUT_MS: int({
      default: 30000,
      min: 1000,
      max: 300000,
      description: 'Timeout of one model request.',
    }),
    MAX_LOGIN_ATTEMPTS: int({
      default: 5,
      min: 1,
      max: 1000,
      description: 'Failed logins per email before a lockout.',
    }),
    LOGIN_LOCKOUT_TIME: int({
      default: 300,
      min: 1,
      max: 86400,
      description: 'Lockout window in seconds.',
    }),
    // Above MAX_LOGIN_ATTEMPTS, so that the per-email lockout stays the first line for a single
    // account; this one stops a client spraying passwords across many accounts.
    LOGIN_RATE_LIMIT: int({
      default: 30,
      min: 1,
      max: 100000,
      description: 'Login attempts one client address may make per minute before 429.',
    }),
    REGISTER_RATE_LIMIT: int({
      default: 20,
      min: 1,
      max: 100000,
      description: 'Sign-ups one client address may make per minute before 429.',
    }),
    CHAT_RATE_LIMIT: int({
      default: 20,
      min: 1,
      max: 100000,
      description:
        'Chat messages one signed-in user may send per minute before 429 (each may cost several model requests).',
    }),
    SHUTDOWN_TIMEOUT_MS: int({
      default: 10000,
      min: 0,
      max: 120000,
      description: 'How long in-flight requests may finish after SIGTERM.',
    }),
    TRUST_PROXY: bool(false, 'Trust X-Forwarded-* headers (behind an ingress).'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && (env.JWT_SECRET_KEY ?? '').length < 32) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET_KEY'],
        message: 'required when NODE_ENV=production, at least 32 characters',
      });
    }
  });

export type BackendConfig = z.output<typeof backendEnvSchema>;
