import type { SourceVideo } from '../session/ingest.js';

/** One video rendition of the ABR ladder. */
export interface Rung {
  /** Public name, also the media playlist's base name: "720p". */
  name: string;
  width: number;
  height: number;
  fps: number;
  /** Target video bitrate in bits/s. */
  videoBitrate: number;
  /** H.264 level as written in the SPS, e.g. 31 for 3.1. */
  level: number;
  /** RFC 6381 codec string of the video, e.g. avc1.64001f. */
  codec: string;
}

export interface AudioRendition {
  bitrate: number;
  sampleRate: number;
  channels: number;
  codec: string;
}

export interface Ladder {
  rungs: Rung[];
  audio: AudioRendition;
}

export const AUDIO_RENDITION: AudioRendition = { bitrate: 128_000, sampleRate: 48_000, channels: 2, codec: 'mp4a.40.2' };

/** Video kbit/s at 30 fps by the picture's short side; other sizes interpolate on pixel count. */
const BITRATE_TABLE: ReadonlyArray<readonly [shortSide: number, kbps: number]> = [
  [144, 200],
  [240, 400],
  [360, 800],
  [480, 1400],
  [720, 2800],
  [1080, 5000],
  [1440, 9000],
  [2160, 16000],
];

/** H.264 levels (Table A-1): max macroblocks per second and per frame. */
const H264_LEVELS: ReadonlyArray<readonly [level: number, maxMbps: number, maxFs: number]> = [
  [30, 40_500, 1_620],
  [31, 108_000, 3_600],
  [32, 216_000, 5_120],
  [40, 245_760, 8_192],
  [42, 522_240, 8_704],
  [50, 589_824, 22_080],
  [51, 983_040, 36_864],
  [52, 2_073_600, 36_864],
];

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/**
 * Plans the ladder for a source: every configured rung at or below the source's short side, plus the
 * source itself as the top rung when it is not one of them. Never upscales. Portrait sources are laddered
 * by their short side too, so a 720x1280 phone stream gets a "720p" top rung.
 */
export function planLadder(source: SourceVideo, heights: readonly number[], fps: number): Ladder {
  const portrait = source.height > source.width;
  const sourceShort = portrait ? source.width : source.height;
  const aspect = portrait ? source.height / source.width : source.width / source.height;
  const shorts = new Set(heights.filter((h) => h <= sourceShort));
  shorts.add(even(sourceShort));
  const rungs = [...shorts]
    .sort((a, b) => b - a)
    .map((short) => {
      const isSource = short === even(sourceShort);
      const long = isSource ? even(portrait ? source.height : source.width) : even(short * aspect);
      return encodedRung(portrait ? short : long, portrait ? long : short, fps);
    });
  return { rungs, audio: AUDIO_RENDITION };
}

/** A rung x264 encodes at this size (High profile), named by its short side. */
export function encodedRung(width: number, height: number, fps: number): Rung {
  const level = h264Level(width, height, fps);
  return {
    name: `${Math.min(width, height)}p`,
    width,
    height,
    fps,
    videoBitrate: videoBitrate(width, height, fps),
    level,
    codec: `avc1.6400${level.toString(16).padStart(2, '0')}`,
  };
}

export function videoBitrate(width: number, height: number, fps: number): number {
  const pixels = width * height;
  const pixelsOf = (short: number) => short * short * (16 / 9);
  let kbps: number;
  const first = BITRATE_TABLE[0]!;
  const last = BITRATE_TABLE[BITRATE_TABLE.length - 1]!;
  if (pixels <= pixelsOf(first[0])) kbps = first[1] * (pixels / pixelsOf(first[0]));
  else if (pixels >= pixelsOf(last[0])) kbps = last[1] * (pixels / pixelsOf(last[0]));
  else {
    const i = BITRATE_TABLE.findIndex(([s]) => pixelsOf(s) >= pixels);
    const [s0, k0] = BITRATE_TABLE[i - 1]!;
    const [s1, k1] = BITRATE_TABLE[i]!;
    // Log-linear between neighbours: bitrate grows slower than pixel count.
    const f = Math.log(pixels / pixelsOf(s0)) / Math.log(pixelsOf(s1) / pixelsOf(s0));
    kbps = k0 * Math.pow(k1 / k0, f);
  }
  const fpsFactor = fps <= 30 ? 1 : 1 + 0.5 * ((fps - 30) / 30);
  return Math.round(kbps * fpsFactor) * 1000;
}

export function h264Level(width: number, height: number, fps: number): number {
  const mbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const found = H264_LEVELS.find(([, maxMbps, maxFs]) => mbs <= maxFs && mbs * fps <= maxMbps);
  return (found ?? H264_LEVELS[H264_LEVELS.length - 1]!)[0];
}

/** Peak bandwidth of a variant (video + audio), as HLS's BANDWIDTH: the VBV cap plus container overhead. */
export function peakBandwidth(rung: Rung, audio: AudioRendition): number {
  return Math.round((rung.videoBitrate * MAXRATE_FACTOR + audio.bitrate) * 1.05);
}

export function averageBandwidth(rung: Rung, audio: AudioRendition): number {
  return Math.round((rung.videoBitrate + audio.bitrate) * 1.05);
}

/** x264's VBV maximum rate relative to the target bitrate. */
export const MAXRATE_FACTOR = 1.2;
