import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { registerValue } from '../src/http/prometheus.js';
import { StreamSession } from '../src/session/stream-session.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { startHttpServer, type TestHttpServer } from './fixtures/http-server.js';
import { IdleSession } from './fixtures/idle-session.js';
import { SyntheticIngest } from './fixtures/synthetic-ingest.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';

const API_TOKEN = 'metrics-test-api-token-0123';
const METRICS_TOKEN = 'metrics-test-scrape-token-0123';
const tempDir = tempDirs();

describe('GET /metrics with AXON_METRICS_TOKEN', () => {
  let server: TestHttpServer;
  const log = capturedLogger();
  const scrape = (authorization?: string) => fetch(`${server.base}/metrics`, { headers: authorization === undefined ? {} : { authorization } });

  beforeAll(async () => {
    const metrics = new Registry();
    registerValue(metrics, { name: 'axon_live_sessions', help: 'Broadcasts in progress.' }, () => 0);
    server = await startHttpServer({
      config: loadConfig({ AXON_DATA_DIR: tempDir('axon-metrics-'), AXON_API_TOKEN: API_TOKEN, AXON_METRICS_TOKEN: METRICS_TOKEN }),
      log,
      createSession: (id) => new IdleSession(id),
      metrics,
    });
  });
  afterAll(() => server.close());

  it('answers the bearer of the metrics token only', async () => {
    const missing = await scrape();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="axon"');
    expect(await missing.text()).not.toContain('axon_live_sessions');
    expect((await scrape('Basic abc')).status).toBe(401);
    const wrong = await scrape('Bearer not-the-metrics-token-0123');
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({ error: 'wrong metrics token' });
    // The API token is for the API: a scraper holds a token that can do nothing else.
    expect((await scrape(`Bearer ${API_TOKEN}`)).status).toBe(403);

    const ok = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('axon_live_sessions 0\n');
    expect(log.lines.map((l) => l.text).join('\n')).not.toContain(METRICS_TOKEN);
  });
});

describe('GET /metrics during a broadcast with a real FFmpeg', () => {
  let server: TestHttpServer;
  const log = capturedLogger();

  beforeAll(async () => {
    const config = loadConfig({ AXON_DATA_DIR: tempDir('axon-metrics-ffmpeg-'), AXON_LADDER: '180', AXON_X264_PRESET: 'ultrafast' });
    server = await startHttpServer({ config, log, createSession: (id, ingest) => new StreamSession(id, ingest, { config, log }) });
  });
  afterAll(() => server.close());

  it('exports the speed, frame rate and dropped frames of each live FFmpeg, labelled by livestream id', async () => {
    const { id, streamKey } = await server.livestreams.create({ name: 'metrics', record: false });
    const session = await (await server.registry.reserve(id)).start(new SyntheticIngest({ width: 320, height: 180 }));
    const label = `{livestream="${id}"}`;
    const value = (body: string, name: string) => Number(new RegExp(`^${name}\\{livestream="${id}"\\} (\\S+)$`, 'm').exec(body)?.[1]);
    // The source is paced in real time (-re): once FFmpeg has settled it encodes at about 1x and 30 fps.
    const body = await waitFor('FFmpeg to report a settled speed', async () => {
      const text = await (await fetch(`${server.base}/metrics`)).text();
      return value(text, 'axon_ffmpeg_fps') > 20 ? text : undefined;
    });
    expect(body).toContain('# TYPE axon_ffmpeg_speed gauge\n');
    expect(body).toContain('# TYPE axon_ffmpeg_dropped_frames_total counter\n');
    expect(value(body, 'axon_ffmpeg_speed')).toBeGreaterThan(0.5);
    expect(value(body, 'axon_ffmpeg_dropped_frames_total')).toBeGreaterThanOrEqual(0);
    expect(value(body, 'axon_ffmpeg_duplicated_frames_total')).toBeGreaterThanOrEqual(0);
    expect(session.transcodeProgress).toMatchObject({ run: 1, speed: expect.any(Number), fps: expect.any(Number) });
    expect(body).not.toContain(streamKey);

    await session.stop('test over');
    expect(await (await fetch(`${server.base}/metrics`)).text()).not.toContain(label);
  });
});
