import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { BackendConfig } from '@todo/config';
import { HealthRegistry } from '@todo/health';
import { MemoryLoginLockout, PostgresLoginLockout, type LoginLockout } from './auth/lockout';
import { TokenService } from './auth/tokens';
import { UserService } from './auth/users';
import type { DatabaseHandle } from './db/client';
import type { RateLimitRule } from './http/hardening';
import { TaskService } from './tasks/service';

const READINESS_TIMEOUT_MS = 2000;

/** What the routes work with; each plugin is handed the services it uses, and only those. */
export interface Services {
  users: UserService;
  tasks: TaskService;
  tokens: TokenService;
  lockout: LoginLockout;
  rateLimits: Record<'login' | 'register' | 'chat', RateLimitRule>;
  health: HealthRegistry;
  /** True on PostgreSQL: replicas share the lockout and the rate limits through its tables. */
  shared: boolean;
}

export function createServices(
  config: Readonly<BackendConfig>,
  database: DatabaseHandle,
  log: FastifyBaseLogger,
): Services {
  let jwtSecret = config.JWT_SECRET_KEY;
  if (!jwtSecret) {
    // Only reachable outside production (the config schema requires the key there).
    jwtSecret = randomBytes(32).toString('base64url');
    log.warn(
      'JWT_SECRET_KEY is not set: using a random key for this process only; tokens stop working on restart',
    );
  }
  // On PostgreSQL every replica counts login failures and rate limits in the same tables; the
  // embedded database has one process, whose memory is enough.
  const shared = database.driver === 'postgres';
  const perMinute = (max: number): RateLimitRule => ({ max, timeWindowMs: 60_000 });
  const health = new HealthRegistry();
  health.register({
    name: 'database',
    critical: true,
    timeoutMs: READINESS_TIMEOUT_MS,
    check: () => database.ping(),
  });
  return {
    users: new UserService(database.db),
    tasks: new TaskService(database),
    tokens: new TokenService(jwtSecret, config.ACCESS_TOKEN_EXPIRE_DAYS),
    lockout: shared
      ? new PostgresLoginLockout(database.db, config.MAX_LOGIN_ATTEMPTS, config.LOGIN_LOCKOUT_TIME)
      : new MemoryLoginLockout(config.MAX_LOGIN_ATTEMPTS, config.LOGIN_LOCKOUT_TIME),
    rateLimits: {
      login: perMinute(config.LOGIN_RATE_LIMIT),
      register: perMinute(config.REGISTER_RATE_LIMIT),
      chat: perMinute(config.CHAT_RATE_LIMIT),
    },
    health,
    shared,
  };
}
