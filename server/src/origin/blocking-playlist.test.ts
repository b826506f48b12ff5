import { describe, expect, it } from 'vitest';
import { hasArrived, isTooFarAhead } from './blocking-playlist.js';
import { parseByteRange } from './growing-segment-response.js';

// Segment 10 complete, segment 11 being written with parts 0 and 1.
const position = { lastMsn: 11, lastPart: 1, completeMsn: 10 };

describe('blocking reload', () => {
  it('answers once the segment or the part asked for is in the playlist', () => {
    expect(hasArrived(position, 10, undefined)).toBe(true);
    expect(hasArrived(position, 10, 7)).toBe(true);
    expect(hasArrived(position, 11, 1)).toBe(true);
    expect(hasArrived(position, 11, 2)).toBe(false);
    expect(hasArrived(position, 11, undefined)).toBe(false);
    expect(hasArrived(position, 12, 0)).toBe(false);
    expect(hasArrived({ lastMsn: 10, lastPart: 3, completeMsn: 10 }, 11, 0)).toBe(false);
  });

  it('refuses what lies more than two segments beyond the newest', () => {
    expect(isTooFarAhead(position, 13)).toBe(false);
    expect(isTooFarAhead(position, 14)).toBe(true);
  });
});

describe('byte ranges of a growing segment', () => {
  it('reads bytes=a-b and the open bytes=a-, and nothing else', () => {
    expect(parseByteRange('bytes=0-99')).toEqual({ start: 0, end: 99 });
    expect(parseByteRange('bytes=2000-')).toEqual({ start: 2000, end: undefined });
    for (const bad of [undefined, 'bytes=-500', 'bytes=5-1', 'bytes=0-1,5-9', 'items=0-1', 'bytes=1e3-', `bytes=${'9'.repeat(20)}-`]) {
      expect(parseByteRange(bad)).toBeUndefined();
    }
  });
});
