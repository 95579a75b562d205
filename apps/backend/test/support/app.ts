import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { backendEnvSchema, loadConfig, type BackendConfig, type Env } from '@todo/config';
import { buildApp } from '../../src/app';
import type { DatabaseHandle } from '../../src/db/client';
import { createLogger } from '../../src/logger';
import { openTestDatabase, truncateAll } from './database';
import { checkAnswersAgainstOpenApi } from './openapi-conformance';

export const TEST_JWT_SECRET = 'test-secret-key-that-is-at-least-32-characters-long';

export function testConfig(env: Env = {}): Readonly<BackendConfig> {
  return loadConfig(backendEnvSchema, {
    NODE_ENV: 'test',
    JWT_SECRET_KEY: TEST_JWT_SECRET,
    LOG_LEVEL: 'info',
    ...env,
  });
}

/** Collects the JSON log lines an app writes, so tests can read what would reach stdout. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
  entries(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export interface TestContext {
  app: FastifyInstance;
  database: DatabaseHandle;
  logs: LogCapture;
}

/**
 * Installs the hooks every integration file needs: one app over the worker's shared database for
 * the file, tables emptied before each test. Read `ctx.app` inside tests.
 */
export function useTestApp(env: Env = {}): TestContext {
  const ctx = {} as TestContext;
  beforeAll(async () => {
    ctx.database = await openTestDatabase();
    ctx.logs = new LogCapture();
    ctx.app = await buildApp({
      // Files sign up dozens of users from one address; the per-IP limits have their own tests.
      config: testConfig({ REGISTER_RATE_LIMIT: '100000', LOGIN_RATE_LIMIT: '100000', ...env }),
      database: ctx.database,
      logger: createLogger('info', ctx.logs),
    });
    conformance = checkAnswersAgainstOpenApi(ctx.app);
    await ctx.app.ready();
    conformance.use((await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json());
  });
  let conformance: ReturnType<typeof checkAnswersAgainstOpenApi> | undefined;
  beforeEach(async () => {
    await truncateAll(ctx.database);
  });
  afterEach(() => {
    // Every answer this test received is one the OpenAPI document describes.
    const violations = conformance?.violations.splice(0) ?? [];
    expect(violations).toEqual([]);
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.database?.close();
  });
  return ctx;
}

export interface SignedIn {
  user: { id: string; name: string; email: string };
  token: string;
  headers: { authorization: string };
}

let counter = 0;

/** Registers a fresh user through the API and logs them in. */
export async function signUp(
  app: FastifyInstance,
  overrides: { name?: string; email?: string; password?: string } = {},
): Promise<SignedIn & { password: string }> {
  counter += 1;
  const password = overrides.password ?? `password-${counter}-long`;
  const email = overrides.email ?? `user${counter}.${Date.now()}@example.com`;
  const registered = await app.inject({
    method: 'POST',
    url: '/api/auth/register',
    payload: { name: overrides.name ?? `User ${counter}`, email, password },
  });
  if (registered.statusCode !== 201) throw new Error(`register failed: ${registered.body}`);
  const login = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
  });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  const { access_token, user } = login.json();
  return {
    user,
    token: access_token,
    headers: { authorization: `Bearer ${access_token}` },
    password,
  };
}
