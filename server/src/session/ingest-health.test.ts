import { describe, expect, it } from 'vitest';
import type { HealthWarning } from '../../../shared/ingest-health.js';
import type { TranscodeProgress } from '../transcode/transcoder.js';
import { healthWarnings } from './health-warnings.js';
import { IngestHealthMonitor, keyframeInterval, NO_READING, type IngestReading } from './ingest-health.js';

/** A 30 fps, 2.4 Mbit/s H.264 source with AAC at `s` seconds of media, keyframes every `gopS`. */
function source(s: number, gopS = 2, audio = true): IngestReading {
  const lastKeyframe = Math.floor(s / gopS) * gopS;
  return {
    videoCodec: 'H.264',
    audioCodec: audio ? 'AAC' : null,
    width: 1280,
    height: 720,
    bytes: s * 300_000,
    frames: s * 30,
    mediaTimeS: s,
    keyframesAtS: lastKeyframe >= gopS ? [lastKeyframe - gopS, lastKeyframe] : [lastKeyframe],
  };
}

function monitor(o: { protocol?: 'rtmp' | 'webrtc'; speed?: number } = {}) {
  let reading = NO_READING;
  const warnings: HealthWarning[] = [];
  const progress: TranscodeProgress = { run: 1, speed: o.speed ?? 1, fps: 30, droppedFrames: 4, duplicatedFrames: 0 };
  const m = new IngestHealthMonitor({
    protocol: o.protocol ?? 'rtmp',
    meter: { read: () => reading },
    transcode: () => progress,
    onWarning: (w) => warnings.push(w),
  });
  return { m, warnings, at: (r: IngestReading) => ((reading = r), m.sample(new Date(Date.UTC(2026, 0, 1, 0, 0, r.mediaTimeS)))) };
}

describe('IngestHealthMonitor', () => {
  it('turns what the meter counted into bitrate and frame rate over media time, with FFmpeg figures', () => {
    const { m, at, warnings } = monitor();
    expect(m.health).toMatchObject({ bitrateKbps: null, frameRate: null, ffmpegSpeed: 1, droppedFrames: 4, history: [] });
    at(source(2));
    at(source(4));
    expect(m.health).toMatchObject({
      protocol: 'rtmp',
      videoCodec: 'H.264',
      audioCodec: 'AAC',
      width: 1280,
      height: 720,
      bitrateKbps: 2400,
      frameRate: 30,
      keyframeIntervalS: 2,
      warnings: [],
    });
    expect(m.health.history).toEqual([
      { at: '2026-01-01T00:00:02.000Z', bitrateKbps: 2400, frameRate: 30 },
      { at: '2026-01-01T00:00:04.000Z', bitrateKbps: 2400, frameRate: 30 },
    ]);
    expect(warnings).toEqual([]);
  });

  it('keeps a minute of history', () => {
    const { m, at } = monitor();
    for (let s = 2; s <= 100; s += 2) at(source(s));
    expect(m.health.history).toHaveLength(30);
    expect(m.health.history[0]!.at).toBe('2026-01-01T00:00:42.000Z');
  });

  it('shows no flow when nothing arrived, and starts again from zero for a returning publisher', () => {
    const { m, at } = monitor();
    at(source(10));
    at(source(10));
    expect(m.health).toMatchObject({ bitrateKbps: 0, frameRate: 0 });
    at(source(2));
    expect(m.health).toMatchObject({ bitrateKbps: 2400, frameRate: 30 });
  });

  it('warns once about a 6 s keyframe interval, and again when it comes back', () => {
    const { m, at, warnings } = monitor();
    at(source(1.5, 6));
    expect(m.health.warnings).toEqual([]);
    at(source(13, 6));
    expect(m.health.keyframeIntervalS).toBe(6);
    expect(m.health.warnings).toEqual([expect.stringMatching(/^Keyframes arrive every 6\.0 s: set the encoder.s keyframe interval to 2 s/)]);
    at(source(15, 6));
    expect(warnings.map((w) => w.code)).toEqual(['keyframe_interval']);
    at(source(17, 2));
    expect(m.health.warnings).toEqual([]);
    at(source(25, 6));
    expect(warnings.map((w) => w.code)).toEqual(['keyframe_interval', 'keyframe_interval']);
  });

  it('warns about a source without audio once video arrives', () => {
    const { m, at, warnings } = monitor();
    at(NO_READING);
    expect(m.health.warnings).toEqual([]);
    at(source(2, 2, false));
    expect(warnings).toEqual([{ code: 'no_audio', message: expect.stringContaining('no audio') }]);
  });

  it('warns about a ladder below real time after several slow samples in a row', () => {
    const { m, at, warnings } = monitor({ speed: 0.62 });
    at(source(2));
    at(source(4));
    expect(warnings).toEqual([]);
    at(source(6));
    expect(m.health.warnings).toEqual([expect.stringMatching(/^The ladder is encoded at 0\.62x real time/)]);
    expect(warnings.map((w) => w.code)).toEqual(['below_real_time']);
  });
});

describe('keyframeInterval', () => {
  it('is the gap between the latest two keyframes, or the time since the latest when longer', () => {
    expect(keyframeInterval({ ...NO_READING, keyframesAtS: [2, 4], mediaTimeS: 5.9 })).toBe(2);
    expect(keyframeInterval({ ...NO_READING, keyframesAtS: [2, 4], mediaTimeS: 14 })).toBe(10);
    expect(keyframeInterval({ ...NO_READING, keyframesAtS: [0], mediaTimeS: 1.5 })).toBeNull();
    expect(keyframeInterval({ ...NO_READING, keyframesAtS: [0], mediaTimeS: 3 })).toBe(3);
    expect(keyframeInterval(NO_READING)).toBeNull();
  });
});

describe('healthWarnings', () => {
  const fine = { protocol: 'rtmp', keyframeIntervalS: 2.03, mediaSeen: true, audioCodec: 'AAC', recentSpeeds: [1, 0.99, 1] } as const;

  it('says nothing about a source that is right, allowing for timestamp rounding', () => {
    expect(healthWarnings(fine)).toEqual([]);
  });

  it('leaves the keyframe interval of the studio browser alone: it sends keyframes when asked', () => {
    expect(healthWarnings({ ...fine, protocol: 'webrtc', keyframeIntervalS: 30 })).toEqual([]);
    expect(healthWarnings({ ...fine, protocol: 'whip', keyframeIntervalS: 30 }).map((w) => w.code)).toEqual(['keyframe_interval']);
  });

  it('needs every recent speed below real time', () => {
    expect(healthWarnings({ ...fine, recentSpeeds: [0.5, 0.95, 0.5] })).toEqual([]);
    expect(healthWarnings({ ...fine, recentSpeeds: [0.5, 0.5] })).toEqual([]);
  });
});
