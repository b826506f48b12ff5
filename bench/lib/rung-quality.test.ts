import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../server/test/fixtures/temp-dirs.js';
import { measureRungQuality, parsePsnrStats, parseSsimStats, PSNR_CAP_DB } from './rung-quality.js';

const tempDir = tempDirs();

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args]);
}

/** A 3 s moving pattern, losslessly kept: the source both synthetic rungs are cut from. */
function synthetic() {
  const dir = tempDir('axon-rung-quality-');
  const source = path.join(dir, 'source.mkv');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-t', '3', '-c:v', 'ffv1', '-pix_fmt', 'yuv420p', source);
  /** The source from frame `from` on, scaled to 160x120, then lossless or through x264 at a low quality. */
  const rung = (name: string, from: number, codec: string[]) => {
    const file = path.join(dir, name);
    ffmpeg('-i', source, '-vf', `trim=start_frame=${from},setpts=PTS-STARTPTS,scale=160:120:flags=bicubic`, ...codec, '-pix_fmt', 'yuv420p', file);
    return file;
  };
  return { source, rung };
}

const options = { width: 160, height: 120, searchFrames: 15, frames: 30 };

describe('measureRungQuality', () => {
  it('finds the source frame a lossy rung starts at and scores it below a perfect copy', async () => {
    const { source, rung } = synthetic();
    const lossy = rung('lossy.mp4', 7, ['-c:v', 'libx264', '-crf', '40', '-preset', 'ultrafast']);
    const q = await measureRungQuality({ ...options, source, rung: lossy, expectedSourceFrame: 12 });
    expect(q.sourceFrame).toBe(7);
    expect(q.frames).toBe(30);
    expect(q.psnrDb).toBeGreaterThan(15);
    expect(q.psnrDb).toBeLessThan(45);
    expect(q.ssim).toBeGreaterThan(0.5);
    expect(q.ssim).toBeLessThan(0.99);
  });

  it('scores a lossless rung as identical to the scaled source', async () => {
    const { source, rung } = synthetic();
    const exact = rung('exact.mkv', 0, ['-c:v', 'ffv1']);
    const q = await measureRungQuality({ ...options, source, rung: exact, expectedSourceFrame: 4 });
    expect(q.sourceFrame).toBe(0);
    expect(q.psnrDb).toBe(PSNR_CAP_DB);
    expect(q.ssim).toBeCloseTo(1, 6);
  });
});

describe('the stats parsers', () => {
  it('read per-frame PSNR (inf capped) and SSIM', () => {
    expect(parsePsnrStats('n:1 mse_avg:0.00 psnr_avg:inf psnr_y:inf\nn:2 mse_avg:3.1 psnr_avg:43.21 psnr_y:44.0\n')).toEqual([PSNR_CAP_DB, 43.21]);
    expect(parseSsimStats('n:1 Y:0.990000 U:0.980000 V:0.970000 All:0.985000 (18.2)\n')).toEqual([0.985]);
  });
});
