import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sleep } from './benchmark.js';
import { sampleWindow } from './sample-window.js';

describe('sampleWindow', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('reads at every step of the window and keeps only what was found', async () => {
    const readAt: number[] = [];
    const samples = sampleWindow(100, 0.5, async () => {
      readAt.push(Date.now());
      return readAt.length % 3 === 0 ? null : readAt.length === 4 ? undefined : readAt.length;
    });
    await vi.runAllTimersAsync();
    expect(readAt).toEqual([0, 100, 200, 300, 400]);
    expect(await samples).toEqual([1, 2, 5]);
  });

  it('keeps to the schedule when a read runs late', async () => {
    const readAt: number[] = [];
    const samples = sampleWindow(100, 0.4, async () => {
      readAt.push(Date.now());
      await sleep(readAt.length === 1 ? 150 : 10);
      return 0;
    });
    await vi.runAllTimersAsync();
    expect(readAt).toEqual([0, 150, 200, 300]);
    expect(await samples).toHaveLength(4);
  });
});
