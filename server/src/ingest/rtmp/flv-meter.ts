import { type H264Facts, h264SpsFacts } from '../h264-sps.js';
import type { IngestMeter, IngestReading } from '../../session/ingest-health.js';
import { AUDIO_CODECS, firstSps, VIDEO_CODECS } from './flv-source-probe.js';
import { AUDIO_AAC, avcFramePtsMs, isKeyframeTag, readFlvTag, SEQUENCE_HEADER, TAG_AUDIO, TAG_VIDEO, VIDEO_AVC } from './flv-tag.js';
import { FrameArrivals } from './frame-arrivals.js';

const AVC_END_OF_SEQUENCE = 2;
/** Enough keyframes to judge 30 s of 2 s GOPs (top-rung.ts), and any interval by its latest two. */
const KEYFRAMES_KEPT = 16;

const videoCodecName = (id: number) => (id === VIDEO_AVC ? 'H.264' : (VIDEO_CODECS[id] ?? `FLV video codec ${id}`));
const audioCodecName = (id: number) => (id === AUDIO_AAC ? 'AAC' : (AUDIO_CODECS[id] ?? `FLV audio codec ${id}`));

/**
 * Measures one RTMP publish from its FLV tags: codecs from the tag headers, the picture size from the
 * H.264 sequence header, frames, keyframes and media time from the video tags' flags and timestamps, and
 * when each frame reached Axon.
 */
export class FlvMeter implements IngestMeter {
  private videoCodec: string | null = null;
  private audioCodec: string | null = null;
  private h264: H264Facts | undefined;
  private reordered = false;
  private bytes = 0;
  private frames = 0;
  private firstMs: number | undefined;
  private mediaTimeS = 0;
  private keyframesAtS: number[] = [];
  private readonly arrivals = new FrameArrivals();

  /** `arrivedAtMs`: when the tag reached Axon; undefined for one that had been waiting (a cached GOP). */
  push(raw: Buffer, arrivedAtMs?: number): void {
    const tag = readFlvTag(raw);
    if (!tag || tag.body.length < 2) return;
    const { body } = tag;
    if (tag.type === TAG_AUDIO) {
      const format = body[0]! >> 4;
      this.audioCodec = audioCodecName(format);
      if (format !== AUDIO_AAC || body[1] !== SEQUENCE_HEADER) this.bytes += body.length;
      return;
    }
    if (tag.type !== TAG_VIDEO || body[0]! & 0x80) return;
    const codec = body[0]! & 0x0f;
    this.videoCodec = videoCodecName(codec);
    if (codec === VIDEO_AVC && body[1] === SEQUENCE_HEADER) {
      const sps = firstSps(body);
      this.h264 = (sps && h264SpsFacts(sps)) ?? this.h264;
      return;
    }
    if (codec === VIDEO_AVC && body[1] === AVC_END_OF_SEQUENCE) return;
    this.bytes += body.length;
    this.frames += 1;
    const ptsMs = avcFramePtsMs(tag);
    if (ptsMs !== undefined && arrivedAtMs !== undefined) this.arrivals.record(ptsMs, arrivedAtMs);
    this.firstMs ??= tag.timeMs;
    const atS = Math.max(0, tag.timeMs - this.firstMs) / 1000;
    this.mediaTimeS = Math.max(this.mediaTimeS, atS);
    // A frame presented at another time than it is decoded (a composition time offset) is a reordered one.
    if (ptsMs !== undefined && ptsMs !== tag.timeMs) this.reordered = true;
    if (isKeyframeTag(tag)) this.keyframesAtS = [...this.keyframesAtS.slice(1 - KEYFRAMES_KEPT), atS];
  }

  /** When the H.264 frame presented at `ptsMs` (the publisher's clock) reached Axon (ms since the epoch). */
  arrivalOf(ptsMs: number): number | undefined {
    return this.arrivals.wallAt(ptsMs);
  }

  read(): IngestReading {
    return {
      videoCodec: this.videoCodec,
      audioCodec: this.audioCodec,
      width: this.h264?.width ?? null,
      height: this.h264?.height ?? null,
      bytes: this.bytes,
      frames: this.frames,
      mediaTimeS: this.mediaTimeS,
      keyframesAtS: this.keyframesAtS,
      h264: this.h264,
      reordered: this.reordered,
    };
  }
}
