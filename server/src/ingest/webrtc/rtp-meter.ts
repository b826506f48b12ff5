import type { types } from 'mediasoup';
import type { IngestMeter, IngestReading } from '../../session/ingest-health.js';
import type { LayerReading } from '../../session/ingest.js';
import type { H264Facts, PictureSize } from '../h264-sps.js';
import { carriesSps, H264SpsReader } from './h264-rtp-sps.js';
import type { FrameTimeline, VideoFrame } from './keyframe-clock.js';
import { rtpPayload } from './keyframe-size.js';

/** RTP video clocks run at 90 kHz (RFC 3551; VP8, VP9, H.264, AV1 alike). */
const VIDEO_CLOCK_HZ = 90_000;
const HALF_RANGE = 2 ** 31;
/** Enough keyframes to judge 30 s of 2 s GOPs (top-rung.ts), as the FLV meter keeps. */
const KEYFRAMES_KEPT = 16;
/** NTP fractions of a second (RFC 3550 sender reports). */
const NTP_FRACTION = 2 ** 32;

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
  /** A retransmitted packet ending the newest frame does not count it again. */
  lastFrameTimestamp: number | undefined;
  keyframesAtS: number[];
  /** The sender's clock at media time 0, from its latest RTCP sender report. */
  originS: number | undefined;
}

export type MeteredProducer = Pick<types.Producer, 'on' | 'off' | 'enableTraceEvent' | 'rtpParameters'>;

/** Whole RTP packets of the video as they arrive (a DirectTransport consumer's). Returns how to stop listening. */
export type PacketFeed = (listener: (packet: Buffer) => void) => () => void;

export interface RtpMeterOptions {
  video: MeteredProducer;
  audio?: MeteredProducer | undefined;
  /** Read from the first keyframe when the publisher connected. */
  size: PictureSize;
  /** That keyframe's SPS, for H.264. */
  h264?: H264Facts | undefined;
  /**
   * H.264: the packets each SPS is read from (for simulcast, the top layer's): mediasoup's traces carry no
   * payload. A single stream is measured from these packets alone, with no trace.
   */
  packets?: PacketFeed | undefined;
}

/**
 * Measures a WebRTC or WHIP publish from the RTP packets its producers receive, as mediasoup traces them
 * (or, for a single H.264 stream, as the probe's consumer hands them on: Node then gets each video packet
 * once, not twice): bytes, frames (packets ending one, marker bit), keyframes as mediasoup's payload
 * parser flags them (for H.264, the packets carrying an SPS), and
 * media time from the RTP timestamps, and for H.264 the facts of each SPS (profile, level, size: a browser
 * changes the size with the network, and each change comes with a new SPS). Each SSRC is counted apart;
 * with simulcast the reading's frames and keyframes are the top layer's (the stream sending the most
 * bytes), the bitrate is all of them. A browser's H.264 has no B-frames (WebRTC encoders send none, and
 * RTP has no decoding times to tell), so it reads as in order.
 */
export class RtpMeter implements IngestMeter {
  private readonly streams = new Map<number, VideoStream>();
  private top: VideoStream | undefined;
  private audioBytes = 0;
  private h264: H264Facts | undefined;
  private readonly spsReader = new H264SpsReader();
  private readonly stopPackets: (() => void) | undefined;
  private readonly frameListeners = new Set<(frame: VideoFrame) => void>();
  private readonly onVideo = (trace: types.ProducerTraceEventData) => {
    if (trace.type === 'sr') return this.syncClock(trace);
    const packet = tracedPacket(trace);
    if (packet) this.countVideo(packet);
  };
  private readonly onAudio = (trace: types.ProducerTraceEventData) => {
    const packet = tracedPacket(trace);
    if (packet) this.audioBytes += packet.size;
  };

  constructor(private readonly o: RtpMeterOptions) {
    this.h264 = o.h264;
    // A single stream needs no sender reports (they only line simulcast layers up) and its packets all come
    // through the feed: the trace would hand Node each of them a second time.
    const fromFeed = o.packets !== undefined && (o.video.rtpParameters.encodings?.length ?? 1) === 1;
    this.stopPackets = o.packets?.(fromFeed ? (packet) => this.countPacket(packet) : (packet) => this.readSps(packet));
    o.audio?.on('trace', this.onAudio);
    // A producer closed meanwhile just has nothing to trace.
    void o.audio?.enableTraceEvent(['rtp']).catch(() => undefined);
    if (fromFeed) return;
    o.video.on('trace', this.onVideo);
    // Sender reports (about one a second per layer) put simulcast layers on one timeline.
    void o.video.enableTraceEvent(['rtp', 'sr']).catch(() => undefined);
  }

  read(): IngestReading {
    const { top } = this;
    let videoBytes = 0;
    for (const s of this.streams.values()) videoBytes += s.bytes;
    const videoCodec = codecName(this.o.video);
    const size = this.h264 ?? this.o.size;
    return {
      videoCodec,
      audioCodec: this.o.audio ? codecName(this.o.audio) : null,
      width: size.width,
      height: size.height,
      bytes: videoBytes + this.audioBytes,
      frames: top?.frames ?? 0,
      mediaTimeS: (top?.ticks ?? 0) / VIDEO_CLOCK_HZ,
      keyframesAtS: top?.keyframesAtS ?? [],
      layers: this.o.video.rtpParameters.encodings?.length ?? 1,
      ...(videoCodec === H264 && { h264: this.h264, reordered: false }),
    };
  }

