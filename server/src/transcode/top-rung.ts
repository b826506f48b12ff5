import { SEGMENT_DURATION_S } from '../../../shared/constants.js';
import type { TopRungSetting } from '../../../shared/livestream.js';
import type { H264Facts } from '../ingest/h264-sps.js';
import type { IngestProtocol } from '../session/ingest.js';
import type { IngestReading } from '../session/ingest-health.js';
import type { Rung } from './ladder.js';

/** copy: the top rung is the source's own video repackaged; encode: x264 encodes it like the other rungs. */
export type TopRungMode = 'copy' | 'encode';

export interface TopRungVerdict {
  /** Whether the source, as measured so far, may be copied. */
  qualifies: boolean;
  /** In plain words, for the log and the broadcast's health: why it may, or why not. */
  reason: string;
}

/** What the ingest's meter has measured of the source's video, as the decision reads it. */
export interface TopRungEvidence {
  protocol: IngestProtocol;
  videoCodec: string | null;
  /** From the latest sequence header; undefined while none was read. */
  h264: H264Facts | undefined;
  /** Media times of the latest keyframes, oldest first. */
  keyframesAtS: readonly number[];
  /** Media time of the newest frame. */
  mediaTimeS: number;
  /** Frames per second over the publish so far; null until a second of it was measured. */
  frameRate: number | null;
  /** Whether a frame was seen whose presentation time differs from its decoding time (B-frames). */
  reordered: boolean;
  /** Simulcast layers (WebRTC); 1 for a single stream. */
  layers: number;
}

/**
 * Profiles every HLS and DASH player decodes (Baseline 66, Main 77, High 100: 8-bit 4:2:0, which hls.js,
 * dash.js through MSE and Apple's devices all take); High 10, 4:2:2 and 4:4:4 are not decoded by browsers.
 */
const PLAYABLE_PROFILES: ReadonlyMap<number, string> = new Map([
  [66, 'Baseline'],
  [77, 'Main'],
  [100, 'High'],
]);
/** Level 4.2 is 1080p at 60 fps, the most Apple's HLS authoring spec lists for H.264 and what every device decodes. */
const MAX_LEVEL = 42;
/** The frame rate may differ from the ladder's by this much (29.97 for 30): the lower rungs are resampled to it. */
export const FRAME_RATE_TOLERANCE = 1;

/**
 * Whether the top rung may be the source's own video. A segment is cut at the first keyframe at least
 * SEGMENT_DURATION_S after its start, in every rung, and the encoded rungs put their keyframes on the
 * source's (`-force_key_frames source`): so the source must have a keyframe on every 2 s boundary from its
 * first one, within half a frame (RTMP counts milliseconds), whatever else it has between (scene cuts, a 1 s
 * GOP). A 5 s GOP misses two boundaries out of three; 2.1 s drifts off them. The frames must be in
 * decoding order (no B-frames: CMAF parts of a reordered stream would need composition offsets and an edit
 * list that low-latency players handle badly), and the picture must be the top rung's (the ladder never
 * upscales, so a source is its own top rung unless it has an odd size).
 *
 * A WebRTC source (studio, WHIP) is judged by the same rules on what its RTP shows: the SPS of each
 * keyframe and the keyframes the keyframe clock asks for on the boundaries (keyframe-clock.ts). Its
 * browser changes the picture size with its bandwidth estimate, each change with a new SPS: the verdict
 * then goes against it until the size is the top rung's again.
 */
