import { MemoryLoginLockout } from './lockout';

describe('MemoryLoginLockout', () => {
  // A controllable clock: the window is minutes long and the rule is about time passing.
  let now = 1_000_000;
  const clock = () => now;

  it('locks after the limit within the window and reopens when the oldest failure ages out', async () => {
    const lockout = new MemoryLoginLockout(3, 60, clock);
    await lockout.recordFailure('a@x.io');
    now += 10_000;
    await lockout.recordFailure('a@x.io');
    expect(await lockout.retryAfter('a@x.io')).toBe(0);
    now += 10_000;
    await lockout.recordFailure('a@x.io');
    expect(await lockout.retryAfter('a@x.io')).toBe(40);
    expect(await lockout.retryAfter('b@x.io')).toBe(0);
    now += 40_000;
    expect(await lockout.retryAfter('a@x.io')).toBe(0);
  });

  it('forgets failures after a successful login', async () => {
    const lockout = new MemoryLoginLockout(2, 60, clock);
    await lockout.recordFailure('c@x.io');
    await lockout.recordSuccess('c@x.io');
    await lockout.recordFailure('c@x.io');
    expect(await lockout.retryAfter('c@x.io')).toBe(0);
  });

  it('bounds how many emails it remembers', async () => {
    const lockout = new MemoryLoginLockout(1, 60, clock, 2);
    await lockout.recordFailure('1@x.io');
    await lockout.recordFailure('2@x.io');
    await lockout.recordFailure('3@x.io');
    expect(await lockout.retryAfter('1@x.io')).toBe(0);
    expect(await lockout.retryAfter('3@x.io')).toBeGreaterThan(0);
  });
});
