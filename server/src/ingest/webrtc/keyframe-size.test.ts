import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyframeSize, rtpPayload } from './keyframe-size.js';

// Captured from FFmpeg 5.1 encoding testsrc2 at 640x360: the first 10 bytes of a libvpx key frame and an
// x264 High-profile SPS (360 lines are 23 macroblocks cropped by 8, which the SPS must say).
const VP8_KEYFRAME_HEADER = Buffer.from('f0c6009d012a80026801', 'hex');
const H264_SPS = Buffer.from('6764001eacd940a02ff970110000030001000003003c0f162d96', 'hex');

/** An RTP packet (version 2) with `csrcs` CSRCs, an optional one-byte-header extension and padding. */
function rtp(payload: Buffer, o: { csrcs?: number; extensionWords?: number; padding?: number } = {}): Buffer {
  const csrcs = o.csrcs ?? 0;
  const header = Buffer.alloc(12 + 4 * csrcs);
  header[0] = 0x80 | csrcs | (o.extensionWords !== undefined ? 0x10 : 0) | (o.padding ? 0x20 : 0);
  header[1] = 96;
  const parts: Buffer[] = [header];
  if (o.extensionWords !== undefined) {
    const ext = Buffer.alloc(4 + 4 * o.extensionWords, 0xee);
    ext.writeUInt16BE(0xbede, 0);
    ext.writeUInt16BE(o.extensionWords, 2);
    parts.push(ext);
  }
  parts.push(payload);
  if (o.padding) parts.push(Buffer.concat([Buffer.alloc(o.padding - 1), Buffer.from([o.padding])]));
  return Buffer.concat(parts);
}

describe('keyframe sizes from RTP', () => {
  it('finds the payload behind CSRCs and a header extension, before the padding', () => {
    const payload = Buffer.from([1, 2, 3]);
    expect(rtpPayload(rtp(payload, { csrcs: 2, extensionWords: 3, padding: 4 }))).toEqual(payload);
    expect(rtpPayload(Buffer.from([0x80, 96]))).toBeUndefined();
    expect(rtpPayload(Buffer.alloc(20))).toBeUndefined(); // version 0
  });

  it('reads a VP8 key frame behind the payload descriptor, with or without its extensions', () => {
    // S=1, PID=0, no extension.
    expect(keyframeSize('video/VP8', rtp(Buffer.concat([Buffer.from([0x10]), VP8_KEYFRAME_HEADER]), { extensionWords: 2 }))).toEqual({
      width: 640,
      height: 360,
    });
    // X=1 with a 15-bit PictureID, TL0PICIDX and TID/KEYIDX, as Chrome sends with temporal layers.
    const descriptor = Buffer.from([0x90, 0xe0, 0x81, 0x23, 0x05, 0x40]);
    expect(keyframeSize('video/vp8', rtp(Buffer.concat([descriptor, VP8_KEYFRAME_HEADER])))).toEqual({ width: 640, height: 360 });
  });

  it('ignores VP8 delta frames and packets that do not start a frame', () => {
    const delta = Buffer.from(VP8_KEYFRAME_HEADER);
    delta[0] = delta[0]! | 0x01;
    expect(keyframeSize('video/VP8', rtp(Buffer.concat([Buffer.from([0x10]), delta])))).toBeUndefined();
    expect(keyframeSize('video/VP8', rtp(Buffer.concat([Buffer.from([0x00]), VP8_KEYFRAME_HEADER])))).toBeUndefined();
  });

  it('reads the H.264 SPS alone or in a STAP-A aggregate, cropping included', () => {
    expect(keyframeSize('video/H264', rtp(H264_SPS))).toEqual({ width: 640, height: 360 });
    const pps = Buffer.from('68ebe3cb22c0', 'hex');
    const size = (n: Buffer) => Buffer.from([n.length >> 8, n.length & 0xff]);
    const stapA = Buffer.concat([Buffer.from([0x18]), size(H264_SPS), H264_SPS, size(pps), pps]);
    expect(keyframeSize('video/H264', rtp(stapA))).toEqual({ width: 640, height: 360 });
  });

  it('ignores other NAL units and codecs it does not read', () => {
    expect(keyframeSize('video/H264', rtp(Buffer.from('65888400', 'hex')))).toBeUndefined();
    expect(keyframeSize('video/H264', rtp(Buffer.from([0x18, 0x00, 0x09, 0x67])))).toBeUndefined();
    expect(keyframeSize('video/VP9', rtp(H264_SPS))).toBeUndefined();
  });

  it('refuses random and mutated packets cleanly: no throw, no spin, only sizes that are sizes', () => {
    const vp8 = rtp(Buffer.concat([Buffer.from([0x90, 0xe0, 0x81, 0x23, 0x05, 0x40]), VP8_KEYFRAME_HEADER]), { csrcs: 1, extensionWords: 1, padding: 2 });
    const h264 = rtp(Buffer.concat([Buffer.from([0x18, 0x00, H264_SPS.length]), H264_SPS]));
    const mutated = fc
      .tuple(fc.constantFrom(vp8, h264), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat())
      .map(([packet, edits, cut]) => {
        const bytes = Buffer.from(packet);
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        return bytes.subarray(0, bytes.length - (cut % bytes.length));
      });
    const random = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b));
    fc.assert(
      fc.property(fc.constantFrom('video/VP8', 'video/H264', 'video/VP9'), fc.oneof(mutated, random), (mimeType, packet) => {
        const started = performance.now();
        const size = keyframeSize(mimeType, packet);
        expect(performance.now() - started).toBeLessThan(50);
        if (size) expect(Number.isInteger(size.width) && Number.isInteger(size.height) && size.width >= 0 && size.height >= 0).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
