import { describe, expect, it } from 'vitest';
import { atRealTime, capacityOf, CATCHING_UP, REAL_TIME } from './capacity.js';

describe('atRealTime', () => {
  it('wants every ladder at real time, none behind and none still working off a backlog', () => {
    expect(atRealTime([1.0, 0.995, REAL_TIME, CATCHING_UP])).toBe(true);
    expect(atRealTime([1.0, 0.95])).toBe(false);
    expect(atRealTime([1.0, 1.2])).toBe(false);
    expect(atRealTime([])).toBe(false);
  });
});

describe('capacityOf', () => {
  it('is the largest count before the first one not at real time', () => {
    expect(capacityOf(new Map([[1, [1.0]], [2, [0.995, 1.0]], [3, [0.93, 0.95, 0.94]]]))).toBe(2);
    expect(capacityOf(new Map([[3, [0.5]], [1, [1.0]], [2, [1.25, 1.2]]]))).toBe(1);
    expect(capacityOf(new Map([[1, [0.8]]]))).toBe(0);
  });
});
