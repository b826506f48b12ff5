import type { IngestHealth, IngestHealthPoint } from '../../../shared/ingest-health.js';
import { formatBitrate } from '../publish/publish-stats.js';

const DASH = '—';
const PROTOCOLS: Record<IngestHealth['protocol'], string> = { rtmp: 'RTMP', whip: 'WHIP', webrtc: 'Browser (WebRTC)' };

export type HealthRow = readonly [key: string, label: string, value: string];

/** The card's health figures as key, label and text; a figure not measured yet reads as a dash. */
export function ingestHealthRows(h: IngestHealth): HealthRow[] {
  const or = <T>(v: T | null, f: (v: T) => string) => (v === null ? DASH : f(v));
  return [
    ['protocol', 'Ingest', PROTOCOLS[h.protocol]],
    ['video', 'Video', [h.videoCodec ?? DASH, h.width !== null && h.height !== null ? `${h.width}×${h.height}` : ''].join(' ').trim()],
    ['fps', 'Frame rate', or(h.frameRate, (v) => `${Math.round(v * 10) / 10} fps`)],
    ['bitrate', 'Bitrate in', or(h.bitrateKbps, (v) => formatBitrate(v * 1000))],
    ['keyframes', 'Keyframes every', or(h.keyframeIntervalS, (v) => `${v.toFixed(1)} s`)],
    ['audio', 'Audio', h.audioCodec ?? 'none'],
    ['speed', 'FFmpeg speed', or(h.ffmpegSpeed, (v) => `${v.toFixed(2)}×`)],
    ['dropped', 'Dropped frames', String(h.droppedFrames)],
  ];
}

/**
 * SVG polyline points for one figure of the history, scaled into a width × height box (y grows down):
 * the top of the box is the larger of the figure's highest value and `floor`, so a steady line sits
 * steady rather than filling the box with noise.
 */
export function chartPoints(history: readonly IngestHealthPoint[], figure: 'bitrateKbps' | 'frameRate', width: number, height: number, floor: number): string {
  if (history.length === 0) return '';
  const top = Math.max(floor, ...history.map((p) => p[figure]));
  const step = history.length > 1 ? width / (history.length - 1) : 0;
  return history.map((p, i) => `${round(i * step)},${round(height - (p[figure] / top) * height)}`).join(' ');
}

const round = (v: number) => Math.round(v * 10) / 10;
