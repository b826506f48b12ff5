import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { h264SpsSize } from './h264-sps.js';

// From x264 (FFmpeg 5.1): 360 and 1080 lines are cropped from whole macroblock rows, in units of the
// chroma format's rows (4:2:0: 2 lines, 4:2:2 and 4:4:4: 1 line).
const SPS = {
  high360p: Buffer.from('6764001eacd940a02ff970110000030001000003003c0f162d96', 'hex'),
  main720p: Buffer.from('674d401feca02802dd8088000003000800000301e078c18cb0', 'hex'),
  high1080p: Buffer.from('67640028acd940780227e5c044000003000400000300f03c60c658', 'hex'),
  high422at360p: Buffer.from('677a001ebcd940a02ff89c0440000003004000000f03c58b6580', 'hex'),
  high444at360p: Buffer.from('67f4001e919b281405ff138088000003000800000301e078b16cb0', 'hex'),
};

/** A Baseline SPS with pic_order_cnt_type 1 whose cycle count takes `zeros` leading zero bits. */
function pocCycleSps(zeros: number): Buffer {
  let bits = `1${'1'}010${'0'}11${'0'.repeat(zeros)}1${'1'.repeat(zeros)}`;
  bits += '1'.repeat((8 - (bits.length % 8)) % 8);
  const body = Array.from({ length: bits.length / 8 }, (_, i) => parseInt(bits.slice(i * 8, i * 8 + 8), 2));
  return Buffer.from([0x67, 0x42, 0xc0, 0x1f, ...body]);
}

describe('H.264 SPS', () => {
  it('reads the picture size, cropping included', () => {
    expect(h264SpsSize(SPS.high360p)).toEqual({ width: 640, height: 360 });
    expect(h264SpsSize(SPS.main720p)).toEqual({ width: 1280, height: 720 });
    expect(h264SpsSize(SPS.high1080p)).toEqual({ width: 1920, height: 1080 });
    expect(h264SpsSize(SPS.high422at360p)).toEqual({ width: 640, height: 360 });
    expect(h264SpsSize(SPS.high444at360p)).toEqual({ width: 640, height: 360 });
  });

  it('refuses other NAL units and a truncated SPS', () => {
    expect(h264SpsSize(Buffer.from('68ebe3cb22c0', 'hex'))).toBeUndefined();
    expect(h264SpsSize(SPS.high360p.subarray(0, 8))).toBeUndefined();
    expect(h264SpsSize(Buffer.alloc(0))).toBeUndefined();
  });

  it('refuses a pic order count cycle beyond the standard at once instead of spinning through it', () => {
    const started = performance.now();
    expect(h264SpsSize(pocCycleSps(30))).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('never throws or spins on random or mutated bytes', () => {
    const mutated = fc
      .tuple(fc.constantFrom(...Object.values(SPS)), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat())
      .map(([sps, edits, cut]) => {
        const bytes = Buffer.from(sps);
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        return bytes.subarray(0, Math.max(1, bytes.length - (cut % 4)));
      });
    const random = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([Buffer.from([0x67]), Buffer.from(b)]));
    fc.assert(
      fc.property(fc.oneof(mutated, random), (nal) => {
        const started = performance.now();
        const size = h264SpsSize(nal);
        expect(performance.now() - started).toBeLessThan(50);
        if (size) expect(Number.isSafeInteger(size.width) && size.width > 0 && Number.isSafeInteger(size.height) && size.height > 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
