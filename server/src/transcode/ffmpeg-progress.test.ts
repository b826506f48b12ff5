import { describe, expect, it } from 'vitest';
import { ProgressParser } from './ffmpeg-progress.js';

describe('ProgressParser', () => {
  it('parses blocks split across chunks', () => {
    const p = new ProgressParser();
    expect(p.push('frame=30\nfps=29.97\nout_time_us=1000000\nsp')).toEqual([]);
    const blocks = p.push('eed=1.01x\ndup_frames=2\ndrop_frames=0\ntotal_size=4096\nprogress=continue\nframe=60\nprogress=end\n');
    expect(blocks).toEqual([
      { frame: 30, fps: 29.97, outTimeS: 1, speed: 1.01, dupFrames: 2, dropFrames: 0, totalSize: 4096, end: false },
      { frame: 60, fps: 0, outTimeS: 0, speed: 0, dupFrames: 0, dropFrames: 0, totalSize: 0, end: true },
    ]);
  });

  it('treats N/A and junk as zero and survives garbage', () => {
    const p = new ProgressParser();
    expect(p.push('speed=N/A\n=\nnonsense\nframe=abc\nprogress=continue\n')[0]).toMatchObject({ speed: 0, frame: 0 });
    expect(p.push('x'.repeat(70_000))).toEqual([]);
    expect(p.push('\nframe=1\nprogress=continue\n')[0]!.frame).toBe(1);
  });
});
