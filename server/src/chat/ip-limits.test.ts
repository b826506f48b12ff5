import { describe, expect, it } from 'vitest';
import { IpLimits } from './ip-limits.js';
import { RateLimiter } from './rate-limiter.js';

describe('IpLimits', () => {
  it('admits maxSockets connections per address, and one more when one leaves', () => {
    const limits = new IpLimits({ maxSockets: 2, rate: 5, windowMs: 1000 });
    expect(limits.admits('10.0.0.1')).toBe(true);
    limits.connect('10.0.0.1');
    limits.connect('10.0.0.1');
    expect(limits.admits('10.0.0.1')).toBe(false);
    expect(limits.admits('10.0.0.2')).toBe(true);
    limits.release('10.0.0.1');
    expect(limits.admits('10.0.0.1')).toBe(true);
  });

  it('gives every connection of an address one budget, which reconnecting does not refill', () => {
    let now = 0;
    const limits = new IpLimits({ maxSockets: 10, rate: 3, windowMs: 1000, now: () => now });
    const first = limits.connect('10.0.0.1');
    const second = limits.connect('10.0.0.1');
    const elsewhere = limits.connect('10.0.0.2');
    expect([first.messages.take(), second.messages.take(), second.messages.take(), first.messages.take()]).toEqual([true, true, true, false]);
    expect(elsewhere.messages.take()).toBe(true);
    expect(first.reactions.take()).toBe(true);

    limits.release('10.0.0.1');
    limits.release('10.0.0.1');
    limits.sweep();
    expect(limits.connect('10.0.0.1').messages.take()).toBe(false);
    limits.release('10.0.0.1');

    // Forgotten once nothing connects and the window has passed; an address still connected stays.
    now = 1000;
    limits.sweep();
    expect(limits.size).toBe(1);
    expect(RateLimiter.takeAll(limits.connect('10.0.0.1').messages)).toBe(true);
  });
});
