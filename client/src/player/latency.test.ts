import { describe, expect, it } from 'vitest';
import { formatLatency, latencyFromDash, latencyFromFrameTime } from './latency.js';

describe('latencyFromFrameTime', () => {
  it('is now minus the frame time, in seconds', () => {
    expect(latencyFromFrameTime(1_700_000_004_500, 1_700_000_000_000)).toBeCloseTo(4.5);
  });

  it('is unknown without a program date time', () => {
    expect(latencyFromFrameTime(1000, null)).toBeNull();
    expect(latencyFromFrameTime(1000, undefined)).toBeNull();
    expect(latencyFromFrameTime(1000, Number.NaN)).toBeNull();
  });

  it('reads a viewer clock that runs behind the server as zero, not negative', () => {
    expect(latencyFromFrameTime(1000, 1300)).toBe(0);
  });
});

describe('latencyFromDash', () => {
  it('passes a positive latency through and drops dash.js "no value" answers', () => {
    expect(latencyFromDash(3.2)).toBe(3.2);
    expect(latencyFromDash(Number.NaN)).toBeNull();
    expect(latencyFromDash(0)).toBeNull();
  });
});

describe('formatLatency', () => {
  it('reads as seconds behind live', () => {
    expect(formatLatency(3.24)).toBe('3.2 s behind live');
    expect(formatLatency(null)).toBe('Latency —');
  });
});
