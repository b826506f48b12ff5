import { describe, expect, it } from 'vitest';
import { computePublishHealth, formatBitrate, healthLevel, healthRows, type SenderStats } from './publish-stats.js';

const video = (timestamp: number, bytesSent: number, extra: Partial<SenderStats> = {}): SenderStats => ({
  type: 'outbound-rtp',
  id: 'OT01V',
  kind: 'video',
  timestamp,
  bytesSent,
  frameWidth: 640,
  frameHeight: 480,
  framesPerSecond: 30,
  qualityLimitationReason: 'none',
  ...extra,
});
const audio = (timestamp: number, bytesSent: number): SenderStats => ({ type: 'outbound-rtp', id: 'OT01A', kind: 'audio', timestamp, bytesSent });
const remote = (kind: string, roundTripTime: number, fractionLost: number): SenderStats => ({
  type: 'remote-inbound-rtp',
  id: `RI-${kind}`,
  kind,
  timestamp: 0,
  roundTripTime,
  fractionLost,
});

describe('computePublishHealth', () => {
  it('reads size and frame rate from the video stream and has no bitrate before a second sample', () => {
    const { health } = computePublishHealth([video(1000, 10_000), audio(1000, 2000)], null);
    expect(health).toMatchObject({ width: 640, height: 480, frameRate: 30, bitrateBps: null, limitation: null });
  });

  it('sums the rates of every outbound stream between two samples', () => {
    const first = computePublishHealth([video(1000, 100_000), audio(1000, 10_000)], null);
    // One second later: 250 kB more video (2 Mbps) and 4 kB more audio (32 kbps).
    const { health } = computePublishHealth([video(2000, 350_000), audio(2000, 14_000)], first.sample);
    expect(health.bitrateBps).toBeCloseTo(2_032_000);
  });

  it('ignores a stream whose counter went backwards (a new sender) instead of reporting a negative rate', () => {
    const first = computePublishHealth([video(1000, 500_000)], null);
    expect(computePublishHealth([video(2000, 1000)], first.sample).health.bitrateBps).toBeNull();
  });

  it('takes round trip and loss from the video receiver report, in ms and percent', () => {
    const { health } = computePublishHealth([video(1000, 1), remote('audio', 0.5, 0.5), remote('video', 0.012, 0.02)], null);
    expect(health.rttMs).toBeCloseTo(12);
    expect(health.packetLossPct).toBeCloseTo(2);
    expect(health.level).toBe('fair');
  });

  it('falls back to the nominated candidate pair for the round trip before any receiver report', () => {
    const pair: SenderStats = { type: 'candidate-pair', id: 'CP1', timestamp: 0, nominated: true, state: 'succeeded', currentRoundTripTime: 0.003 };
    const other: SenderStats = { type: 'candidate-pair', id: 'CP2', timestamp: 0, nominated: false, state: 'failed', currentRoundTripTime: 9 };
    const { health } = computePublishHealth([video(1000, 1), other, pair], null);
    expect(health.rttMs).toBeCloseTo(3);
    expect(health.packetLossPct).toBeNull();
  });

  it('reports what limits the encoder', () => {
    const { health } = computePublishHealth([video(1000, 1, { qualityLimitationReason: 'bandwidth' })], null);
    expect(health.limitation).toBe('bandwidth');
    expect(health.level).toBe('fair');
  });
});

describe('healthLevel', () => {
  const base = { width: 640, height: 480, frameRate: 30, bitrateBps: 2e6, rttMs: 20, packetLossPct: 0, limitation: null };
  it.each([
    [{}, 'good'],
    [{ packetLossPct: 1.5 }, 'fair'],
    [{ packetLossPct: 8 }, 'poor'],
    [{ rttMs: 250 }, 'fair'],
    [{ rttMs: 900 }, 'poor'],
    [{ frameRate: 15 }, 'fair'],
    [{ frameRate: 5 }, 'poor'],
  ] as const)('%o is %s', (change, level) => {
    expect(healthLevel({ ...base, ...change })).toBe(level);
  });
});

describe('formatting', () => {
  it('formats bitrates in kbps below 1 Mbps and Mbps above', () => {
    expect(formatBitrate(null)).toBe('—');
    expect(formatBitrate(640_400)).toBe('640 kbps');
    expect(formatBitrate(2_345_678)).toBe('2.35 Mbps');
  });

  it('renders one row per measure with dashes for the unknown ones', () => {
    const { health } = computePublishHealth([video(1000, 1)], null);
    expect(Object.fromEntries(healthRows(health))).toEqual({
      Resolution: '640×480',
      'Frame rate': '30 fps',
      Bitrate: '—',
      'Round trip': '—',
      'Packet loss': '—',
      'Limited by': '—',
    });
  });
});
