import amf from 'node-media-server/src/protocol/amf.js';
import { MAX_SOURCE_HEIGHT, MAX_SOURCE_WIDTH } from '../../../../shared/constants.js';
import type { SourceVideo } from '../../session/ingest.js';
import { h264SpsSize } from '../h264-sps.js';
import { AUDIO_AAC, readFlvTag, SEQUENCE_HEADER, TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO, VIDEO_AVC } from './flv-tag.js';

export interface ProbedSource {
  video: SourceVideo;
  hasAudio: boolean;
}

export type ProbeVerdict = { ok: true; source: ProbedSource } | { ok: false; reason: string };

const AUDIO_EX_HEADER = 9;

export const VIDEO_CODECS: Record<number, string> = {
  2: 'Sorenson H.263',
  3: 'Screen Video',
  4: 'VP6',
  5: 'VP6 with alpha',
  6: 'Screen Video 2',
  12: 'HEVC',
};
export const AUDIO_CODECS: Record<number, string> = {
  0: 'PCM',
  1: 'ADPCM',
  2: 'MP3',
  3: 'PCM',
  4: 'Nellymoser',
  5: 'Nellymoser',
  6: 'Nellymoser',
  7: 'G.711 A-law',
  8: 'G.711 mu-law',
  11: 'Speex',
  14: 'MP3',
};

const SUPPORTED = 'Axon takes H.264 video with AAC audio or no audio';
const AUDIO_ONLY: ProbeVerdict = { ok: false, reason: `audio-only publishes are not supported: ${SUPPORTED}` };
/** Video the publisher may send before its audio sequence header before it is taken as video-only. */
const AUDIO_WAIT_MS = 1000;

/**
 * Learns what a publish carries from its first FLV tags: the picture size from the H.264 sequence
 * header's SPS (onMetaData's width/height only as a fallback: encoders may crop or lie), whether there is
 * audio, and refuses what the transcoder cannot take. Publishers send metadata and both sequence headers
 * before their first frames, so a verdict usually comes from the first few tags.
 */
export class FlvSourceProbe {
  private video: SourceVideo | undefined;
  private audio = false;
  private audioFrames = false;
  private metadata: { width?: number; height?: number; frameRate?: number; hasAudio: boolean; hasVideo: boolean } | undefined;
  private firstVideoMs: number | undefined;

  /** Feeds one FLV tag; returns the verdict once it is known. */
  push(raw: Buffer): ProbeVerdict | undefined {
    const tag = readFlvTag(raw);
    if (!tag) return undefined;
    const { body, timeMs } = tag;
    switch (tag.type) {
      case TAG_SCRIPT:
        this.readMetadata(body);
        // Metadata without a video codec: an audio-only publish, refused without waiting for the probe time.
        if (this.metadata?.hasVideo === false && !this.video) return AUDIO_ONLY;
        break;
      case TAG_VIDEO: {
        const refusal = this.readVideo(body, timeMs);
        if (refusal) return refusal;
        break;
      }
      case TAG_AUDIO: {
        const refusal = this.readAudio(body);
        if (refusal) return refusal;
        break;
      }
    }
    if (!this.video) return undefined;
    const waitedForAudio = this.firstVideoMs !== undefined && timeMs - this.firstVideoMs >= AUDIO_WAIT_MS;
    if (this.audio || this.metadata?.hasAudio === false || waitedForAudio) return this.accept();
    return undefined;
  }

  /** The verdict from what has arrived, for a publisher that sent no more in the `waitedMs` it was given. */
  conclude(waitedMs: number): ProbeVerdict {
    if (this.video) return this.accept();
    if (this.audio || this.audioFrames || this.metadata?.hasVideo === false) return AUDIO_ONLY;
    return { ok: false, reason: `no H.264 video within ${waitedMs / 1000} s` };
  }

  private accept(): ProbeVerdict {
    const video = { ...this.video! };
    if (this.metadata?.frameRate !== undefined) video.frameRate = this.metadata.frameRate;
    return { ok: true, source: { video, hasAudio: this.audio } };
  }

