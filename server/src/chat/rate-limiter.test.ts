import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('accepts `limit` events per sliding window and does not count refusals', () => {
    let now = 0;
    const limiter = new RateLimiter(3, 5000, () => now);
    expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()]).toEqual([true, true, true, false]);
    now = 4999;
    expect(limiter.take()).toBe(false);
    now = 5000;
    // The three events at t=0 have left the window; the refused ones never entered it.
    expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()]).toEqual([true, true, true, false]);
  });

  it('frees one slot per expired event', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 1000, () => now);
    limiter.take();
    now = 600;
    limiter.take();
    now = 1000;
    expect([limiter.take(), limiter.take()]).toEqual([true, false]);
    now = 1600;
    expect([limiter.take(), limiter.take()]).toEqual([true, false]);
  });

  it('takes from several limiters only when every one has room', () => {
    let now = 0;
    const own = new RateLimiter(2, 1000, () => now);
    const shared = new RateLimiter(3, 1000, () => now);
    const sibling = new RateLimiter(2, 1000, () => now);
    expect([RateLimiter.takeAll(own, shared), RateLimiter.takeAll(own, shared), RateLimiter.takeAll(own, shared)]).toEqual([true, true, false]);
    // The refusal by `own` spent nothing of `shared`: one slot is left for the sibling.
    expect([RateLimiter.takeAll(sibling, shared), RateLimiter.takeAll(sibling, shared)]).toEqual([true, false]);
    expect(sibling.idle()).toBe(false);
    now = 1000;
    expect(sibling.idle()).toBe(true);
    expect(RateLimiter.takeAll(sibling, shared)).toBe(true);
  });
});
