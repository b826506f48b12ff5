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

  /** Records the event and returns true when it is within the limit. */
  take(): boolean {
    const t = this.now();
    while (this.accepted.length > 0 && this.accepted[0]! <= t - this.windowMs) this.accepted.shift();
    if (this.accepted.length >= this.limit) return false;
    this.accepted.push(t);
    return true;
  }
}
