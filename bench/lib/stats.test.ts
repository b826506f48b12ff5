import { describe, expect, it } from 'vitest';
import { median, summarize } from './stats.js';

describe('median', () => {
  it('takes the middle of an odd count and the mean of the two middles of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses an empty list', () => {
    expect(() => median([])).toThrow();
  });
});

describe('summarize', () => {
  it('reports median, min, max and count without reordering the input', () => {
    const values = [5, 1, 9];
    expect(summarize(values)).toEqual({ median: 5, min: 1, max: 9, n: 3 });
    expect(values).toEqual([5, 1, 9]);
  });
});
