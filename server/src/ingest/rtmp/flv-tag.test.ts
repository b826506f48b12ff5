import { describe, expect, it } from 'vitest';
import { AAC_FRAME, AVC_720P_HEADER, AVC_FRAME, AVC_KEYFRAME, audioTag, videoTag } from '../../../test/fixtures/flv-tags.js';
import { avcFramePtsMs, isKeyframeTag, readFlvTag } from './flv-tag.js';

/** An AVC frame whose composition time offset is `ctsMs`. */
function withCts(body: Buffer, ctsMs: number): Buffer {
  const b = Buffer.from(body);
  b.writeIntBE(ctsMs, 2, 3);
  return b;
}

describe('FLV video tags', () => {
  it('present an H.264 frame at its decoding time plus its composition offset, negative ones too', () => {
    expect(avcFramePtsMs(readFlvTag(videoTag(withCts(AVC_KEYFRAME, 67), 4933))!)).toBe(5000);
    expect(avcFramePtsMs(readFlvTag(videoTag(withCts(AVC_FRAME, -33), 5000))!)).toBe(4967);
  });

  it('have no presentation time for a sequence header or an audio tag', () => {
    expect(avcFramePtsMs(readFlvTag(videoTag(AVC_720P_HEADER, 0))!)).toBeUndefined();
    expect(avcFramePtsMs(readFlvTag(audioTag(AAC_FRAME, 0))!)).toBeUndefined();
  });

  it('tell keyframes from other frames', () => {
    expect(isKeyframeTag(readFlvTag(videoTag(AVC_KEYFRAME))!)).toBe(true);
    expect(isKeyframeTag(readFlvTag(videoTag(AVC_FRAME))!)).toBe(false);
    expect(isKeyframeTag(readFlvTag(audioTag(AAC_FRAME))!)).toBe(false);
  });
});
