import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from './stats.js';

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

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('refuses an empty list and a percentile outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow();
    expect(() => percentile([1], 0)).toThrow();
  });
});
