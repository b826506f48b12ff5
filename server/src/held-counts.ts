/**
 * Things held per key (a client address, a livestream) against one limit: connections, sessions. Keys back
 * at zero are forgotten, so an address that left costs nothing.
 */
export class HeldCounts {
  private readonly counts = new Map<string, number>();

  constructor(readonly limit: number) {}

  held(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Counts one more for `key`: what gives it back (once), or undefined when `key` is at the limit. */
  take(key: string): (() => void) | undefined {
    const held = this.held(key);
    if (held >= this.limit) return undefined;
    this.counts.set(key, held + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = this.held(key) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    };
  }
}
