import { describe, expect, it } from 'vitest';
import { type FrameTimeline, KeyframeClock, type VideoFrame } from './keyframe-clock.js';

/**
 * A publisher as the clock sees it: frames at `fps` on the media timeline; a keyframe request keys the
 * frame `lateFrames` after the next one (0: the next frame, as a browser does when the request is in time).
 */
function publisher(fps: number, lateFrames = () => 0) {
  let listener: ((f: VideoFrame) => void) | undefined;
  const timeline: FrameTimeline = (l) => {
    listener = l;
    return () => (listener = undefined);
  };
  const pending: number[] = [];
  let frame = 0;
  const requests: number[] = [];
  const consumer = {
    closed: false,
    requestKeyFrame: async () => {
      requests.push(frame);
      pending.push(frame + 1 + lateFrames());
    },
  };
  const keyframesAtS: number[] = [];
  const send = (frames: number, extraAt: ReadonlySet<number> = new Set()) => {
    for (let i = 0; i < frames; i++) {
      const keyframe = frame === 0 || extraAt.has(frame) || pending.includes(frame);
      if (keyframe) keyframesAtS.push(frame / fps);
      listener?.({ atS: frame / fps, keyframe });
      frame++;
    }
  };
  return { timeline, consumer, send, keyframesAtS, requests, listening: () => listener !== undefined };
}

const intervals = (at: number[]) => at.slice(1).map((t, i) => Number((t - at[i]!).toFixed(4)));

describe('KeyframeClock', () => {
  it('puts keyframes every 2 s from the first, asking on the frame before each boundary', () => {
    const p = publisher(30);
    const clock = new KeyframeClock({ consumers: [p.consumer], timeline: p.timeline });
    p.send(30 * 20 + 1);
    expect(p.keyframesAtS).toEqual(Array.from({ length: 11 }, (_, i) => 2 * i));
    expect(p.requests).toEqual(Array.from({ length: 10 }, (_, i) => 60 * (i + 1) - 1));
    expect(clock.nextBoundaryS).toBe(22);
    clock.close();
    expect(p.listening()).toBe(false);
  });

  it('keeps the boundaries at 29.97 fps, each within half a frame of 2 s after the previous', () => {
    const fps = 30000 / 1001;
    const p = publisher(fps);
    new KeyframeClock({ consumers: [p.consumer], timeline: p.timeline });
    p.send(Math.ceil(fps * 60));
    for (const gap of intervals(p.keyframesAtS)) expect(Math.abs(gap - 2)).toBeLessThanOrEqual(0.5 / fps);
  });

  it('leaves extra keyframes between boundaries alone', () => {
    const p = publisher(30);
    new KeyframeClock({ consumers: [p.consumer], timeline: p.timeline });
    p.send(30 * 10 + 1, new Set([15, 100, 200]));
    expect(p.keyframesAtS.filter((t) => Number.isInteger(t / 2))).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it('counts again from a boundary keyframe that came a frame late', () => {
    let late = 0;
    const p = publisher(30, () => late);
    new KeyframeClock({ consumers: [p.consumer], timeline: p.timeline });
    p.send(61);
    late = 1;
    p.send(60);
    late = 0;
    p.send(30 * 6);
    expect(intervals(p.keyframesAtS)).toEqual([2, 2.0333, 2, 2]);
  });

  it('asks on every consumer together and skips closed ones', () => {
    const p = publisher(30);
    const calls: string[] = [];
    const layer = (name: string, closed = false) => ({ closed, requestKeyFrame: async () => void calls.push(name) });
    new KeyframeClock({ consumers: [p.consumer, layer('a'), layer('b', true)], timeline: p.timeline });
    p.send(61);
    expect(calls).toEqual(['a']);
  });

  it('asks again after a whole period without the keyframe it asked for', () => {
    const p = publisher(30, () => 10_000);
    new KeyframeClock({ consumers: [p.consumer], timeline: p.timeline });
    p.send(30 * 7);
    expect(p.requests).toEqual([59, 119, 179]);
  });
});

describe('KeyframeClock across FFmpeg runs', () => {
  it('starts its grid once a consumer is attached, keeps it between runs, and lets the next run start on it', async () => {
    const p = publisher(30);
    const clock = new KeyframeClock({ consumers: [], timeline: p.timeline });
    await clock.untilBoundary(); // no grid yet: at once
    p.send(45, new Set([10])); // keyframes at 0 and 10 before any run: not the grid's
    expect(clock.running).toBe(false);
    const detach = clock.attach([p.consumer]);
    p.send(1, new Set([45]));
    expect(clock.nextBoundaryS).toBe(3.5);
    p.send(30 * 4);
    detach();
    // No run for 5 s: no requests, but the grid carries on.
    const asked = p.requests.length;
    p.send(30 * 5);
    expect(p.requests.length).toBe(asked);
    let resolved = false;
    const boundary = clock.untilBoundary().then(() => (resolved = true));
    p.send(28); // up to frame 343; the boundary is frame 345 (11.5 s)
    await Promise.resolve();
    expect(resolved).toBe(false);
    p.send(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(resolved).toBe(true);
    await boundary;
    expect(clock.nextBoundaryS).toBe(11.5);
    clock.close();
  });
});
