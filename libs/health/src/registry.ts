export type CheckStatus = 'ok' | 'error';

export interface HealthCheck {
  /** Key of the check in the report, e.g. `database`. Unique per registry. */
  name: string;
  /**
   * A failing critical check fails readiness; a failing non-critical one is only reported.
   * Defaults to true: forgetting the flag should never hide an outage.
   */
  critical?: boolean;
  /** How long the check may run before it counts as failed. Defaults to the registry's. */
  timeoutMs?: number;
  /** Resolves when the dependency is usable; throws (or rejects) when it is not. */
  check: (signal: AbortSignal) => unknown | Promise<unknown>;
}

export interface CheckResult {
  status: CheckStatus;
  duration_ms: number;
  error?: string;
}

export interface HealthReport {
  status: CheckStatus;
  checks: Record<string, CheckResult>;
}

export interface HealthRegistryOptions {
  /** Timeout for checks that do not set their own. Default 2000 ms. */
  defaultTimeoutMs?: number;
}

interface RegisteredCheck {
  name: string;
  critical: boolean;
  timeoutMs: number;
  check: HealthCheck['check'];
}

const DEFAULT_TIMEOUT_MS = 2000;

function assertTimeout(field: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(
      `${field}: must be a positive number of milliseconds, got ${String(value)}`,
    );
  }
}

class CheckTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'CheckTimeoutError';
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  return String(error);
}

/**
 * Framework-independent set of dependency checks. Liveness never runs them (a database outage
 * must not make Kubernetes restart healthy pods); readiness runs them all concurrently, each cut
 * at its own timeout.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, RegisteredCheck>();
  private readonly defaultTimeoutMs: number;

  constructor(options: HealthRegistryOptions = {}) {
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    assertTimeout('defaultTimeoutMs', this.defaultTimeoutMs);
  }

  register(check: HealthCheck): this {
    if (typeof check.name !== 'string' || check.name.trim() === '') {
      throw new TypeError('name: must be a non-empty string');
    }
    if (this.checks.has(check.name)) {
      throw new Error(`name: a check named "${check.name}" is already registered`);
    }
    if (typeof check.check !== 'function') {
      throw new TypeError(`check (${check.name}): must be a function`);
    }
    const timeoutMs = check.timeoutMs ?? this.defaultTimeoutMs;
    assertTimeout(`timeoutMs (${check.name})`, timeoutMs);
    this.checks.set(check.name, {
      name: check.name,
      critical: check.critical ?? true,
      timeoutMs,
      check: check.check,
    });
    return this;
  }

  /** Names of the registered checks, in registration order. */
  get names(): string[] {
    return [...this.checks.keys()];
  }

  /** The process answers: no dependency is consulted. */
  liveness(): HealthReport {
    return { status: 'ok', checks: {} };
  }

  /** Runs every check concurrently; fails only when a critical one fails. */
  async readiness(): Promise<HealthReport> {
    const registered = [...this.checks.values()];
    const results = await Promise.all(registered.map((entry) => this.run(entry)));
    const checks: Record<string, CheckResult> = {};
    let status: CheckStatus = 'ok';
    registered.forEach((entry, index) => {
      const result = results[index];
      checks[entry.name] = result;
      if (entry.critical && result.status === 'error') status = 'error';
    });
    return { status, checks };
  }

  private async run(entry: RegisteredCheck): Promise<CheckResult> {
    const started = performance.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new CheckTimeoutError(entry.timeoutMs);
        // Lets a well-behaved check stop its work (e.g. abort a fetch) instead of leaking it.
        controller.abort(error);
        reject(error);
      }, entry.timeoutMs);
    });
    try {
      // Promise.resolve().then() turns a synchronous throw into a rejection we can report.
      await Promise.race([Promise.resolve().then(() => entry.check(controller.signal)), timeout]);
      return { status: 'ok', duration_ms: elapsed(started) };
    } catch (error) {
      return { status: 'error', duration_ms: elapsed(started), error: describeError(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
