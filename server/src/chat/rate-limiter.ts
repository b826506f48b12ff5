/**
 * At most `limit` events in any `windowMs`: an accepted event counts until `windowMs` after it happened.
 * A refused event does not count, so a client that backs off is served again when the window allows.
 */
export class RateLimiter {
  private readonly accepted: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Records one event in every limiter and returns true when each of them has room for it; otherwise
   * records nothing, so that a budget refused by one limiter is not spent in the others.
   */
  static takeAll(...limiters: RateLimiter[]): boolean {
    if (!limiters.every((l) => l.expire() < l.limit)) return false;
    for (const l of limiters) l.accepted.push(l.now());
    return true;
  }

  /** Records the event and returns true when it is within the limit. */
  take(): boolean {
    return RateLimiter.takeAll(this);
  }

  /** Whether no accepted event is still in the window: the limiter remembers nothing worth keeping. */
  idle(): boolean {
    return this.expire() === 0;
  }

  /** Drops the events that left the window; returns how many remain. */
  private expire(): number {
    const t = this.now();
    while (this.accepted.length > 0 && this.accepted[0]! <= t - this.windowMs) this.accepted.shift();
    return this.accepted.length;
  }
}
