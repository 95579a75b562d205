import { runInNewContext } from 'node:vm';
import Fastify from 'fastify';
import { installErrorHandling } from '../http/error-handler';
import { unroutedHandler } from '../http/unrouted';
import { isDatabaseUnavailable, unavailableReason } from './errors';

function driverError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

// Drizzle wraps what the driver threw; the outage is only visible in the cause.
function wrapped(cause: Error): Error {
  return new Error('Failed query: insert into "tasks" ...', { cause });
}

describe('isDatabaseUnavailable', () => {
  it('recognises an unreachable or restarting database through wrappers', () => {
    expect(
      isDatabaseUnavailable(wrapped(driverError('connect ECONNREFUSED', 'ECONNREFUSED'))),
    ).toBe(true);
    expect(isDatabaseUnavailable(wrapped(driverError('terminating connection', '57P01')))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(wrapped(driverError('connection failure', '08006')))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('recognises a socket error created in another realm, as Node core errors are under Jest', () => {
    const foreign = runInNewContext(
      "Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })",
    ) as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(isDatabaseUnavailable(new Error('Failed query', { cause: foreign }))).toBe(true);
  });

  it('stops on a cause chain that loops', () => {
    const looping: Error & { cause?: unknown } = new Error('wrapper');
    looping.cause = looping;
    expect(isDatabaseUnavailable(looping)).toBe(false);
  });

  it('does not excuse a broken query or a bad password', () => {
    expect(isDatabaseUnavailable(wrapped(driverError('syntax error', '42601')))).toBe(false);
    expect(isDatabaseUnavailable(driverError('password authentication failed', '28P01'))).toBe(
      false,
    );
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});

describe('unavailableReason', () => {
  it('names the innermost cause, for one log line per retry', () => {
    expect(
      unavailableReason(
        wrapped(driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')),
      ),
    ).toBe('connect ECONNREFUSED 127.0.0.1:5432');
    const aggregate = Object.assign(
      new AggregateError([driverError('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
      { code: 'ECONNREFUSED' },
    );
    expect(unavailableReason(wrapped(aggregate))).toBe('connect ECONNREFUSED ::1:5432');
  });
});

describe('error handling during a database outage', () => {
  it('answers 503 with Retry-After and a detail instead of a 500', async () => {
    const app = Fastify({ logger: false });
    installErrorHandling(app, unroutedHandler(app));
    app.post('/write', async () => {
      throw wrapped(driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'));
    });
    app.post('/bug', async () => {
      throw wrapped(driverError('syntax error', '42601'));
    });
    const outage = await app.inject({ method: 'POST', url: '/write' });
    expect(outage.statusCode).toBe(503);
    expect(outage.headers['retry-after']).toBe('5');
    expect(outage.json().detail).toMatch(/database is not reachable/);
    const bug = await app.inject({ method: 'POST', url: '/bug' });
    expect(bug.statusCode).toBe(500);
    expect(bug.json()).toEqual({ detail: 'Internal Server Error' });
    await app.close();
  });
});
