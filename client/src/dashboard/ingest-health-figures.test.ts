import { describe, expect, it } from 'vitest';
import type { IngestHealth } from '../../../shared/ingest-health.js';
import { chartPoints, ingestHealthRows } from './ingest-health-figures.js';

const live: IngestHealth = {
  protocol: 'rtmp',
  videoCodec: 'H.264',
  width: 1280,
  height: 720,
  frameRate: 29.97,
  bitrateKbps: 2450,
  keyframeIntervalS: 6,
  audioCodec: null,
  ffmpegSpeed: 0.98,
  droppedFrames: 3,
  warnings: [],
  history: [],
};

describe('ingestHealthRows', () => {
  it('writes each measured figure for people', () => {
    expect(Object.fromEntries(ingestHealthRows(live).map(([key, , value]) => [key, value]))).toEqual({
      protocol: 'RTMP',
      video: 'H.264 1280×720',
      fps: '30 fps',
      bitrate: '2.45 Mbps',
      keyframes: '6.0 s',
      audio: 'none',
      speed: '0.98×',
      dropped: '3',
    });
  });

  it('shows a dash for what is not measured yet', () => {
    const rows = ingestHealthRows({ ...live, videoCodec: null, width: null, height: null, frameRate: null, bitrateKbps: null, ffmpegSpeed: null });
    expect(rows.filter(([, , value]) => value === '—').map(([key]) => key)).toEqual(['video', 'fps', 'bitrate', 'speed']);
  });
});

describe('chartPoints', () => {
  const at = '2026-01-01T00:00:00.000Z';
  it('spreads the history across the width and scales it to the larger of its top and the floor', () => {
    const history = [
      { at, bitrateKbps: 1000, frameRate: 30 },
      { at, bitrateKbps: 2000, frameRate: 15 },
      { at, bitrateKbps: 0, frameRate: 0 },
    ];
    expect(chartPoints(history, 'bitrateKbps', 200, 40, 500)).toBe('0,20 100,0 200,40');
    expect(chartPoints(history, 'frameRate', 200, 40, 60)).toBe('0,20 100,30 200,40');
    expect(chartPoints([], 'frameRate', 200, 40, 30)).toBe('');
  });
});
