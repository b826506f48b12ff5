/** The fields Axon reads from a sender's getStats() entries (W3C webrtc-stats). */
export interface SenderStats {
  type: string;
  id: string;
  /** Milliseconds. */
  timestamp: number;
  kind?: string;
  bytesSent?: number;
  frameWidth?: number;
  frameHeight?: number;
  framesPerSecond?: number;
  qualityLimitationReason?: string;
  /** remote-inbound-rtp: seconds. */
  roundTripTime?: number;
  /** remote-inbound-rtp: share of packets lost in the last report interval, 0..1. */
  fractionLost?: number;
  /** candidate-pair: seconds. */
  currentRoundTripTime?: number;
  nominated?: boolean;
  state?: string;
}

export type HealthLevel = 'good' | 'fair' | 'poor';

export interface PublishHealth {
  width: number | null;
  height: number | null;
  frameRate: number | null;
  /** All outbound streams together, bits per second; null until two samples exist. */
  bitrateBps: number | null;
  rttMs: number | null;
  packetLossPct: number | null;
  /** Why the encoder sends less than it could: 'bandwidth', 'cpu', 'other' ('none' reads as null). */
  limitation: string | null;
  level: HealthLevel;
}

/** Byte counters of the previous sample, per outbound stream, to turn totals into rates. */
export type StatsSample = ReadonlyMap<string, { bytesSent: number; timestamp: number }>;

export function computePublishHealth(
  stats: Iterable<SenderStats>,
  previous: StatsSample | null,
): { health: PublishHealth; sample: StatsSample } {
  const entries = [...stats];
  const outbound = entries.filter((s) => s.type === 'outbound-rtp');
  const remoteInbound = entries.filter((s) => s.type === 'remote-inbound-rtp');
  const video = outbound.find((s) => s.kind === 'video');
  const remote = remoteInbound.find((s) => s.kind === 'video') ?? remoteInbound[0];

  const sample = new Map<string, { bytesSent: number; timestamp: number }>();
  let bitrateBps: number | null = null;
  for (const s of outbound) {
    if (s.bytesSent === undefined) continue;
    sample.set(s.id, { bytesSent: s.bytesSent, timestamp: s.timestamp });
    const before = previous?.get(s.id);
    const seconds = before ? (s.timestamp - before.timestamp) / 1000 : 0;
    if (before && seconds > 0 && s.bytesSent >= before.bytesSent) {
      bitrateBps = (bitrateBps ?? 0) + ((s.bytesSent - before.bytesSent) * 8) / seconds;
    }
  }

  const pair = entries.find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
  const rttSeconds = remote?.roundTripTime ?? pair?.currentRoundTripTime;
  const limitation = video?.qualityLimitationReason;
  const health: Omit<PublishHealth, 'level'> = {
    width: video?.frameWidth ?? null,
    height: video?.frameHeight ?? null,
    frameRate: video?.framesPerSecond ?? null,
    bitrateBps,
    rttMs: rttSeconds === undefined ? null : rttSeconds * 1000,
    packetLossPct: remote?.fractionLost === undefined ? null : remote.fractionLost * 100,
    limitation: limitation && limitation !== 'none' ? limitation : null,
  };
  return { health: { ...health, level: healthLevel(health) }, sample };
}

/** Loss hurts first (viewers see it), then delay, then an encoder held back by bandwidth or CPU. */
export function healthLevel(h: Omit<PublishHealth, 'level'>): HealthLevel {
  const loss = h.packetLossPct ?? 0;
  const rtt = h.rttMs ?? 0;
  const fps = h.frameRate;
  if (loss >= 5 || rtt >= 500 || (fps !== null && fps < 10)) return 'poor';
  if (loss >= 1 || rtt >= 200 || (fps !== null && fps < 20) || h.limitation !== null) return 'fair';
  return 'good';
}

export function formatBitrate(bps: number | null): string {
  if (bps === null) return '—';
  if (bps >= 1_000_000) return `${(bps / 1_000_000).toFixed(2)} Mbps`;
  return `${Math.round(bps / 1000)} kbps`;
}

/** Label/value rows for the studio's health panel. */
export function healthRows(h: PublishHealth): Array<[label: string, value: string]> {
  const dash = '—';
  return [
    ['Resolution', h.width !== null && h.height !== null ? `${h.width}×${h.height}` : dash],
    ['Frame rate', h.frameRate !== null ? `${Math.round(h.frameRate)} fps` : dash],
    ['Bitrate', formatBitrate(h.bitrateBps)],
    ['Round trip', h.rttMs !== null ? `${Math.round(h.rttMs)} ms` : dash],
    ['Packet loss', h.packetLossPct !== null ? `${h.packetLossPct.toFixed(1)}%` : dash],
    ['Limited by', h.limitation ?? dash],
  ];
}
