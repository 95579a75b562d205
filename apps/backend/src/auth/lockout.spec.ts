import { LoginLockout } from './lockout';

describe('LoginLockout', () => {
  // A controllable clock: the window is minutes long and the rule is about time passing.
  let now = 1_000_000;
  const clock = () => now;

  it('locks after the limit within the window and reopens when the oldest failure ages out', () => {
    const lockout = new LoginLockout(3, 60, clock);
    lockout.recordFailure('a@x.io');
    now += 10_000;
    lockout.recordFailure('a@x.io');
    expect(lockout.retryAfter('a@x.io')).toBe(0);
    now += 10_000;
    lockout.recordFailure('a@x.io');
    expect(lockout.retryAfter('a@x.io')).toBe(40);
    expect(lockout.retryAfter('b@x.io')).toBe(0);
    now += 40_000;
    expect(lockout.retryAfter('a@x.io')).toBe(0);
  });

  it('forgets failures after a successful login', () => {
    const lockout = new LoginLockout(2, 60, clock);
    lockout.recordFailure('c@x.io');
    lockout.recordSuccess('c@x.io');
    lockout.recordFailure('c@x.io');
    expect(lockout.retryAfter('c@x.io')).toBe(0);
  });

  it('bounds how many emails it remembers', () => {
    const lockout = new LoginLockout(1, 60, clock, 2);
    lockout.recordFailure('1@x.io');
    lockout.recordFailure('2@x.io');
    lockout.recordFailure('3@x.io');
    expect(lockout.retryAfter('1@x.io')).toBe(0);
    expect(lockout.retryAfter('3@x.io')).toBeGreaterThan(0);
  });
});
