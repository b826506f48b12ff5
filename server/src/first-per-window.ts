/**
 * Tells whether a key (a client address) is met for the first time in the current window: one log line per
 * address and minute about its refusals, however many it provokes, so that a flood of refused requests does
 * not become a flood of log lines.
 */
export class FirstPerWindow {
  private readonly seen = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(windowMs: number) {
    this.timer = setInterval(() => this.seen.clear(), windowMs).unref();
  }

  first(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  close(): void {
    clearInterval(this.timer);
    this.seen.clear();
  }
}
