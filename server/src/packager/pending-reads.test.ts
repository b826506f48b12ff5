import { describe, expect, it } from 'vitest';
import { PendingReads, segmentRendition } from './pending-reads.js';

describe('segmentRendition', () => {
  it('names the rendition of a growing or complete segment, and nothing for other files', () => {
    expect(segmentRendition('seg-2-00007.m4s.tmp')).toBe('2');
    expect(segmentRendition('seg-0-00001.m4s')).toBe('0');
    expect(segmentRendition('init-0.m4s')).toBeUndefined();
    expect(segmentRendition('ffmpeg.mpd.tmp')).toBeUndefined();
  });
});

describe('PendingReads', () => {
  it('gathers the renditions that changed until the refresh takes them', () => {
    const p = new PendingReads();
    expect(p.queued).toBe(false);
    p.add('1');
    p.add('3');
    p.add('1');
    expect(p.queued).toBe(true);
    expect([...p.take()!].sort()).toEqual(['1', '3']);
    expect(p.queued).toBe(false);
  });

  it('reads every rendition once anything asked for all of them', () => {
    const p = new PendingReads();
    p.add('1');
    p.add();
    p.add('2');
    expect(p.take()).toBeUndefined();
    expect(p.queued).toBe(false);
  });
});
