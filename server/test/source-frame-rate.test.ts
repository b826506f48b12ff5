import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestHealth } from '../../shared/ingest-health.js';
import type { Livestream } from '../../shared/livestream.js';
import { manifestPath, mediaPath } from '../../shared/public-paths.js';
import { transcoderArgs } from '../../e2e/fixtures/top-rung.js';
import { apiCaller } from './fixtures/api-call.js';
import { type AxonProcess, startAxon } from './fixtures/axon-process.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';

const TOKEN = 'source-frame-rate-token-0123456789';
const makeTempDir = tempDirs();
let axon: AxonProcess;
let publisher: FfmpegRtmpPublisher | undefined;
const call = apiCaller(() => axon.base, TOKEN);

beforeAll(async () => {
  // AXON_FPS stays the default 30: the ladder's rate is the source's because it is slower.
  axon = await startAxon(makeTempDir('axon-source-fps-'), TOKEN, { AXON_LADDER: '360,144', AXON_RECONNECT_WINDOW_S: '0' });
}, 90_000);
afterAll(async () => {
  await publisher?.kill();
  await axon?.kill();
});

const text = async (path: string) => (await fetch(axon.base + path)).text();

/** The durations of a media playlist's complete segments. */
const segmentDurations = (playlist: string) => [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));

const partDurations = (playlist: string) => [...playlist.matchAll(/#EXT-X-PART:DURATION=([\d.]+)/g)].map((m) => Number(m[1]));

describe('a ladder capped at the source frame rate', () => {
  it('takes a 25 fps RTMP source with a 2 s GOP live at 25 fps, its top rung copied, in 2 s segments', async () => {
    const ls = (await call('POST', '/api/livestreams', { body: { name: 'PAL camera', record: false } })).json as Livestream;
    publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${axon.rtmpPort}/live/${ls.streamKey}`, width: 640, height: 360, fps: 25, keyframeIntervalS: 2 });
    await waitFor('the broadcast to be live', async () => ((await call('GET', `/api/livestreams/${ls.id}`)).json.status === 'live' ? true : undefined), 30_000);

    const health = (await call('GET', `/api/livestreams/${ls.id}`)).json.health as IngestHealth;
    expect(health.topRung).toEqual({ mode: 'copy', reason: expect.stringMatching(/H\.264 has a keyframe every 2 s$/) });
    const args = transcoderArgs(ls.id)!.join(' ');
    expect(args).toContain('-map 0:v:0 -c:v:0 copy');
    expect(args).toContain('-g 50 -keyint_min 50');

    const master = await text(manifestPath(ls.id, 'hls'));
    expect([...master.matchAll(/FRAME-RATE=([\d.]+)/g)].map((m) => m[1])).toEqual(['25.000', '25.000']);
    const mpd = await text(manifestPath(ls.id, 'dash'));
    expect(mpd).toMatch(/<AdaptationSet [^>]*frameRate="25"/);
    expect([...mpd.matchAll(/<Representation [^>]*frameRate="(\d+)"/g)].map((m) => m[1])).toEqual(['25', '25']);

    for (const rendition of ['360p', '144p']) {
      const playlist = await waitFor(`three complete ${rendition} segments`, async () => {
        const body = await text(`${mediaPath(ls.id)}/${rendition}.m3u8`);
        return segmentDurations(body).length >= 3 ? body : undefined;
      }, 30_000);
      for (const durationS of segmentDurations(playlist)) expect(durationS).toBeCloseTo(2, 2);
      // Parts of 10 frames: the largest whole number of 25 fps frames dividing the GOP, at most 0.5 s.
      for (const partS of partDurations(playlist)) expect(partS).toBeCloseTo(0.4, 2);
    }
    // LL-HLS: no part, the audio's included, may be longer than the target the playlist declares.
    for (const rendition of ['360p', '144p', 'audio']) {
      const playlist = await text(`${mediaPath(ls.id)}/${rendition}.m3u8`);
      const targetS = Number(/#EXT-X-PART-INF:PART-TARGET=([\d.]+)/.exec(playlist)![1]);
      expect(partDurations(playlist).length).toBeGreaterThan(0);
      for (const partS of partDurations(playlist)) expect(partS).toBeLessThanOrEqual(targetS);
    }
    expect((await call('GET', `/api/livestreams/${ls.id}`)).json.health.topRung.mode).toBe('copy');
  }, 120_000);
});
