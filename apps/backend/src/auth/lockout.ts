/**
 * Counts failed logins per email in a sliding window. After `maxAttempts` failures within
 * `windowSeconds`, further attempts are refused until the oldest counted failure leaves the
 * window. Kept in process memory: each replica counts on its own, which still caps guessing
 * at replicas × maxAttempts per window.
 */
export class LoginLockout {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxAttempts: number,
    private readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
    /** Bound on tracked emails, so a flood of random addresses cannot grow memory without end. */
    private readonly maxTracked = 100_000,
  ) {}

  /** Seconds until `email` may try again, or 0 when it may try now. */
  retryAfter(email: string): number {
    const recent = this.recent(email);
    if (recent.length < this.maxAttempts) return 0;
    const unlockAt = recent[recent.length - this.maxAttempts] + this.windowSeconds * 1000;
    return Math.max(1, Math.ceil((unlockAt - this.now()) / 1000));
  }

  recordFailure(email: string): void {
    const recent = this.recent(email);
    recent.push(this.now());
    if (!this.failures.has(email) && this.failures.size >= this.maxTracked) this.evictOldest();
    this.failures.set(email, recent.slice(-this.maxAttempts));
  }

  recordSuccess(email: string): void {
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
