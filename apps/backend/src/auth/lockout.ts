import { and, desc, eq, gt, lte, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { loginFailures } from '../db/schema';

/**
 * Counts failed logins per email in a sliding window. After `maxAttempts` failures within
 * `windowSeconds`, further attempts are refused until the oldest counted failure leaves the
 * window.
 */
export interface LoginLockout {
  /** Seconds until `email` may try again, or 0 when it may try now. */
  retryAfter(email: string): Promise<number>;
  recordFailure(email: string): Promise<void>;
  recordSuccess(email: string): Promise<void>;
}

/** The lockout of the embedded database's single process: its memory is the only one. */
export class MemoryLoginLockout implements LoginLockout {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxAttempts: number,
    private readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
    /** Bound on tracked emails, so a flood of random addresses cannot grow memory without end. */
    private readonly maxTracked = 100_000,
  ) {}

  async retryAfter(email: string): Promise<number> {
    const recent = this.recent(email);
    if (recent.length < this.maxAttempts) return 0;
    const unlockAt = recent[recent.length - this.maxAttempts] + this.windowSeconds * 1000;
    return Math.max(1, Math.ceil((unlockAt - this.now()) / 1000));
  }

  async recordFailure(email: string): Promise<void> {
    const recent = this.recent(email);
    recent.push(this.now());
    if (!this.failures.has(email) && this.failures.size >= this.maxTracked) this.evictOldest();
    this.failures.set(email, recent.slice(-this.maxAttempts));
  }

  async recordSuccess(email: string): Promise<void> {
    this.failures.delete(email);
  }

  private recent(email: string): number[] {
    const cutoff = this.now() - this.windowSeconds * 1000;
    const kept = (this.failures.get(email) ?? []).filter((at) => at > cutoff);
    if (kept.length === 0) this.failures.delete(email);
    return kept;
  }

  private evictOldest(): void {
    const first = this.failures.keys().next();
    if (!first.done) this.failures.delete(first.value);
  }
}

/**
 * The lockout on PostgreSQL, where every replica reads and writes the same failures: N replicas
 * allow MAX_LOGIN_ATTEMPTS guesses per window, not N times as many. Time is the database's, so
 * replicas whose clocks differ still agree.
 */
export class PostgresLoginLockout implements LoginLockout {
  constructor(
    private readonly db: Database,
    private readonly maxAttempts: number,
    private readonly windowSeconds: number,
  ) {}

  async retryAfter(email: string): Promise<number> {
    const window = this.window();
    const recent = await this.db
      .select({
        unlocksIn: sql<number>`extract(epoch from ${loginFailures.failed_at} + ${window} - now())`,
      })
      .from(loginFailures)
      .where(
        and(eq(loginFailures.email, email), gt(loginFailures.failed_at, sql`now() - ${window}`)),
      )
      .orderBy(desc(loginFailures.failed_at))
      .limit(this.maxAttempts);
    if (recent.length < this.maxAttempts) return 0;
    return Math.max(1, Math.ceil(Number(recent[recent.length - 1].unlocksIn)));
  }

  async recordFailure(email: string): Promise<void> {
    await this.db.insert(loginFailures).values({ email });
    // Failures older than the window count for nobody; dropping them keeps the table small.
    await this.db
      .delete(loginFailures)
      .where(lte(loginFailures.failed_at, sql`now() - ${this.window()}`));
  }

  async recordSuccess(email: string): Promise<void> {
    await this.db.delete(loginFailures).where(eq(loginFailures.email, email));
  }

  private window() {
    return sql`make_interval(secs => ${this.windowSeconds})`;
  }
}
