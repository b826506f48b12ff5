import { describe, expect, it } from 'vitest';
import { AAC_FRAME, AAC_HEADER, audioTag, AVC_720P_HEADER, AVC_FRAME, AVC_KEYFRAME, videoTag } from '../../../test/fixtures/flv-tags.js';
import { FlvMeter } from './flv-meter.js';

/** `seconds` of 30 fps video from `startMs`, a keyframe every `gopFrames`, and an AAC frame beside each. */
function publish(meter: FlvMeter, seconds: number, gopFrames: number, startMs = 0, withAudio = true): void {
  meter.push(videoTag(AVC_720P_HEADER, startMs));
  if (withAudio) meter.push(audioTag(AAC_HEADER, startMs));
  for (let i = 0; i < seconds * 30; i++) {
    const timeMs = startMs + Math.round((i * 1000) / 30);
    meter.push(videoTag(i % gopFrames === 0 ? AVC_KEYFRAME : AVC_FRAME, timeMs));
    if (withAudio) meter.push(audioTag(AAC_FRAME, timeMs));
  }
}

describe('FlvMeter', () => {
  it('reads codecs, picture size, frames, keyframes and media time from the tags', () => {
    const meter = new FlvMeter();
    publish(meter, 7, 180, 5000);
    const reading = meter.read();
    expect(reading).toMatchObject({ videoCodec: 'H.264', audioCodec: 'AAC', width: 1280, height: 720, frames: 210 });
    // Timestamps count from the first frame: a publisher's clock may start anywhere.
    expect(reading.mediaTimeS).toBeCloseTo(6.967, 3);
    expect(reading.keyframesAtS).toEqual([0, 6]);
    // Frame bodies only (the test keyframe is as long as a frame): sequence headers are set-up, not media.
    expect(reading.bytes).toBe(210 * (AVC_FRAME.length + AAC_FRAME.length));
  });

  it('keeps the sequence header profile and level, the latest keyframes, and whether frames came reordered', () => {
    const meter = new FlvMeter();
    publish(meter, 40, 60);
    const reading = meter.read();
    expect(reading.h264).toEqual({ width: 1280, height: 720, profileIdc: 66, constraintFlags: 0xc0, levelIdc: 31 });
    expect(reading.keyframesAtS).toEqual(Array.from({ length: 16 }, (_, i) => 8 + 2 * i));
    expect(reading.reordered).toBe(false);
    // A B-frame: presentation 33 ms after decoding (the composition time offset of an AVC NALU packet).
    meter.push(videoTag(Buffer.from('2701000021000000024188', 'hex'), 40_000));
    expect(meter.read().reordered).toBe(true);
  });

  it('reports no audio codec for a video-only publish', () => {
    const meter = new FlvMeter();
    publish(meter, 1, 60, 0, false);
    expect(meter.read()).toMatchObject({ videoCodec: 'H.264', audioCodec: null, frames: 30 });
  });

  it('ignores tags too short to read', () => {
    const meter = new FlvMeter();
    meter.push(Buffer.from([9, 0, 0]));
    meter.push(videoTag(Buffer.from([0x17])));
    expect(meter.read()).toMatchObject({ videoCodec: null, frames: 0, bytes: 0 });
  });
});