export function judgeTopRung(e: TopRungEvidence, top: Rung): TopRungVerdict {
  const no = (reason: string): TopRungVerdict => ({ qualifies: false, reason });
  const webrtc = e.protocol !== 'rtmp';
  if (e.videoCodec !== 'H.264') return no(e.videoCodec ? `the source's video is ${e.videoCodec}; passthrough needs H.264` : 'the source has sent no video yet');
  if (e.layers > 1) return no(`the browser sends ${e.layers} simulcast layers; passthrough takes a single stream`);
  if (!e.h264) return no("the source's H.264 sequence header has not been read yet");
  const { profileIdc, levelIdc, width, height } = e.h264;
  const profile = PLAYABLE_PROFILES.get(profileIdc);
  if (!profile) return no(`the source's H.264 profile ${profileIdc} is not one every player decodes (Baseline, Main or High)`);
  if (levelIdc > MAX_LEVEL) return no(`the source's H.264 level ${(levelIdc / 10).toFixed(1)} is above ${(MAX_LEVEL / 10).toFixed(1)}`);
  if (width !== top.width || height !== top.height) {
    const adapted = webrtc ? ' (a browser lowers its picture size when its bandwidth or CPU falls short)' : '';
    return no(`the source is ${width}x${height}, the top rung ${top.width}x${top.height}${adapted}`);
  }
  if (e.reordered) return no('the source has B-frames (frames out of order); passthrough needs none (OBS: x264 option bframes=0)');
  if (e.frameRate !== null && Math.abs(e.frameRate - top.fps) > FRAME_RATE_TOLERANCE) {
    return no(`the source runs at ${e.frameRate.toFixed(1)} fps; passthrough needs the ladder's ${top.fps} fps`);
  }
  const missed = missedBoundary(e, top.fps);
  if (missed) return no(`${missed} ${webrtc ? "(the browser did not key on Axon's requests in time)" : '(OBS: Output, Keyframe Interval 2 s)'}`);
  return { qualifies: true, reason: `the source's ${profile} ${(levelIdc / 10).toFixed(1)} H.264 has a keyframe every ${SEGMENT_DURATION_S} s` };
}

/**
 * Why the keyframes miss a segment boundary, or undefined when every boundary measured so far has one.
 * The boundaries are counted from a keyframe in the first 2 s of the window (the oldest one kept may be an
 * extra keyframe at a scene cut, off the boundaries).
 */
export function missedBoundary({ keyframesAtS: k, mediaTimeS }: Pick<TopRungEvidence, 'keyframesAtS' | 'mediaTimeS'>, fps: number): string | undefined {
  const tolerance = boundaryTolerance(fps);
  const first = k[0];
  if (first === undefined) return undefined;
  const anchors = k.filter((at) => at < first + SEGMENT_DURATION_S - tolerance);
  let why: string | undefined;
  for (const anchor of anchors) {
    why = walkBoundaries(k.filter((at) => at > anchor), anchor, mediaTimeS, tolerance);
    if (!why) return undefined;
  }
  return why;
}

/** How far from a boundary its keyframe may be: half a frame (and a millisecond for RTMP's rounding). */
export const boundaryTolerance = (fps: number) => 0.5 / fps + 0.001;

/**
 * Why the keyframes after `anchor` (a boundary's keyframe) miss a boundary counted from it, or undefined:
 * each boundary is counted from the previous one's keyframe, whatever lies between.
 */
export function walkBoundaries(keyframes: readonly number[], anchor: number, mediaTimeS: number, tolerance: number): string | undefined {
  let boundary = anchor;
  for (const at of keyframes) {
    if (at < boundary + SEGMENT_DURATION_S - tolerance) continue;
    if (at > boundary + SEGMENT_DURATION_S + tolerance) return everyMessage(at - boundary);
    boundary = at;
  }
  const since = mediaTimeS - boundary;
  return since > SEGMENT_DURATION_S + tolerance ? everyMessage(since, true) : undefined;
}

/** A gap a frame or so off 2 s is written to the millisecond, or it would read as the 2.0 s it misses. */
const everyMessage = (gapS: number, sinceLast = false) =>
  `keyframes every ${sinceLast ? 'more than ' : ''}${gapS.toFixed(Math.abs(gapS - SEGMENT_DURATION_S) < 0.05 ? 3 : 1)} s; ` +
  `passthrough needs one every ${SEGMENT_DURATION_S} s`;

/** The RFC 6381 codec of an H.264 stream from its SPS: avc1.PPCCLL (profile, constraint flags, level in hex). */
export const avc1Codec = ({ profileIdc, constraintFlags, levelIdc }: H264Facts) =>
  `avc1.${[profileIdc, constraintFlags, levelIdc].map((b) => b.toString(16).padStart(2, '0')).join('')}`;

/**
 * The top rung as a copied source declares it in the manifests: size, level and codec from its SPS, and
 * as its bitrate the source's as measured so far (its audio included, which stands for a little headroom;
 * BANDWIDTH adds the same 1.2x peak allowance as for an encoded rung).
 */
export function copiedRung(planned: Rung, r: IngestReading): Rung {
  if (!r.h264) return planned;
  const measured = r.mediaTimeS >= 1 ? Math.round((r.bytes * 8) / r.mediaTimeS) : planned.videoBitrate;
  return { ...planned, width: r.h264.width, height: r.h264.height, level: r.h264.levelIdc, codec: avc1Codec(r.h264), videoBitrate: measured };
}

export type { TopRungSetting };
