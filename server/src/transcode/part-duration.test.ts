import { describe, expect, it } from 'vitest';
import { SEGMENT_DURATION_S } from '../../../shared/constants.js';
import { partDurationS, partFrames } from './part-duration.js';

describe('part duration', () => {
  it('cuts a segment into equal parts of whole frames, at most half a second each', () => {
    expect(partFrames(30)).toBe(15);
    expect(partFrames(25)).toBe(10);
    expect(partFrames(60)).toBe(30);
    expect(partFrames(24)).toBe(12);
    for (const fps of [2, 5, 12, 15, 24, 25, 29, 30, 48, 50, 60]) {
      const frames = partFrames(fps);
      expect((fps * SEGMENT_DURATION_S) % frames).toBe(0);
      expect(partDurationS(fps)).toBeLessThanOrEqual(0.5);
    }
  });
});
