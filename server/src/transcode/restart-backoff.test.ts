import { describe, expect, it } from 'vitest';
import { RestartBackoff } from './restart-backoff.js';

describe('RestartBackoff', () => {
  it('doubles the delay with each recent failure, capped, and gives up after too many in the window', () => {
    let now = 0;
    const backoff = new RestartBackoff({ baseMs: 500, maxMs: 3000, windowMs: 60_000, maxFailures: 6, now: () => now });
    const delays: Array<number | undefined> = [];
    for (let i = 0; i < 6; i++) {
      delays.push(backoff.fail());
      now += 1000;
    }
    expect(delays).toEqual([500, 1000, 2000, 3000, 3000, undefined]);
    expect(backoff.recentFailures).toBe(6);
  });

  it('forgets failures older than the window: a rare crash in a long broadcast starts over', () => {
    let now = 0;
    const backoff = new RestartBackoff({ baseMs: 500, windowMs: 60_000, maxFailures: 3, now: () => now });
    expect(backoff.fail()).toBe(500);
    now = 30_000;
    expect(backoff.fail()).toBe(1000);
    now = 75_000;
    // The first failure left the window; the second is still in it.
    expect(backoff.fail()).toBe(1000);
    now = 200_000;
    expect(backoff.fail()).toBe(500);
  });
});
