/**
 * The end of something long-lived (an ingest, a WHIP or WHEP session) as a promise: it comes once, with
 * its reason, and a listener that comes late still hears it.
 */
export class Ending<T = string> {
  readonly promise: Promise<T>;
  private settle!: (value: T) => void;
  private ended = false;

  constructor() {
    this.promise = new Promise<T>((resolve) => (this.settle = resolve));
  }

  get over(): boolean {
    return this.ended;
  }

  /** Ends it with `value`; false (and nothing happens) when it has already ended. */
  end(value: T): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.settle(value);
    return true;
  }
}
