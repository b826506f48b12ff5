import { describe, expect, it } from 'vitest';
import { parseMachineBusyS, parseOwnAndChildrenS } from './outside-load.js';
import { CLOCK_TICKS_PER_S } from './process-tree.js';

describe('parseMachineBusyS', () => {
  it('adds user, nice, system, irq and softirq of the all-CPU line, not idle, iowait or steal', () => {
    const stat = 'cpu  100 20 30 5000 400 6 7 800 0 0\ncpu0 50 10 15 2500 200 3 3 400 0 0\nintr 1 2 3\n';
    expect(parseMachineBusyS(stat)).toBeCloseTo((100 + 20 + 30 + 6 + 7) / CLOCK_TICKS_PER_S, 9);
  });
});

describe('parseOwnAndChildrenS', () => {
  it('adds utime, stime, cutime and cstime, whatever the command name holds', () => {
    const stat = '4242 (node (bench) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 11 22 33 44 20 0 9 0 123 456 789';
    expect(parseOwnAndChildrenS(stat)).toBeCloseTo((11 + 22 + 33 + 44) / CLOCK_TICKS_PER_S, 9);
  });
});
