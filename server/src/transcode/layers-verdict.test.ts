import { describe, expect, it } from 'vitest';
import type { LayerReading } from '../session/ingest.js';
import { judgeLayers, type LayersEvidence } from './layers-verdict.js';

const SPS = { profileIdc: 66, constraintFlags: 0xc0, levelIdc: 31 };
const expected = [
  { ...SPS, width: 1280, height: 720 },
  { ...SPS, width: 640, height: 360 },
];
const FRAME_S = 1 / 30;

/** A layer at 30 fps over `untilS` of its own media time, keyed at `keyframesAtS`, its clock starting at `originS` (null: no sender report yet). */
function layer(keyframesAtS: number[], untilS = 10, originS: number | null = 100): LayerReading {
  return { frames: Math.round(untilS * 30) + 1, mediaTimeS: untilS, keyframesAtS, originS: originS ?? undefined };
}

const judge = (layers: LayerReading[], o: Partial<LayersEvidence> = {}) =>
  judgeLayers({ expected, layers, missing: undefined, fps: 30, sinceS: [0, 0], ...o });

describe('judgeLayers', () => {
  it('takes layers keyed together on every 2 s boundary, their clocks started apart', () => {
    // The lower layer's RTP clock started 0.4 s later: its media times are 0.4 s behind the top's.
    const verdict = judge([layer([0, 2, 4, 6, 8]), layer([0, 1.6, 3.6, 5.6, 7.6], 9.6, 100.4)]);
    expect(verdict).toEqual({ qualifies: true, reason: "the publisher's H.264 simulcast layers (1280x720, 640x360) are the rungs, copied as they come" });
  });

  it('fails when one layer keys a frame late on a boundary, and says which', () => {
    const verdict = judge([layer([0, 2, 4, 6, 8]), layer([0, 2, 4 + FRAME_S, 6, 8])]);
    expect(verdict.qualifies).toBe(false);
    expect(verdict.reason).toMatch(/^the 640x360 layer: keyframes every 2\.033 s/);
  });

  it('takes every layer late on the same boundary, by a frame or by three: the rungs restart their count together', () => {
    for (const byS of [FRAME_S, 3 * FRAME_S]) {
      const late = [0, 2, 4 + byS, 6 + byS, 8 + byS];
      expect(judge([layer(late), layer(late)]).qualifies).toBe(true);
    }
  });

  it('fails a boundary every layer missed by more than a frame', () => {
    const missed = [0, 2, 4.5, 6.5, 8.5];
    expect(judge([layer(missed), layer(missed)]).reason).toMatch(/^the 1280x720 layer: keyframes every 2\.5 s/);
  });

  it('fails a layer keying on its own, on 2 s of its own', () => {
    expect(judge([layer([0, 2, 4, 6, 8]), layer([0.5, 2.5, 4.5, 6.5, 8.5])]).reason).toBe('the 640x360 layer does not key with the top layer');
  });

  it('holds each layer to the boundaries on its own until their sender reports came', () => {
    expect(judge([layer([0, 2, 4, 6, 8], 10, null), layer([0.5, 2.5, 4.5, 6.5, 8.5])]).qualifies).toBe(true);
    expect(judge([layer([0, 2, 4, 6, 8], 10, null), layer([0, 2, 4.1, 6.1, 8.1])]).reason).toMatch(/^the 640x360 layer: keyframes every 2\.1 s/);
  });

  it('judges from where the grid started: a keyframe of the go-live probe more than 2 s before the run is none of its cuts', () => {
    const probed = [0.3];
    expect(judge([layer(probed, 2.8), layer(probed, 2.8)]).qualifies).toBe(true);
    const run = [0.3, 2.9, 4.9, 6.9];
    expect(judge([layer(run, 7.5), layer(run, 7.5)]).qualifies).toBe(true);
    // A grid that never starts is a failure once it is overdue.
    const never = [0.3, 2.9, 5.5, 8.1];
    expect(judge([layer(never, 8.5), layer(never, 8.5)]).reason).toMatch(/^the layers do not key together \(keyframes every 2\.6 s/);
  });

  it('waits for a layer that has not reached the keyframe the top layer just sent', () => {
    expect(judge([layer([0, 2, 4], 4), layer([0, 2], 4 - FRAME_S)]).qualifies).toBe(true);
  });

  it('judges only the keyframes since the layers became the rungs, and none while they are encoded', () => {
    // While encoded only the top layer was asked on the boundaries; layers mode came back at 9.5 s.
    const top = layer([0, 2, 4, 6, 8, 10, 12], 13, null);
    const lower = layer([0, 2, 4.1, 7, 10, 12], 13, null);
    expect(judge([top, lower], { sinceS: [9.5, 9.5] }).qualifies).toBe(true);
    expect(judge([top, lower], { sinceS: [0, 0] }).qualifies).toBe(false);
    expect(judge([top, lower], { sinceS: undefined }).qualifies).toBe(true);
    // On one timeline, the keyframes before the first one every layer has are no rung's cut yet.
    expect(judge([layer([0.7, 1.9, 4, 6, 8]), layer([3.1, 4, 6, 8])]).qualifies).toBe(true);
  });

  it('fails a layer whose size changed, read from the top layer SPS', () => {
    const resized = { ...layer([0, 2, 4, 6, 8]), size: { width: 960, height: 540 } };
    expect(judge([resized, layer([0, 2, 4, 6, 8])]).reason).toBe(
      "the publisher's top layer is 960x540, its rung 1280x720 (a browser resizes its layers when its camera or CPU changes); a copied rung keeps its size",
    );
    expect(judge([{ ...resized, size: { width: 1280, height: 720 } }, layer([0, 2, 4, 6, 8])]).qualifies).toBe(true);
  });

  it('fails a layer off the ladder frame rate, once measured over two GOPs', () => {
    const slow = { ...layer([0, 2, 4, 6, 8]), frames: 201 };
    expect(judge([layer([0, 2, 4, 6, 8]), slow]).reason).toBe("the publisher's 640x360 layer runs at 20.0 fps; its rung is cut and declared at the ladder's 30 fps");
    expect(judge([layer([0, 2], 3), { ...layer([0, 2], 3), frames: 61 }]).qualifies).toBe(true);
  });

  it('judges the frame rate over the frames since the earlier reading: a layer paused a while ago is back at the rate', () => {
    // 10 s of which 4 s paused: 20 fps on average, 30 fps over the last 5 s.
    const paused = { ...layer([0, 2, 4, 6, 8]), frames: 181 };
    const top = layer([0, 2, 4, 6, 8]);
    expect(judge([top, paused]).qualifies).toBe(false);
    const earlier = [{ ...top, frames: 151, mediaTimeS: 5 }, { ...paused, frames: 31, mediaTimeS: 5 }];
    expect(judge([top, paused], { earlier }).qualifies).toBe(true);
    // A publisher that returned on a new connection starts its media time again: the whole publish counts.
    expect(judge([top, paused], { earlier: [top, { ...paused, mediaTimeS: 60 }] }).qualifies).toBe(false);
  });

  it('says first that a layer is missing', () => {
    expect(judge([], { missing: 'the publisher is away' })).toEqual({ qualifies: false, reason: 'the publisher is away' });
  });
});
