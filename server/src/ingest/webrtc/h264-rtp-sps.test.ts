import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { carriesSps, H264SpsReader } from './h264-rtp-sps.js';

// An x264 High-profile SPS for 640x360 (FFmpeg 5.1 on testsrc2), as in keyframe-size.test.ts.
const SPS = Buffer.from('6764001eacd940a02ff970110000030001000003003c0f162d96', 'hex');
const FACTS = { profileIdc: 100, constraintFlags: 0, levelIdc: 30, width: 640, height: 360 };
const PPS = Buffer.from('68ebe3cb22c0', 'hex');

const stapA = (...nals: Buffer[]) => Buffer.concat([Buffer.of(0x78), ...nals.flatMap((n) => [Buffer.of(n.length >> 8, n.length & 0xff), n])]);

/** A NAL unit split into FU-A fragments of at most `size` bytes of its body (RFC 6184 §5.8). */
function fuA(nal: Buffer, size: number): Buffer[] {
  const body = nal.subarray(1);
  const out: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const start = at === 0 ? 0x80 : 0;
    const end = at + size >= body.length ? 0x40 : 0;
    out.push(Buffer.concat([Buffer.of((nal[0]! & 0xe0) | 28, start | end | (nal[0]! & 0x1f)), body.subarray(at, at + size)]));
  }
  return out;
}

describe('H264SpsReader', () => {
  it('reads the SPS sent alone, in a STAP-A aggregate, or in FU-A fragments', () => {
    expect(new H264SpsReader().push(SPS, 1)).toEqual(FACTS);
    expect(new H264SpsReader().push(stapA(SPS, PPS), 1)).toEqual(FACTS);
    const reader = new H264SpsReader();
    const fragments = fuA(SPS, 7);
    const results = fragments.map((f, i) => reader.push(f, (65534 + i) & 0xffff));
    expect(results.slice(0, -1)).toEqual(fragments.slice(1).map(() => undefined));
    expect(results.at(-1)).toEqual(FACTS);
  });

  it('drops FU-A fragments that do not follow on, and fragments of other NAL units', () => {
    const reader = new H264SpsReader();
    const [first, second, ...rest] = fuA(SPS, 7);
    reader.push(first!, 10);
    expect([second!, ...rest].map((f, i) => reader.push(f, 12 + i)).filter(Boolean)).toEqual([]);
    const idr = Buffer.concat([Buffer.of(0x65), Buffer.alloc(40, 0x88)]);
    expect(fuA(idr, 10).map((f, i) => reader.push(f, i)).filter(Boolean)).toEqual([]);
    expect(reader.push(PPS, 1)).toBeUndefined();
  });

  it('never throws on arbitrary payloads and only reports facts within the standard', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 0xffff }))), (packets) => {
        const reader = new H264SpsReader();
        for (const [bytes, seq] of packets) {
          const facts = reader.push(Buffer.from(bytes), seq);
          if (facts) {
            expect(facts.width).toBeGreaterThan(0);
            expect(facts.height).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the SPS back from any fragmentation, whatever came before', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 0xffff }), (noise, size, seq) => {
        const reader = new H264SpsReader();
        reader.push(Buffer.from(noise), seq);
        const fragments = fuA(SPS, size);
        const results = fragments.map((f, i) => reader.push(f, (seq + 1 + i) & 0xffff));
        expect(results.at(-1)).toEqual(FACTS);
      }),
    );
  });
});

describe('carriesSps', () => {
  it('flags the packets carrying an SPS or its first fragment, as mediasoup flags a keyframe', () => {
    expect(carriesSps(SPS)).toBe(true);
    expect(carriesSps(stapA(PPS, SPS))).toBe(true);
    expect(fuA(SPS, 7).map(carriesSps)).toEqual(fuA(SPS, 7).map((_, i) => i === 0));
    expect(carriesSps(PPS)).toBe(false);
    expect(carriesSps(stapA(PPS))).toBe(false);
    expect(fuA(Buffer.concat([Buffer.of(0x65), SPS.subarray(1)]), 7).some(carriesSps)).toBe(false);
    expect(carriesSps(Buffer.alloc(0))).toBe(false);
  });
});
