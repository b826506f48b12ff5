import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthWarning } from '../../shared/ingest-health.js';
import type { Livestream } from '../../shared/livestream.js';
import { loadConfig } from '../src/config.js';
import { startRtmpServer, type RtmpIngestServer } from '../src/ingest/rtmp/rtmp-publish-gate.js';
import { StreamSession } from '../src/session/stream-session.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { startHttpServer, type TestHttpServer } from './fixtures/http-server.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';

const TOKEN = 'ingest-health-test-token-0123';
const tempDir = tempDirs();

describe('ingest health of an RTMP broadcast from a real FFmpeg encoder', () => {
  let server: TestHttpServer;
  let rtmp: RtmpIngestServer;
  const log = capturedLogger();

  beforeAll(async () => {
    const config = loadConfig({
      AXON_DATA_DIR: tempDir('axon-ingest-health-'),
      AXON_API_TOKEN: TOKEN,
      AXON_LADDER: '180',
      AXON_X264_PRESET: 'ultrafast',
    });
    server = await startHttpServer({ config, log, createSession: (id, ingest) => new StreamSession(id, ingest, { config, log }) });
    rtmp = await startRtmpServer({ host: '127.0.0.1', port: 0, registry: server.registry, keys: server.livestreams, reconnectWindowS: 0, log });
  });
  afterAll(async () => {
    await server.close();
    await rtmp.close();
  });

  const admin = async (id: string) =>
    (await (await fetch(`${server.base}/api/livestreams/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Livestream;
  const metrics = async () => (await fetch(`${server.base}/metrics`)).text();

  /** Publishes to a new livestream, and collects the warnings its session reports. */
  async function broadcast(name: string, o: { keyframeIntervalS: number; audio: boolean }) {
    const { id, streamKey } = await server.livestreams.create({ name, record: false });
    const warnings: HealthWarning[] = [];
    server.registry.once('started', (session) => session.on('warning', (w) => warnings.push(w)));
    const publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${rtmp.port}/live/${streamKey}`, width: 320, height: 180, ...o });
    return { id, streamKey, warnings, publisher };
  }

  it('measures a 6 s GOP from the media, warns about it in the API, the log and an event, and exports it per broadcast', async () => {
    const { id, streamKey, warnings, publisher } = await broadcast('six second gop', { keyframeIntervalS: 6, audio: true });
    try {
      const health = await waitFor('a measured 6 s keyframe interval', async () => {
        const h = (await admin(id)).health;
        return h && h.keyframeIntervalS !== null && h.keyframeIntervalS > 5.5 && h.frameRate !== null && h.frameRate > 0 ? h : undefined;
      });
      expect(health).toMatchObject({ protocol: 'rtmp', videoCodec: 'H.264', audioCodec: 'AAC', width: 320, height: 180 });
      expect(health.keyframeIntervalS).toBeCloseTo(6, 0);
      expect(health.frameRate).toBeCloseTo(30, -1);
      expect(health.bitrateKbps).toBeGreaterThan(0);
      expect(health.warnings).toEqual([expect.stringMatching(/^Keyframes arrive every [56]\.\d s/)]);
      expect(health.history.length).toBeGreaterThan(0);
      expect(warnings).toEqual([expect.objectContaining({ code: 'keyframe_interval' })]);
      expect(log.lines.some((l) => l.level === 'warn' && l.text.includes('keyframe_interval'))).toBe(true);

      const publicView = (await (await fetch(`${server.base}/api/livestreams/${id}`)).json()) as Record<string, unknown>;
      expect(publicView).not.toHaveProperty('health');

      const text = await waitFor('FFmpeg figures on /metrics', async () => {
        const t = await metrics();
        return t.includes(`axon_ffmpeg_speed{livestream="${id}"}`) ? t : undefined;
      });
      const value = (name: string) => Number(new RegExp(`^${name}\\{livestream="${id}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
      expect(value('axon_ingest_keyframe_interval_seconds')).toBeCloseTo(6, 0);
      expect(value('axon_ingest_bits_per_second')).toBeGreaterThan(0);
      expect(value('axon_ingest_frames_per_second')).toBeGreaterThan(0);
      expect(value('axon_ffmpeg_dropped_frames_total')).toBeGreaterThanOrEqual(0);
      expect(text).toContain('# TYPE axon_ingest_keyframe_interval_seconds gauge\n');
      expect(text).not.toContain(streamKey);
    } finally {
      await publisher.kill();
    }
    await waitFor('the broadcast to end', () => server.registry.get(id) === undefined);
    expect((await admin(id)).health).toBeUndefined();
    expect(await metrics()).not.toContain(`livestream="${id}"`);
  });

  it('does not warn about a 2 s GOP, and warns about a source without audio', async () => {
    const { id, warnings, publisher } = await broadcast('two second gop, no audio', { keyframeIntervalS: 2, audio: false });
    try {
      // Long enough for a 6 s gap to have shown.
      const health = await waitFor('8 s of health history', async () => {
        const h = (await admin(id)).health;
        return h && h.history.length >= 4 ? h : undefined;
      });
      expect(health).toMatchObject({ videoCodec: 'H.264', audioCodec: null });
      expect(health.keyframeIntervalS).toBeCloseTo(2, 1);
      expect(health.warnings).toEqual([expect.stringContaining('no audio')]);
      expect(warnings.map((w) => w.code)).toEqual(['no_audio']);
    } finally {
      await publisher.kill();
    }
  });
});
