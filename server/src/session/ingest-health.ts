import type { HealthWarning, HealthWarningCode, IngestHealth, IngestHealthPoint, IngestProtocol } from '../../../shared/ingest-health.js';
import type { H264Facts } from '../ingest/h264-sps.js';
import type { TranscodeProgress } from '../transcode/transcoder.js';
import { healthWarnings, KEYFRAME_INTERVAL_MAX_S, SLOW_SAMPLES } from './health-warnings.js';

/**
 * What an ingest's meter has measured of the incoming media so far: the counters only grow, until a new
 * publisher (an RTMP reconnect) starts them again from zero.
 */
export interface IngestReading {
  videoCodec: string | null;
  audioCodec: string | null;
  width: number | null;
  height: number | null;
  /** Bytes of video and audio received. */
  bytes: number;
  /** Video frames received. */
  frames: number;
  /** Seconds of video received, by the stream's own timestamps (0 at the first frame). */
  mediaTimeS: number;
  /** Media times of the latest keyframes, oldest first (a meter keeps at least two). */
  keyframesAtS: readonly number[];
  /** The H.264 sequence header's profile, level and size, where the meter reads it (RTMP). */
  h264?: H264Facts | undefined;
  /** Whether a frame arrived out of presentation order (B-frames), where the meter can tell (RTMP). */
  reordered?: boolean;
  /** The simulcast layers a WebRTC publisher sends (1: a single stream); absent where there are none (RTMP). */
  layers?: number;
}

/** Beside each ingest, reading its protocol's media: FLV tags for RTMP, RTP for WebRTC and WHIP. */
export interface IngestMeter {
  read(): IngestReading;
}

export const NO_READING: IngestReading = {
  videoCodec: null,
  audioCodec: null,
  width: null,
  height: null,
  bytes: 0,
  frames: 0,
  mediaTimeS: 0,
  keyframesAtS: [],
};

/** How often the figures are taken; the chart shows the last HISTORY_POINTS of them (a minute). */
export const HEALTH_SAMPLE_MS = 2000;
const HISTORY_POINTS = 30;

export interface IngestHealthOptions {
  protocol: IngestProtocol;
  /** Absent for a source that measures nothing: the health then shows FFmpeg's figures only. */
  meter: IngestMeter | undefined;
  transcode: () => TranscodeProgress | null;
  /** Whether the top rung is the source's own video, and why (an information, not a warning). */
  /** How the ladder is made (the top rung's mode, or simulcast layers), and why. */
  topRung?: () => NonNullable<IngestHealth['topRung']>;
  /** A warning that was not there at the previous sample (webhooks, logs). */
  onWarning: (warning: HealthWarning) => void;
}

/**
 * One broadcast's ingest health: every HEALTH_SAMPLE_MS it reads the ingest's meter and FFmpeg's progress,
 * turns the counters into rates over the media time between samples (a burst of buffered frames, such as
 * the GOP an RTMP subscription starts with, counts at its own pace), and keeps a minute of history.
 */
export class IngestHealthMonitor {
  private previous = NO_READING;
  private rates: { bitrateKbps: number; frameRate: number } | null = null;
  private readonly history: IngestHealthPoint[] = [];
  private readonly speeds: number[] = [];
  private warnings: HealthWarning[] = [];
  private timer: NodeJS.Timeout | undefined;
  private current: IngestHealth;

  constructor(private readonly o: IngestHealthOptions) {
    this.current = this.snapshot(o.meter?.read() ?? NO_READING);
  }

  start(): void {
    this.timer ??= setInterval(() => this.sample(), HEALTH_SAMPLE_MS).unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** As of the latest sample, so that the figures and the warnings agree. */
  get health(): IngestHealth {
    return this.current;
  }

  /** Takes the figures now (the timer's job; tests call it directly). */
  sample(at = new Date()): void {
    const reading = this.o.meter?.read() ?? NO_READING;
    // A new publisher counts from zero again.
    const restarted = reading.bytes < this.previous.bytes || reading.mediaTimeS < this.previous.mediaTimeS;
    const from = restarted ? NO_READING : this.previous;
    const spanS = reading.mediaTimeS - from.mediaTimeS;
    this.rates =
      spanS > 0
        ? { bitrateKbps: Math.round(((reading.bytes - from.bytes) * 8) / spanS / 1000), frameRate: round((reading.frames - from.frames) / spanS, 1) }
        : { bitrateKbps: 0, frameRate: 0 };
    this.previous = reading;
    this.history.push({ at: at.toISOString(), ...this.rates });
    if (this.history.length > HISTORY_POINTS) this.history.shift();

    const progress = this.o.transcode();
    if (progress) this.speeds.push(progress.speed);
    if (this.speeds.length > SLOW_SAMPLES) this.speeds.shift();
    const before = new Set<HealthWarningCode>(this.warnings.map((w) => w.code));
    this.warnings = healthWarnings({
      protocol: this.o.protocol,
      keyframeIntervalS: keyframeInterval(reading),
      mediaSeen: reading.frames > 0,
      audioCodec: reading.audioCodec,
      recentSpeeds: this.speeds,
    });
    this.current = this.snapshot(reading);
    for (const warning of this.warnings) if (!before.has(warning.code)) this.o.onWarning(warning);
  }

  private snapshot(reading: IngestReading): IngestHealth {
    const progress = this.o.transcode();
    return {
      protocol: this.o.protocol,
      videoCodec: reading.videoCodec,
      width: reading.width,
      height: reading.height,
      frameRate: this.rates?.frameRate ?? null,
      bitrateKbps: this.rates?.bitrateKbps ?? null,
      keyframeIntervalS: round(keyframeInterval(reading), 2),
      audioCodec: reading.audioCodec,
      ffmpegSpeed: progress ? round(progress.speed, 2) : null,
      droppedFrames: progress?.droppedFrames ?? 0,
      warnings: this.warnings.map((w) => w.message),
      ...(this.o.topRung && { topRung: this.o.topRung() }),
      history: [...this.history],
    };
  }
}

/**
 * The gap between the latest two keyframes, or the time since the latest one when that is longer (an
 * encoder that stopped sending them). With one keyframe seen, a gap is known once it exceeds the limit.
 */
export function keyframeInterval({ keyframesAtS: k, mediaTimeS }: IngestReading): number | null {
  const last = k.at(-1);
  if (last === undefined) return null;
  const since = mediaTimeS - last;
  if (k.length >= 2) return Math.max(last - k.at(-2)!, since);
  return since > KEYFRAME_INTERVAL_MAX_S ? since : null;
}

function round<T extends number | null>(value: T, digits: number): T {
  if (value === null) return value;
  const f = 10 ** digits;
  return (Math.round(value * f) / f) as T;
}
