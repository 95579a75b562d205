import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'drizzle-orm';
import type { Env } from '@todo/config';
import {
  buildApp,
  createLogger,
  LogCapture,
  openTestDatabase,
  testConfig,
  truncateAll,
  type DatabaseHandle,
} from './backend';

/**
 * These suites sign up hundreds of users from one address (app.inject's 127.0.0.1) within a
 * minute; the production limits would rightly refuse that. The limits themselves are proven in
 * apps/backend/src/http/hardening.spec.ts.
 */
export const LOAD_TEST_LIMITS: Env = {
  LOGIN_RATE_LIMIT: '100000',
  REGISTER_RATE_LIMIT: '100000',
  CHAT_RATE_LIMIT: '100000',
};

export interface ReliabilityContext {
  app: FastifyInstance;
  database: DatabaseHandle;
  logs: LogCapture;
}

/**
 * One app per test file over the worker's shared database (PGlite, or PostgreSQL with
 * TEST_DB=postgres), emptied once before the file: the suites count rows across tests.
 */
export function useReliabilityApp(env: Env = {}): ReliabilityContext {
  const ctx = {} as ReliabilityContext;
  beforeAll(async () => {
    ctx.database = await openTestDatabase();
    await truncateAll(ctx.database);
    ctx.logs = new LogCapture();
    ctx.app = await buildApp({
      // Many failed logins for one email are part of the fuzzing; the lockout is tested elsewhere.
      config: testConfig({ MAX_LOGIN_ATTEMPTS: '1000', ...LOAD_TEST_LIMITS, ...env }),
      database: ctx.database,
      logger: createLogger('info', ctx.logs),
    });
    await ctx.app.ready();
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.database?.close();
  });
  return ctx;
}

export interface RowCounts {
  users: number;
  tasks: number;
  conversations: number;
  messages: number;
}

export async function rowCounts(database: DatabaseHandle): Promise<RowCounts> {
  const result = await database.db.execute(sql`
    SELECT (SELECT count(*) FROM users)::int AS users,
           (SELECT count(*) FROM tasks)::int AS tasks,
           (SELECT count(*) FROM conversations)::int AS conversations,
           (SELECT count(*) FROM messages)::int AS messages`);
  const rows = (
    Array.isArray(result) ? result : (result as { rows: unknown[] }).rows
  ) as RowCounts[];
  return rows[0];
}

/** A readable one-line description of an answer, for assertion messages. */
export function describeAnswer(response: LightMyRequestResponse): string {
  return `${response.statusCode} ${response.body.slice(0, 300)}`;
}

/**
 * The error contract: a 4xx whose JSON body has a non-empty `detail` (a sentence, or for 422 a
 * list of issues each naming its field and rule). Returns the problem, or null when it holds.
 */
export function errorContractViolation(response: LightMyRequestResponse): string | null {
  if (response.statusCode < 400 || response.statusCode >= 500) {
    return `expected a 4xx, got ${describeAnswer(response)}`;
  }
  let body: unknown;
  try {
    body = response.json();
  } catch {
    return `body is not JSON: ${describeAnswer(response)}`;
  }
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string') {
    return detail.trim() ? null : `empty detail: ${describeAnswer(response)}`;
  }
  if (Array.isArray(detail) && detail.length > 0) {
    const unnamed = detail.find(
      (issue: { loc?: unknown; msg?: unknown }) =>
        !Array.isArray(issue.loc) || typeof issue.msg !== 'string' || !/^\S+: \S/.test(issue.msg),
    );
    return unnamed ? `issue names no field and rule: ${JSON.stringify(unnamed)}` : null;
  }
  return `no detail: ${describeAnswer(response)}`;
}