  /**
   * The simulcast layers with these SSRCs (top first), each measured apart; the first one gets the size
   * of the latest SPS read, which is the top layer's (the packets come from a consumer of the top layer).
   */
  readLayers(ssrcs: readonly (number | undefined)[]): LayerReading[] {
    return ssrcs.map((ssrc, i) => {
      const s = ssrc === undefined ? undefined : this.streams.get(ssrc);
      const reading = { frames: s?.frames ?? 0, mediaTimeS: (s?.ticks ?? 0) / VIDEO_CLOCK_HZ, keyframesAtS: s?.keyframesAtS ?? [], originS: s?.originS };
      return i === 0 ? { ...reading, size: this.h264 } : reading;
    });
  }

  /** The top layer's frames as they complete: the keyframe clock paces its requests from them. */
  readonly onFrame: FrameTimeline = (listener) => {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  };

  close(): void {
    this.o.video.off('trace', this.onVideo);
    this.o.audio?.off('trace', this.onAudio);
    this.stopPackets?.();
    this.frameListeners.clear();
  }

  private readSps(packet: Buffer, payload = rtpPayload(packet)): void {
    const facts = payload && this.spsReader.push(payload, packet.readUInt16BE(2));
    if (facts) this.h264 = facts;
  }

  /** A whole RTP packet (RFC 3550 header) of a single H.264 stream: what its trace would tell, and its SPS. */
  private countPacket(packet: Buffer): void {
    const payload = rtpPayload(packet);
    if (!payload) return;
    this.readSps(packet, payload);
    const marker = (packet[1]! & 0x80) !== 0;
    this.countVideo({ ssrc: packet.readUInt32BE(8), timestamp: packet.readUInt32BE(4), marker, isKeyFrame: carriesSps(payload), size: packet.length });
  }

  private countVideo(p: TracedPacket): void {
    let s = this.streams.get(p.ssrc);
    if (!s) {
      s = { bytes: 0, frames: 0, lastTimestamp: p.timestamp, ticks: 0, lastKeyframeTimestamp: undefined, lastFrameTimestamp: undefined, keyframesAtS: [], originS: undefined };
      this.streams.set(p.ssrc, s);
    }
    s.bytes += p.size;
    if (!this.top || (s !== this.top && s.bytes > this.top.bytes)) this.top = s;
    // Timestamps wrap at 2^32; a packet from before the latest one (reordered) does not move time back.
    const ahead = (p.timestamp - s.lastTimestamp) >>> 0;
    if (ahead < HALF_RANGE) {
      s.ticks += ahead;
      s.lastTimestamp = p.timestamp;
    }
    // Every packet of a keyframe may be flagged: the frame counts once, by its timestamp.
    if (p.isKeyFrame && p.timestamp !== s.lastKeyframeTimestamp) {
      s.lastKeyframeTimestamp = p.timestamp;
      s.keyframesAtS = [...s.keyframesAtS.slice(1 - KEYFRAMES_KEPT), s.ticks / VIDEO_CLOCK_HZ];
    }
    if (!p.marker || p.timestamp === s.lastFrameTimestamp) return;
    s.lastFrameTimestamp = p.timestamp;
    s.frames += 1;
    if (s !== this.top || this.frameListeners.size === 0) return;
    const frame = { atS: s.ticks / VIDEO_CLOCK_HZ, keyframe: s.lastKeyframeTimestamp === p.timestamp };
    for (const listener of this.frameListeners) listener(frame);
  }

  /** A sender report ties an RTP timestamp of the stream to the sender's clock (NTP), the same for all its layers. */
  private syncClock(trace: types.ProducerTraceEventData): void {
    const sr = trace.info as { ssrc?: unknown; ntpSec?: unknown; ntpFrac?: unknown; rtpTs?: unknown } | undefined;
    if (typeof sr?.ssrc !== 'number' || typeof sr.ntpSec !== 'number' || typeof sr.ntpFrac !== 'number' || typeof sr.rtpTs !== 'number') return;
    const s = this.streams.get(sr.ssrc);
    if (!s) return;
    // The report's timestamp is near the newest packet's, on either side of it.
    const ticks = s.ticks + ((sr.rtpTs - s.lastTimestamp) | 0);
    s.originS = sr.ntpSec + sr.ntpFrac / NTP_FRACTION - ticks / VIDEO_CLOCK_HZ;
  }
}

const H264 = 'H.264';

/** The codec by its usual name, as the FLV meter gives it (H.264, not RTP's H264). */
function codecName(producer: MeteredProducer): string | null {
  const mimeType = producer.rtpParameters.codecs[0]?.mimeType;
  if (!mimeType) return null;
  const name = mimeType.slice(mimeType.indexOf('/') + 1);
  return name.toUpperCase() === 'H264' ? H264 : name;
}

/** The traced packet, when the trace is one of a media packet (not a retransmission). */
function tracedPacket(trace: types.ProducerTraceEventData): TracedPacket | undefined {
  if (trace.type !== 'rtp' || trace.info.isRtx === true) return undefined;
  const p = trace.info.rtpPacket as Partial<TracedPacket> | null | undefined;
  if (typeof p?.ssrc !== 'number' || typeof p.timestamp !== 'number' || typeof p.size !== 'number') return undefined;
  return { ssrc: p.ssrc, timestamp: p.timestamp, marker: p.marker === true, isKeyFrame: p.isKeyFrame === true, size: p.size };
}