  private readVideo(body: Buffer, timeMs: number): ProbeVerdict | undefined {
    if (body.length < 2) return undefined;
    // Enhanced RTMP (HEVC, AV1, VP9 from recent OBS) sets the top bit and names the codec by FourCC.
    if (body[0]! & 0x80) {
      return { ok: false, reason: `video codec ${fourCc(body.subarray(1, 5))} is not supported: ${SUPPORTED}` };
    }
    const codec = body[0]! & 0x0f;
    if (codec !== VIDEO_AVC) {
      return { ok: false, reason: `video codec ${VIDEO_CODECS[codec] ?? `id ${codec}`} is not supported: ${SUPPORTED}` };
    }
    if (body[1] === SEQUENCE_HEADER) {
      const size = spsSize(body) ?? this.metadataSize();
      if (!size) return { ok: false, reason: 'the H.264 sequence header names no picture size' };
      if (size.width > MAX_SOURCE_WIDTH || size.height > MAX_SOURCE_HEIGHT || size.width < 16 || size.height < 16) {
        const range = `16x16 to ${MAX_SOURCE_WIDTH}x${MAX_SOURCE_HEIGHT}`;
        return { ok: false, reason: `a ${size.width}x${size.height} picture is not supported (${range})` };
      }
      this.video = size;
    } else if (this.video) {
      this.firstVideoMs ??= timeMs;
    }
    return undefined;
  }

  private readAudio(body: Buffer): ProbeVerdict | undefined {
    if (body.length < 2) return undefined;
    const format = body[0]! >> 4;
    if (format === AUDIO_EX_HEADER) {
      return { ok: false, reason: `audio codec ${fourCc(body.subarray(1, 5))} is not supported: ${SUPPORTED}` };
    }
    if (format !== AUDIO_AAC) {
      return { ok: false, reason: `audio codec ${AUDIO_CODECS[format] ?? `id ${format}`} is not supported: ${SUPPORTED}` };
    }
    if (body[1] === SEQUENCE_HEADER) this.audio = true;
    else this.audioFrames = true;
    return undefined;
  }

  private readMetadata(body: Buffer): void {
    let data: unknown;
    try {
      // RTMP publishers wrap it as "@setDataFrame" "onMetaData" {…}; FLV files carry "onMetaData" {…}.
      data = amf.decodeAmf0Data(body).dataObj;
    } catch {
      return;
    }
    if (typeof data !== 'object' || data === null) return;
    const m = data as Record<string, unknown>;
    const positive = (v: unknown, max: number) => (typeof v === 'number' && v > 0 && v <= max ? v : undefined);
    // OBS and FFmpeg write `framerate`, some hardware encoders `videoframerate`. Below 1 fps is no live
    // source's rate (and would round to 0 below): taken as not given.
    const frameRate = positive(m.framerate, 240) ?? positive(m.videoframerate, 240);
    this.metadata = {
      width: positive(m.width, MAX_SOURCE_WIDTH * 4),
      height: positive(m.height, MAX_SOURCE_HEIGHT * 4),
      frameRate: frameRate === undefined || frameRate < 1 ? undefined : Math.round(frameRate * 1000) / 1000,
      hasAudio: m.audiocodecid !== undefined,
      hasVideo: m.videocodecid !== undefined,
    };
  }

  private metadataSize(): SourceVideo | undefined {
    const { width, height } = this.metadata ?? {};
    return width && height ? { width: Math.round(width), height: Math.round(height) } : undefined;
  }
}

/** The first SPS of an AVC sequence header (AVCDecoderConfigurationRecord after the 5-byte video tag header). */
export function firstSps(body: Buffer): Buffer | undefined {
  const record = body.subarray(5);
  if (record.length < 8 || (record[5]! & 0x1f) === 0) return undefined;
  const length = record.readUInt16BE(6);
  const sps = record.subarray(8, 8 + length);
  return sps.length !== length || length < 4 ? undefined : sps;
}

/** The picture size the first SPS of an AVC sequence header declares. */
export function spsSize(body: Buffer): SourceVideo | undefined {
  const sps = firstSps(body);
  return sps && h264SpsSize(sps);
}

function fourCc(bytes: Buffer): string {
  return JSON.stringify(bytes.toString('latin1').replace(/[^\x20-\x7e]/g, '?'));
}
