import { SEGMENT_DURATION_S } from '../../../shared/constants.js';
import type { H264Facts } from '../ingest/h264-sps.js';
import { NO_READING } from '../session/ingest-health.js';
import type { LayerReading } from '../session/ingest.js';
import { evidence } from './top-rung-monitor.js';
import { boundaryTolerance, FRAME_RATE_TOLERANCE, missedBoundary, type TopRungVerdict, walkBoundaries } from './top-rung.js';

/** What the layers monitor knows of a simulcast publisher's layers, as the verdict reads it. */
export interface LayersEvidence {
  /** Each layer's SPS at go-live, top first: the rungs' sizes. */
  expected: readonly H264Facts[];
  /** Each layer as measured now, top first. */
  layers: readonly LayerReading[];
  /** Why a layer is not received now (simulcast-layers.ts missingLayer), if one is not. */
  missing: string | undefined;
  /**
   * The same layers as measured some seconds ago: the frame rate is judged over the frames since, so that
   * a layer the browser paused for a while is not held to its average. Absent: over the whole publish.
   */
  earlier?: readonly LayerReading[] | undefined;
  /** The ladder's frame rate, which the rungs are declared and cut by. */
  fps: number;
  /**
   * Each layer's media time when the layers became the rungs, top first; absent while the rungs are
   * encoded. Only the keyframes since are judged: only then are all the layers asked on the clock.
   */
  sinceS?: readonly number[] | undefined;
}

type Keyframes = Pick<LayerReading, 'keyframesAtS' | 'mediaTimeS'>;

/**
 * Whether a simulcast publisher's layers may be the rungs, copied as they come. Every layer must be
 * received; the layers keep their go-live sizes (a copied rung cannot change its SPS inside its init
 * segment; Axon reads the top layer's SPS, and a browser resizes its layers together, as it scales its
 * camera's picture, so a change shows there); each runs at the ladder's frame rate, within the top-rung
 * judge's tolerance (the parts are cut by it, and FRAME-RATE declares it); and the layers' keyframes fall on
 * the 2 s boundaries by the top-rung judge's rule (top-rung.ts walkBoundaries), on one timeline (each
 * layer's sender reports), so that every rung is cut at the same frames for ABR switching.
 *
 * Where the judge fails a late boundary keyframe, layers mode takes it (up to LATE_SHARED_S) when every
 * layer has it: the keyframe clock counts the next boundary from that keyframe, so every rung's segment is
 * that much longer and all of them restart together; a keyframe late on one layer only, or a layer keying on its
 * own, cuts that rung apart from the others and fails the verdict.
 */
export function judgeLayers(e: LayersEvidence): TopRungVerdict {
  const no = (reason: string): TopRungVerdict => ({ qualifies: false, reason });
  if (e.missing) return no(e.missing);
  const name = (i: number) => `${e.expected[i]!.width}x${e.expected[i]!.height}`;
  const top = e.expected[0]!;
  const size = e.layers[0]?.size;
  if (size && (size.width !== top.width || size.height !== top.height)) {
    return no(`the publisher's top layer is ${size.width}x${size.height}, its rung ${name(0)} (a browser resizes its layers when its camera or CPU changes); a copied rung keeps its size`);
  }
  for (const [i, layer] of e.layers.entries()) {
    const from = e.earlier?.[i];
    // evidence() counts the intervals between the frames it is given: the first frame of the window is the earlier reading's.
    const since = from && from.mediaTimeS <= layer.mediaTimeS ? { frames: layer.frames - from.frames + 1, mediaTimeS: layer.mediaTimeS - from.mediaTimeS } : layer;
    const { frameRate } = evidence('webrtc', { ...NO_READING, frames: since.frames, mediaTimeS: since.mediaTimeS });
    if (frameRate !== null && Math.abs(frameRate - e.fps) > FRAME_RATE_TOLERANCE) {
      return no(`the publisher's ${name(i)} layer runs at ${frameRate.toFixed(1)} fps; its rung is cut and declared at the ladder's ${e.fps} fps`);
    }
  }
  const missed = e.sinceS && misalignedLayer(e.layers, e.sinceS, e.fps, name);
  if (missed) return no(missed);
  const sizes = e.expected.map((l) => `${l.width}x${l.height}`).join(', ');
  return { qualifies: true, reason: `the publisher's H.264 simulcast layers (${sizes}) are the rungs, copied as they come` };
}

