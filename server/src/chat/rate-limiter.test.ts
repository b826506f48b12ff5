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
});
