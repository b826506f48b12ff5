import type { AttemptOutcome } from './webhook-repository.js';
import type { SendResult } from './webhook-sender.js';

const S = 1000;
const MIN = 60 * S;

/**
 * The wait before each retry: 8 attempts over about 3 h 43 min, so a receiver that is down for an hour
 * (a deploy, a restart, an outage) still gets every event.
 */
export const RETRY_DELAYS_MS: readonly number[] = [5 * S, 30 * S, 2 * MIN, 10 * MIN, 30 * MIN, 60 * MIN, 120 * MIN];

/** What an attempt leaves: delivered, pending until the next delay has passed, or failed once none is left. */
export function outcomeOf(result: SendResult, attempts: number, now: Date, delaysMs: readonly number[] = RETRY_DELAYS_MS): AttemptOutcome {
  const common = { attempts, lastStatus: result.status, lastError: result.error };
  if (result.delivered) return { ...common, state: 'delivered', nextAttemptAt: null, deliveredAt: now };
  const delay = delaysMs[attempts - 1];
  if (delay === undefined) return { ...common, state: 'failed', nextAttemptAt: null, deliveredAt: null };
  return { ...common, state: 'pending', nextAttemptAt: new Date(now.getTime() + delay), deliveredAt: null };
}
