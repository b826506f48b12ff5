import type { types } from 'mediasoup';
import type { IngestMeter, IngestReading } from '../../session/ingest-health.js';
import type { PictureSize } from '../h264-sps.js';

/** RTP video clocks run at 90 kHz (RFC 3551; VP8, VP9, H.264, AV1 alike). */
const VIDEO_CLOCK_HZ = 90_000;
const HALF_RANGE = 2 ** 31;

/** What mediasoup's 'rtp' trace tells of each packet the producer receives. */
interface TracedPacket {
  ssrc: number;
  timestamp: number;
  marker: boolean;
  isKeyFrame: boolean;
  size: number;
}

/** One video stream (a simulcast layer has its own SSRC). */
interface VideoStream {
  bytes: number;
  frames: number;
  lastTimestamp: number;
  ticks: number;
  lastKeyframeTimestamp: number | undefined;
  keyframesAtS: number[];
}

export type MeteredProducer = Pick<types.Producer, 'on' | 'off' | 'enableTraceEvent' | 'rtpParameters'>;

export interface RtpMeterOptions {
  video: MeteredProducer;
  audio?: MeteredProducer | undefined;
  /** Read from the first keyframe when the publisher connected. */
  size: PictureSize;
}

/**
 * Measures a WebRTC or WHIP publish from the RTP packets its producers receive, as mediasoup traces them:
 * bytes, frames (packets ending one, marker bit), keyframes as mediasoup's payload parser flags them, and
 * media time from the RTP timestamps. With simulcast, frames and keyframes are the top layer's (the
 * stream sending the most bytes), the bitrate is all of them.
 */
export class RtpMeter implements IngestMeter {
  private readonly streams = new Map<number, VideoStream>();
  private audioBytes = 0;
  private readonly onVideo = (trace: types.ProducerTraceEventData) => {
    const packet = tracedPacket(trace);
    if (packet) this.countVideo(packet);
  };
  private readonly onAudio = (trace: types.ProducerTraceEventData) => {
    const packet = tracedPacket(trace);
    if (packet) this.audioBytes += packet.size;
  };

  constructor(private readonly o: RtpMeterOptions) {
    o.video.on('trace', this.onVideo);
    o.audio?.on('trace', this.onAudio);
    // A producer closed meanwhile just has nothing to trace.
    void o.video.enableTraceEvent(['rtp']).catch(() => undefined);
    void o.audio?.enableTraceEvent(['rtp']).catch(() => undefined);
  }

  read(): IngestReading {
    const top = [...this.streams.values()].reduce<VideoStream | undefined>((a, b) => (a && a.bytes >= b.bytes ? a : b), undefined);
    let videoBytes = 0;
    for (const s of this.streams.values()) videoBytes += s.bytes;
    return {
      videoCodec: codecName(this.o.video),
      audioCodec: this.o.audio ? codecName(this.o.audio) : null,
      width: this.o.size.width,
      height: this.o.size.height,
      bytes: videoBytes + this.audioBytes,
      frames: top?.frames ?? 0,
      mediaTimeS: (top?.ticks ?? 0) / VIDEO_CLOCK_HZ,
      keyframesAtS: top?.keyframesAtS ?? [],
    };
  }

  close(): void {
    this.o.video.off('trace', this.onVideo);
    this.o.audio?.off('trace', this.onAudio);
  }

  private countVideo(p: TracedPacket): void {
    let s = this.streams.get(p.ssrc);
    if (!s) {
      s = { bytes: 0, frames: 0, lastTimestamp: p.timestamp, ticks: 0, lastKeyframeTimestamp: undefined, keyframesAtS: [] };
      this.streams.set(p.ssrc, s);
    }
    s.bytes += p.size;
    // Timestamps wrap at 2^32; a packet from before the latest one (reordered) does not move time back.
    const ahead = (p.timestamp - s.lastTimestamp) >>> 0;
    if (ahead < HALF_RANGE) {
      s.ticks += ahead;
      s.lastTimestamp = p.timestamp;
    }
    if (p.marker) s.frames += 1;
    // Every packet of a keyframe may be flagged: the frame counts once, by its timestamp.
    if (p.isKeyFrame && p.timestamp !== s.lastKeyframeTimestamp) {
      s.lastKeyframeTimestamp = p.timestamp;
      s.keyframesAtS = [...s.keyframesAtS.slice(-1), s.ticks / VIDEO_CLOCK_HZ];
    }
  }
}

function codecName(producer: MeteredProducer): string | null {
  const mimeType = producer.rtpParameters.codecs[0]?.mimeType;
  return mimeType ? mimeType.slice(mimeType.indexOf('/') + 1) : null;
}

/** The traced packet, when the trace is one of a media packet (not a retransmission). */
function tracedPacket(trace: types.ProducerTraceEventData): TracedPacket | undefined {
  if (trace.type !== 'rtp' || trace.info.isRtx === true) return undefined;
  const p = trace.info.rtpPacket as Partial<TracedPacket> | null | undefined;
  if (typeof p?.ssrc !== 'number' || typeof p.timestamp !== 'number' || typeof p.size !== 'number') return undefined;
  return { ssrc: p.ssrc, timestamp: p.timestamp, marker: p.marker === true, isKeyFrame: p.isKeyFrame === true, size: p.size };
}
