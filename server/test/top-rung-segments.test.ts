import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildTranscodeArgs } from '../src/transcode/ffmpeg-args.js';
import { SMALL_LADDER } from './fixtures/cmaf-run.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const run = promisify(execFile);
const makeTempDir = tempDirs();

/** Each representation's segment durations (s) in FFmpeg's own manifest, from its SegmentTimeline. */
function segmentDurations(mpd: string): number[][] {
  return [...mpd.matchAll(/<Representation [\s\S]*?<\/Representation>/g)].map(([rep]) => {
    const timescale = Number(/timescale="(\d+)"/.exec(rep)![1]);
    return [...rep.matchAll(/<S (?:t="\d+" )?d="(\d+)"(?: r="(\d+)")? \/>/g)].flatMap(([, d, r]) => Array<number>(Number(r ?? 0) + 1).fill(Number(d) / timescale));
  });
}

describe('a copied top rung', () => {
  it('cuts its segments at source keyframes 1.999 s apart, with the encoded rungs', async () => {
    const dir = makeTempDir('axon-copy-segments-');
    const source = path.join(dir, 'gop-1999ms.flv');
    // 60 frames in 1,999 ms: every keyframe is 1 ms short of 2 s by the FLV's millisecond timestamps.
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=60000/1999', '-t', '12',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-bf', '0', source]);
    const runDir = path.join(dir, 'run');
    fs.mkdirSync(runDir);
    const args = buildTranscodeArgs({ inputArgs: ['-i', source], hasAudio: false, ladder: SMALL_LADDER, x264Preset: 'ultrafast', runDir, topRung: 'copy' });
    await run('ffmpeg', args);
    const [copied, encoded] = segmentDurations(fs.readFileSync(path.join(runDir, 'ffmpeg.mpd'), 'utf8'));
    expect(copied!.length).toBeGreaterThanOrEqual(5);
    expect(copied!.length).toBe(encoded!.length);
    for (const d of copied!.slice(0, -1)) expect(d).toBeCloseTo(1.999, 3);
  }, 60_000);
});
