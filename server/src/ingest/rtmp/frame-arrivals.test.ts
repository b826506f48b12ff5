import { describe, expect, it } from 'vitest';
import { FrameArrivals } from './frame-arrivals.js';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');

describe('FrameArrivals', () => {
  it('dates a frame by its own arrival, and one between arrivals from the latest before it', () => {
    const a = new FrameArrivals();
    a.record(5000, T0);
    a.record(5033, T0 + 40); // 7 ms of network jitter
    a.record(5067, T0 + 67);
    expect(a.wallAt(5033)).toBe(T0 + 40);
    expect(a.wallAt(5050)).toBe(T0 + 57);
    expect(a.wallAt(6000)).toBe(T0 + 67 + 933);
  });

  it('puts frames that come in decode order in presentation order', () => {
    const a = new FrameArrivals();
    // An I-frame presented at 5067 arrives first, the B-frames presented before it follow.
    a.record(5067, T0);
    a.record(5000, T0 + 33);
    a.record(5033, T0 + 66);
    a.record(5167, T0 + 100);
    expect(a.wallAt(5067)).toBe(T0);
    expect(a.wallAt(5000)).toBe(T0 + 33);
    expect(a.wallAt(5100)).toBe(T0 + 33);
  });

  it('dates a frame from before the first recorded one back from it, and knows nothing before any', () => {
    const a = new FrameArrivals();
    expect(a.wallAt(0)).toBeUndefined();
    a.record(10_000, T0);
    expect(a.wallAt(8_000)).toBe(T0 - 2000);
  });

  it('keeps a minute of media time and starts again when the clock jumps back', () => {
    const a = new FrameArrivals();
    a.record(0, T0);
    a.record(30_000, T0 + 30_500);
    a.record(70_000, T0 + 70_500);
    // The arrival at 0 is gone: 10 s is dated from the oldest kept one.
    expect(a.wallAt(10_000)).toBe(T0 + 30_500 - 20_000);
    a.record(1_000, T0 + 80_000);
    expect(a.wallAt(70_000)).toBe(T0 + 80_000 + 69_000);
  });
});
