import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../../test/fixtures/temp-dirs.js';
import { readFragmentTiming, readInitInfo } from './cmaf-boxes.js';

// Real CMAF output of FFmpeg's dash muxer: 5 s of 30 fps video and 48 kHz AAC cut into 2 s segments.
const tempDir = tempDirs();
let dir: string;
beforeAll(() => {
  dir = tempDir('axon-cmaf-');
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=30[out0];sine=sample_rate=48000[out1]', '-t', '5',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-c:a', 'aac',
    '-f', 'dash', '-seg_duration', '2', '-format_options', 'movflags=cmaf', '-adaptation_sets', 'id=0,streams=v id=1,streams=a',
    '-init_seg_name', 'init-$RepresentationID$.m4s', '-media_seg_name', 'seg-$RepresentationID$-$Number%05d$.m4s',
    path.join(dir, 'out.mpd'),
  ]);
});

const file = (name: string) => fs.readFileSync(path.join(dir, name));

describe('CMAF box reading', () => {
  it('reads video timing from real segments', () => {
    const init = readInitInfo(file('init-0.m4s'));
    expect(init.timescale).toBe(15360);
    expect(readFragmentTiming(file('seg-0-00001.m4s'), init)).toEqual({ decodeTime: 0, duration: 30720 });
    expect(readFragmentTiming(file('seg-0-00002.m4s'), init)).toEqual({ decodeTime: 30720, duration: 30720 });
    expect(readFragmentTiming(file('seg-0-00003.m4s'), init).duration).toBe(15360);
  });

  it('reads audio timing, contiguous across segments', () => {
    const init = readInitInfo(file('init-1.m4s'));
    expect(init.timescale).toBe(48000);
    const a = readFragmentTiming(file('seg-1-00001.m4s'), init);
    const b = readFragmentTiming(file('seg-1-00002.m4s'), init);
    expect(b.decodeTime).toBe(a.decodeTime + a.duration);
    expect(a.duration / 48000).toBeCloseTo(2, 1);
  });

  it('refuses truncated and foreign data', () => {
    const init = readInitInfo(file('init-0.m4s'));
    const seg = file('seg-0-00001.m4s');
    expect(() => readFragmentTiming(seg.subarray(0, 40), init)).toThrow(/truncated|tfdt/);
    expect(() => readFragmentTiming(Buffer.from('<html>not a segment</html>'), init)).toThrow();
    expect(() => readInitInfo(seg)).toThrow(/mdhd/);
  });
});
