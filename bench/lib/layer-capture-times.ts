import type { types } from 'mediasoup';

const TICKS_PER_MS = 90;
/** NTP counts seconds from 1900, Unix from 1970. */
const NTP_TO_UNIX_S = 2_208_988_800;

interface SenderReport {
  ntpMs: number;
  rtpTimestamp: number;
}

/**
 * When the keyframes a producer receives were captured, per SSRC (each simulcast layer has its own, with
 * its own random RTP timestamp base): each keyframe's RTP timestamp mapped to the sender's NTP clock
 * through that SSRC's latest RTCP sender report, which Chromium writes from the same capture clock for
 * every layer. mediasoup's `sr` and `keyframe` trace events carry both.
 */
export class LayerCaptureTimes {
  private readonly reports = new Map<number, SenderReport>();
  /** Capture times of each SSRC's keyframes (Unix ms on the sender's clock, which on loopback is this one). */
  readonly keyframesBySsrc = new Map<number, number[]>();
  private readonly onTrace = (trace: types.ProducerTraceEventData) => this.take(trace);

  constructor(private readonly producer: types.Producer) {
    producer.on('trace', this.onTrace);
  }

  start(): Promise<void> {
    return this.producer.enableTraceEvent(['sr', 'keyframe']);
  }

  close(): void {
    this.producer.off('trace', this.onTrace);
  }

  /**
   * For each keyframe of `ssrc` captured after `fromMs`, how far the nearest keyframe of
   * every other SSRC is from it (ms): the worst of them. `fromMs` is Unix time.
   */
  worstGapsMs(ssrc: number, fromMs: number): number[] {
    const others = [...this.keyframesBySsrc].filter(([s]) => s !== ssrc).map(([, times]) => times);
    return (this.keyframesBySsrc.get(ssrc) ?? [])
      .filter((at) => at >= fromMs)
      .map((at) => Math.max(...others.map((times) => Math.min(...times.map((t) => Math.abs(t - at))))));
  }

  private take(trace: types.ProducerTraceEventData): void {
    const info = trace.info;
    if (trace.type === 'sr') {
      const ntpMs = (Number(info.ntpSec) - NTP_TO_UNIX_S) * 1000 + (Number(info.ntpFrac) / 2 ** 32) * 1000;
      this.reports.set(Number(info.ssrc), { ntpMs, rtpTimestamp: Number(info.rtpTs) });
      return;
    }
    if (trace.type !== 'keyframe' || trace.direction !== 'in' || info.isRtx === true) return;
    const packet = info.rtpPacket as { ssrc?: number; timestamp?: number } | undefined;
    if (typeof packet?.ssrc !== 'number' || typeof packet.timestamp !== 'number') return;
    const report = this.reports.get(packet.ssrc);
    if (!report) return;
    // The signed 32-bit difference survives a wrap of the RTP timestamp between report and frame.
    const capturedAt = report.ntpMs + ((packet.timestamp - report.rtpTimestamp) | 0) / TICKS_PER_MS;
    const times = this.keyframesBySsrc.get(packet.ssrc) ?? [];
    // Every packet of a keyframe is traced: the frame counts once.
    if (times.length === 0 || Math.abs(times.at(-1)! - capturedAt) > 1) times.push(capturedAt);
    this.keyframesBySsrc.set(packet.ssrc, times);
  }
}
