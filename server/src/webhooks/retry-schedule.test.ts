import { describe, expect, it } from 'vitest';
import { outcomeOf, RETRY_DELAYS_MS } from './retry-schedule.js';

const now = new Date('2026-12-01T10:00:00.000Z');
const failure = { delivered: false, status: 500, error: 'the receiver answered HTTP 500' };

describe('retry schedule', () => {
  it('keeps retrying for more than an hour after the first attempt', () => {
    const total = RETRY_DELAYS_MS.reduce((sum, d) => sum + d, 0);
    expect(total).toBeGreaterThan(60 * 60 * 1000);
    expect([...RETRY_DELAYS_MS].sort((a, b) => a - b)).toEqual(RETRY_DELAYS_MS);
  });

  it('a 2xx answer delivers', () => {
    expect(outcomeOf({ delivered: true, status: 204, error: null }, 3, now)).toEqual({
      state: 'delivered',
      attempts: 3,
      lastStatus: 204,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: now,
    });
  });

  it('a failed attempt waits for the delay of its number', () => {
    const first = outcomeOf(failure, 1, now);
    expect(first.state).toBe('pending');
    expect(first.nextAttemptAt!.getTime() - now.getTime()).toBe(RETRY_DELAYS_MS[0]);
    expect(outcomeOf(failure, 2, now).nextAttemptAt!.getTime() - now.getTime()).toBe(RETRY_DELAYS_MS[1]);
    expect(first.lastError).toBe(failure.error);
  });

  it('fails for good once every delay is used', () => {
    const last = outcomeOf(failure, RETRY_DELAYS_MS.length + 1, now);
    expect(last).toMatchObject({ state: 'failed', nextAttemptAt: null, lastStatus: 500 });
    expect(outcomeOf(failure, 2, now, [10])).toMatchObject({ state: 'failed' });
  });
});
