import { describe, expect, it } from 'vitest';
import { MAX_FULL_HD_BITRATE, MAX_VIDEO_BITRATE, videoEncodings } from './video-sender.js';

const camera = (width: number, height: number) => ({ getSettings: () => ({ width, height }) }) as MediaStreamTrack;

describe('videoEncodings', () => {
  it('caps the whole picture by the size the camera gives: more for a camera taller than 720p', () => {
    expect(videoEncodings({ video: camera(640, 480), videoCodec: 'vp8' })).toEqual([{ maxBitrate: MAX_VIDEO_BITRATE }]);
    expect(videoEncodings({ video: camera(1280, 720), videoCodec: 'h264' })).toEqual([{ maxBitrate: MAX_VIDEO_BITRATE }]);
    expect(videoEncodings({ video: camera(1920, 1080), videoCodec: 'vp8' })).toEqual([{ maxBitrate: MAX_FULL_HD_BITRATE }]);
    expect(videoEncodings({ video: camera(1080, 1920), videoCodec: 'vp8' })).toEqual([{ maxBitrate: MAX_FULL_HD_BITRATE }]);
  });

  it('sends the simulcast layers for H.264 only, the top one at the cap of the camera size', () => {
    const layers = videoEncodings({ video: camera(1920, 1080), videoCodec: 'h264', simulcast: true });
    expect(layers.map((l) => [l.rid, l.scaleResolutionDownBy, l.maxBitrate])).toEqual([
      ['q', 2, 800_000],
      ['h', 1.5, 1_400_000],
      ['f', 1, MAX_FULL_HD_BITRATE],
    ]);
    expect(videoEncodings({ video: camera(1280, 720), videoCodec: 'h264', simulcast: true }).at(-1)?.maxBitrate).toBe(MAX_VIDEO_BITRATE);
    expect(videoEncodings({ video: camera(1280, 720), videoCodec: 'vp8', simulcast: true })).toHaveLength(1);
  });
});
