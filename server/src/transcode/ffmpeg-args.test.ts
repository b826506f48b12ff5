import { describe, expect, it } from 'vitest';
import { buildTranscodeArgs } from './ffmpeg-args.js';
import { planLadder } from './ladder.js';
import type { TopRungMode } from './top-rung.js';

const HEIGHTS = [1080, 720, 480, 360, 144];
const INPUT = ['-f', 'flv', '-i', 'pipe:0'];

function args(width: number, height: number, topRung: TopRungMode = 'encode'): string[] {
  const ladder = planLadder({ width, height }, HEIGHTS, 30);
  return buildTranscodeArgs({ inputArgs: INPUT, hasAudio: true, ladder, x264Preset: 'veryfast', runDir: '/run', topRung });
}

/** The value of every `-threads:v:N` option, by stream index. */
const encoderThreads = (a: string[]) =>
  Object.fromEntries(a.flatMap((o, i) => (o.startsWith('-threads:v:') ? [[o.slice('-threads:v:'.length), a[i + 1]]] : [])));

describe('buildTranscodeArgs threads', () => {
  it('encodes the rungs of 480p and below on one thread and leaves the others to x264', () => {
    // 720p source: 720p, 480p, 360p, 144p.
    expect(encoderThreads(args(1280, 720))).toEqual({ 1: '1', 2: '1', 3: '1' });
    expect(encoderThreads(args(1920, 1080, 'copy'))).toEqual({ 2: '1', 3: '1', 4: '1' });
  });

  it('keeps the top rung on x264 threads even when it is small', () => {
    expect(encoderThreads(args(640, 360))).toEqual({ 1: '1' });
  });

  it('decodes and scales a source of up to 1080p on one thread', () => {
    const a = args(1920, 1080);
    expect(a.slice(a.indexOf('-threads'), a.indexOf('-threads') + 2 + INPUT.length)).toEqual(['-threads', '1', ...INPUT]);
    expect(a[a.indexOf('-filter_complex_threads') + 1]).toBe('1');
    const large = args(3840, 2160);
    expect(large).not.toContain('-threads');
    expect(large).not.toContain('-filter_complex_threads');
  });
});
