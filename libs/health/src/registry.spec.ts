import { HealthRegistry } from './registry';

describe('HealthRegistry', () => {
  it('cuts a hanging check at its timeout and fails readiness with the reason', async () => {
    let abortReason: unknown;
    const registry = new HealthRegistry().register({
      name: 'database',
      critical: true,
      timeoutMs: 50,
      check: (signal) =>
        new Promise(() => {
          signal.addEventListener('abort', () => (abortReason = signal.reason));
        }),
    });

    const report = await registry.readiness();

    expect(report.status).toBe('error');
    expect(report.checks.database).toEqual({
      status: 'error',
      duration_ms: expect.any(Number),
      error: 'timed out after 50 ms',
    });
    expect(report.checks.database.duration_ms).toBeGreaterThanOrEqual(45);
    // The check is told to stop, so it can release what it holds.
    expect(abortReason).toBeInstanceOf(Error);
  });

  it('reports a failing non-critical check without failing readiness', async () => {
    const registry = new HealthRegistry()
      .register({ name: 'database', check: async () => undefined })
      .register({
        name: 'backend',
        critical: false,
        check: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:3000');
        },
      });

    const report = await registry.readiness();

    expect(report.status).toBe('ok');
    expect(report.checks.database.status).toBe('ok');
    expect(report.checks.backend).toEqual({
      status: 'error',
      duration_ms: expect.any(Number),
      error: 'connect ECONNREFUSED 127.0.0.1:3000',
    });
  });

  it('fails readiness when a critical check fails, and treats checks as critical by default', async () => {
    const registry = new HealthRegistry().register({
      name: 'database',
      check: () => {
        throw new Error('password authentication failed');
      },
    });

    const report = await registry.readiness();

    expect(report).toEqual({
      status: 'error',
      checks: {
        database: {
          status: 'error',
          duration_ms: expect.any(Number),
          error: 'password authentication failed',
        },
      },
    });
  });

  it('runs checks concurrently', async () => {
    // "first" can only finish once "second" has started: run one after the other, it would
    // hang until its timeout.
    let secondStarted!: () => void;
    const second = new Promise<void>((resolve) => (secondStarted = resolve));
    const registry = new HealthRegistry()
      .register({ name: 'first', timeoutMs: 1000, check: () => second })
      .register({ name: 'second', timeoutMs: 1000, check: () => secondStarted() });

    const report = await registry.readiness();

    expect(report.status).toBe('ok');
    expect(report.checks.first.status).toBe('ok');
    expect(report.checks.second.status).toBe('ok');
  });

  it('answers liveness without running any dependency check', async () => {
    const check = jest.fn(async () => {
      throw new Error('database down');
    });
    const registry = new HealthRegistry().register({ name: 'database', check });

    expect(registry.liveness()).toEqual({ status: 'ok', checks: {} });
    expect(check).not.toHaveBeenCalled();
  });

  it('rejects bad registrations with the field and the rule', () => {
    const registry = new HealthRegistry().register({ name: 'database', check: () => undefined });

    expect(() => registry.register({ name: 'database', check: () => undefined })).toThrow(
      'name: a check named "database" is already registered',
    );
    expect(() => registry.register({ name: ' ', check: () => undefined })).toThrow(
      'name: must be a non-empty string',
    );
    expect(() =>
      registry.register({ name: 'cache', timeoutMs: 0, check: () => undefined }),
    ).toThrow('timeoutMs (cache): must be a positive number of milliseconds, got 0');
    expect(() => new HealthRegistry({ defaultTimeoutMs: -1 })).toThrow(
      'defaultTimeoutMs: must be a positive number of milliseconds, got -1',
    );
    expect(registry.names).toEqual(['database']);
  });
});
