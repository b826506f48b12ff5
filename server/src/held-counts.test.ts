import { describe, expect, it } from 'vitest';
import { HeldCounts } from './held-counts.js';

describe('HeldCounts', () => {
  it('counts per key up to the limit, gives back once, and forgets keys at zero', () => {
    const counts = new HeldCounts(2);
    const a1 = counts.take('a');
    const a2 = counts.take('a');
    expect(a1 && a2).toBeTruthy();
    expect(counts.take('a')).toBeUndefined();
    expect(counts.take('b')).toBeDefined();
    a1!();
    a1!();
    expect(counts.held('a')).toBe(1);
    expect(counts.take('a')).toBeDefined();
    a2!();
    expect(counts.held('a')).toBe(1);
  });
});