/**
 * Why a layer's keyframes since `sinceS` miss the boundaries the top layer's keep, or undefined. They are
 * judged from where the grid started (a keyframe every layer has, which the top layer, paced by the keyframe
 * clock, follows with one on the next boundary): before it lie the keyframes of the go-live probe or of the
 * encoded run, and the new run's first ones.
 */
function misalignedLayer(layers: readonly LayerReading[], sinceS: readonly number[], fps: number, name: (i: number) => string): string | undefined {
  const tolerance = boundaryTolerance(fps);
  const judged = layers.map((l, i) => ({ ...l, keyframesAtS: l.keyframesAtS.filter((at) => at >= sinceS[i]!) }));
  // Past this the grid should have started: a switch waits for FFmpeg and a boundary, then one more.
  const overdue = (l: Keyframes, i: number) => l.mediaTimeS - sinceS[i]! > GRID_START_S;
  const origins = judged.map((l) => l.originS);
  if (origins.some((o) => o === undefined)) {
    // Until every layer's sender report came, each layer is held to the boundaries on its own.
    for (const [i, layer] of judged.entries()) {
      const start = gridStart(layer.keyframesAtS, layer.keyframesAtS, tolerance);
      const why = start === undefined ? overdue(layer, i) && missedBoundary(layer, fps) : walkFrom(layer, start, tolerance);
      if (why) return `the ${name(i)} layer: ${why}`;
    }
    return undefined;
  }
  const onTop = judged.map((l, i): Keyframes => shifted(l, origins[i]! - origins[0]!));
  const [top, ...others] = onTop;
  // A keyframe every layer has; a layer whose newest frame is older has not reached it yet.
  const shared = top!.keyframesAtS.filter((at) => others.every((l) => l.mediaTimeS < at - tolerance || l.keyframesAtS.some((k) => Math.abs(k - at) <= tolerance)));
  let anchor = gridStart(shared, top!.keyframesAtS, tolerance);
  if (anchor === undefined) {
    if (!overdue(judged[0]!, 0)) return undefined;
    const apart = others.findIndex((l) => !top!.keyframesAtS.some((at) => l.keyframesAtS.some((k) => Math.abs(k - at) <= tolerance)));
    const why = apart === -1 ? missedBoundary(top!, fps) : undefined;
    return apart === -1 ? `the layers do not key together${why ? ` (${why})` : ''}` : `the ${name(apart + 1)} layer does not key with the top layer`;
  }
  for (;;) {
    const from: number = anchor;
    const miss = onTop.map((l) => walkFrom(l, from, tolerance));
    const i = miss.findIndex((why) => why !== undefined);
    if (i === -1) return undefined;
    // The clock's late case: a keyframe every layer has, at most LATE_SHARED_S after its boundary.
    anchor = shared.find((at) => at > from && shared.some((p) => at - p > SEGMENT_DURATION_S + tolerance && at - p <= SEGMENT_DURATION_S + LATE_SHARED_S + tolerance));
    if (anchor === undefined) return `the ${name(i)} layer: ${miss[i]}`;
  }
}

/**
 * How late a boundary keyframe every layer shares may come. Every rung is a copy cut at that keyframe, so the
 * rungs stay aligned; the segment stays under 2.5 s, whose EXTINF still rounds to the target duration. The
 * simulcast e2e on an otherwise idle machine saw all layers key 0.1 s late (three frames) once in 20 s,
 * which a one-frame allowance turned into a needless switch to encoding.
 */
const LATE_SHARED_S = 0.4;

/** Two segments and a half: a switch waits up to a boundary for FFmpeg's run, whose grid starts with the next. */
const GRID_START_S = 2.5 * SEGMENT_DURATION_S;

/** The first of `candidates` that `paced` (the stream the keyframe clock paces) has a keyframe a boundary after. */
const gridStart = (candidates: readonly number[], paced: readonly number[], tolerance: number) =>
  candidates.find((at) => paced.some((next) => Math.abs(next - at - SEGMENT_DURATION_S) <= tolerance));

/** The top-rung judge's walk over a layer's keyframes from a boundary's keyframe. */
const walkFrom = (l: Keyframes, anchor: number, tolerance: number) =>
  walkBoundaries(l.keyframesAtS.filter((at) => at > anchor + tolerance), anchor, l.mediaTimeS, tolerance);

const shifted = (l: Keyframes, byS: number): Keyframes => ({ keyframesAtS: l.keyframesAtS.map((at) => at + byS), mediaTimeS: l.mediaTimeS + byS });
