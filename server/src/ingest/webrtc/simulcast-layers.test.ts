import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { h264LayerCount, missingLayer } from './simulcast-layers.js';

const producer = (mimeType: string, layers: number, type: types.ProducerType = layers > 1 ? 'simulcast' : 'simple') => ({
  kind: 'video' as const,
  type,
  rtpParameters: { codecs: [{ mimeType, payloadType: 102, clockRate: 90000 }], encodings: [...Array(layers).keys()].map((i) => ({ rid: `r${i}` })) },
});

const LAYERS = [
  { width: 640, height: 360, profileIdc: 66, constraintFlags: 0xc0, levelIdc: 31 },
  { width: 320, height: 180, profileIdc: 66, constraintFlags: 0xc0, levelIdc: 21 },
];

describe('simulcast layers', () => {
  it('counts H.264 simulcast layers only', () => {
    expect(h264LayerCount(producer('video/H264', 3))).toBe(3);
    expect(h264LayerCount(producer('video/VP8', 3))).toBe(0);
    expect(h264LayerCount(producer('video/H264', 1))).toBe(0);
  });

  it('names the layer that is no longer received, lowest first', () => {
    const scores = (a: number, b: number) => ({ closed: false, score: [{ encodingIdx: 0, ssrc: 1, score: a }, { encodingIdx: 1, ssrc: 2, score: b }] });
    expect(missingLayer(scores(10, 9), LAYERS)).toBeUndefined();
    expect(missingLayer(scores(0, 9), LAYERS)).toContain('its 320x180 layer');
    expect(missingLayer(scores(10, 0), LAYERS)).toContain('its 640x360 layer');
    expect(missingLayer({ closed: true, score: [] }, LAYERS)).toBe('the publisher is away');
  });
});
