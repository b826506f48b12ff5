export interface RestartBackoffOptions {
  /** Delay after the first failure in the window; each further failure doubles it. */
  baseMs?: number;
  maxMs?: number;
  /** Failures older than this no longer count. */
  windowMs?: number;
  /** This many failures within the window and the broadcast gives up. */
  maxFailures?: number;
  now?: () => number;
}

/**
 * When to run FFmpeg again after a run failed: exponentially later the more runs failed recently, and never
 * again once too many failed within a short window. A crash loop (a source FFmpeg cannot decode, a disk that
 * refuses writes) then ends the broadcast with a reason instead of spawning FFmpeg forever, while a rare
 * crash in a long broadcast is forgiven once it ages out of the window.
 */
export class RestartBackoff {
  private readonly failures: number[] = [];
  private readonly o: Required<RestartBackoffOptions>;

  constructor(options: RestartBackoffOptions = {}) {
    this.o = { baseMs: 500, maxMs: 10_000, windowMs: 60_000, maxFailures: 5, now: Date.now, ...options };
  }

  /** Records a failed run: the delay before the next one, or undefined when it is time to give up. */
  fail(): number | undefined {
    const now = this.o.now();
    this.failures.push(now);
    while (this.failures[0]! <= now - this.o.windowMs) this.failures.shift();
    const recent = this.failures.length;
    if (recent >= this.o.maxFailures) return undefined;
    return Math.min(this.o.baseMs * 2 ** (recent - 1), this.o.maxMs);
  }

  /** Failures counted now, for the reason given when it gives up. */
  get recentFailures(): number {
    return this.failures.length;
  }

  get windowS(): number {
    return this.o.windowMs / 1000;
  }
}
