import { RateLimiter } from './rate-limiter.js';

/** What all the chat connections from one address share: more sockets do not mean more messages. */
export interface IpBudget {
  messages: RateLimiter;
  reactions: RateLimiter;
}

export interface IpLimitsOptions {
  /** Chat connections one address may hold at once. */
  maxSockets: number;
  /** Messages, and separately reactions, all connections of one address may send per `windowMs`. */
  rate: number;
  windowMs: number;
  now?: () => number;
}

interface Entry extends IpBudget {
  sockets: number;
}

/**
 * Chat limits per client address, in this process. An address's budget outlives its sockets until its
 * window has passed (sweep), so that reconnecting does not refill it; addresses with neither sockets nor
 * recent events are forgotten, so memory follows the clients actually present.
 */
export class IpLimits {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: IpLimitsOptions) {}

  /** Whether `address` may open one more chat connection. */
  admits(address: string): boolean {
    return (this.entries.get(address)?.sockets ?? 0) < this.options.maxSockets;
  }

  /** Counts a connection of `address` until release(); returns the budget it shares with its siblings. */
  connect(address: string): IpBudget {
    let entry = this.entries.get(address);
    if (!entry) {
      const { rate, windowMs, now } = this.options;
      entry = { sockets: 0, messages: new RateLimiter(rate, windowMs, now), reactions: new RateLimiter(rate, windowMs, now) };
      this.entries.set(address, entry);
    }
    entry.sockets++;
    return entry;
  }

  release(address: string): void {
    const entry = this.entries.get(address);
    if (entry) entry.sockets--;
  }

  /** Forgets the addresses that hold no connection and whose budget is whole again. */
  sweep(): void {
    for (const [address, e] of this.entries) {
      if (e.sockets === 0 && e.messages.idle() && e.reactions.idle()) this.entries.delete(address);
    }
  }

  /** How many addresses are remembered. */
  get size(): number {
    return this.entries.size;
  }
}
