import { describe, expect, it } from 'vitest';
import { h264SpsFacts } from '../ingest/h264-sps.js';
import { buildTranscodeArgs } from './ffmpeg-args.js';
import { planLadder } from './ladder.js';
import { ladderFps } from './ladder-fps.js';
import { partDurationS, partFrames } from './part-duration.js';
import { judgeLayers } from './layers-verdict.js';
import { judgeTopRung, type TopRungEvidence } from './top-rung.js';

describe('ladderFps', () => {
  it('caps the configured rate at the rate the source declares, in whole frames', () => {
    const capped: Array<[configured: number, declared: number, ladder: number]> = [
      [30, 25, 25], [30, 24, 24], [30, 23.976, 24], [30, 29.97, 30], [30, 20, 20], [60, 50, 50], [30, 9.5, 10],
    ];
    for (const [configured, declared, ladder] of capped) expect(ladderFps(configured, declared)).toBe(ladder);
  });

  it('keeps the configured rate for a source that declares none, an implausibly slow one, or a faster one it does not divide', () => {
    expect(ladderFps(30, undefined)).toBe(30);
    expect(ladderFps(25, 29.97)).toBe(25);
    for (const declared of [30.4, 144, 9.4, 1, 0, -25, Number.NaN, Number.POSITIVE_INFINITY]) expect(ladderFps(30, declared)).toBe(30);
  });

  it('keeps every k-th frame of a faster source where that is a whole rate near the configured one', () => {
    const divided: Array<[configured: number, declared: number, ladder: number]> = [
      [30, 50, 25], [30, 60, 30], [30, 59.94, 30], [30, 48, 24], [30, 120, 30], [30, 100, 25], [25, 50, 25], [25, 60, 20],
    ];
    for (const [configured, declared, ladder] of divided) expect(ladderFps(configured, declared)).toBe(ladder);
  });

  it('gives a ladder whose 2 s GOP and parts are whole frames at every rate it can pick', () => {
    for (let declared = 1; declared <= 240; declared += 0.25) {
      const fps = ladderFps(declared > 60 ? 30 : 60, declared);
      expect(Number.isInteger(fps * 2)).toBe(true);
      expect((fps * 2) % partFrames(fps)).toBe(0);
      expect(partDurationS(fps)).toBeLessThanOrEqual(0.5);
    }
  });
});

describe('a ladder at a 25 fps source', () => {
  const ladder = planLadder({ width: 1280, height: 720 }, [720, 360], ladderFps(30, 25));
  const top = ladder.rungs[0]!;
  const args = (topRung: 'copy' | 'encode') =>
    buildTranscodeArgs({ inputArgs: ['-f', 'flv', '-i', 'pipe:0'], hasAudio: true, ladder, x264Preset: 'veryfast', runDir: '/run', topRung });
  const option = (a: string[], name: string) => a[a.indexOf(name) + 1];

  it('declares every rung at 25 fps', () => {
    expect(ladder.rungs.map((r) => r.fps)).toEqual([25, 25]);
  });

  it('encodes 25 fps with a keyframe every 50 frames and cuts 0.4 s parts of 10 frames', () => {
    const encoded = args('encode');
    expect(encoded.join(' ')).toContain('[0:v:0]fps=25,');
    expect(option(encoded, '-g')).toBe('50');
    expect(option(encoded, '-keyint_min')).toBe('50');
    expect(option(encoded, '-seg_duration')).toBe('2');
    expect(option(encoded, '-frag_duration')).toBe('0.4');
    expect(partFrames(25)).toBe(10);
  });

  it('beside a copied top rung, keys the encoded rungs and cuts the segments 2 s less half a 25 fps frame apart', () => {
    const copied = args('copy');
    expect(option(copied, '-seg_duration')).toBe('1.9800');
    expect(option(copied, '-force_key_frames')).toContain('prev_forced_t+1.9800');
    expect(option(copied, '-frag_duration')).toBe('0.4');
  });

  it('lets the top-rung judge copy a 25 fps source with a 2 s GOP, and encode a 30 fps one', () => {
    // x264's Main 3.1 SPS for 1280x720 (from FFmpeg 5.1).
    const h264 = h264SpsFacts(Buffer.from('674d401feca02802dd8088000003000800000301e078c18cb0', 'hex'))!;
    const keyframesAtS = Array.from({ length: 11 }, (_, i) => i * 2);
    const evidence = (frameRate: number): TopRungEvidence => ({ protocol: 'rtmp', videoCodec: 'H.264', h264, keyframesAtS, mediaTimeS: 21, frameRate, reordered: false, layers: 1 });
    expect(judgeTopRung(evidence(25), top).qualifies).toBe(true);
    expect(judgeTopRung(evidence(30), top)).toEqual({ qualifies: false, reason: "the source runs at 30.0 fps; passthrough needs the ladder's 25 fps" });
  });

  it('keeps the simulcast layers of a 25 fps camera as the rungs, and encodes layers at 30 fps', () => {
    const sps = { profileIdc: 66, constraintFlags: 0xc0, levelIdc: 31 };
    const expected = [{ ...sps, width: 1280, height: 720 }, { ...sps, width: 640, height: 360 }];
    const keyframesAtS = [0, 2, 4, 6, 8];
    const layers = (rate: number) => expected.map(() => ({ frames: 10 * rate + 1, mediaTimeS: 10, keyframesAtS, originS: 100 }));
    const judge = (rate: number) => judgeLayers({ expected, layers: layers(rate), missing: undefined, fps: top.fps, sinceS: [0, 0] });
    expect(judge(25).qualifies).toBe(true);
    expect(judge(30).reason).toMatch(/^the publisher's 1280x720 layer runs at 30\.0 fps; its rung is cut and declared at the ladder's 25 fps/);
  });
});
