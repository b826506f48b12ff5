import type { H264Facts } from '../ingest/h264-sps.js';
import { AUDIO_RENDITION, encodedRung, type Ladder, type Rung } from './ladder.js';
import { avc1Codec, type TopRungMode } from './top-rung.js';

/**
 * How one FFmpeg run makes the ladder: the top rung copied or encoded (the other rungs encoded), or
 * `layers`: every rung is one of the publisher's simulcast layers, copied as it came.
 */
export type RunMode = TopRungMode | 'layers';

/**
 * The ladder of a broadcast whose rungs are its publisher's simulcast layers (their sizes from each
 * layer's SPS, top first). It is fixed for the broadcast: when a layer goes away FFmpeg encodes the same
 * sizes from the top layer, so the master playlist keeps its renditions in either mode.
 */
export function layerLadder(layers: readonly H264Facts[], fps: number): Ladder {
  if (layers.length === 0) throw new Error('a layer ladder needs at least one layer');
  return { rungs: layers.map((l) => encodedRung(l.width, l.height, fps)), audio: AUDIO_RENDITION };
}

/**
 * A rung as its copied layer declares it in the manifests: level and codec from the layer's SPS, and as
 * its bitrate the layer's as measured (BANDWIDTH adds the same 1.2x peak allowance as for an encoded rung).
 * Before anything was measured the planned bitrate stands in.
 */
export function copiedLayerRung(planned: Rung, sps: H264Facts, measuredBitrate: number): Rung {
  const videoBitrate = measuredBitrate > 0 ? Math.round(measuredBitrate) : planned.videoBitrate;
  return { ...planned, level: sps.levelIdc, codec: avc1Codec(sps), videoBitrate };
}
