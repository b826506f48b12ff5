import { type APIRequestContext, expect, test } from '@playwright/test';
import type { IngestHealth } from '../shared/ingest-health.js';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { authHeaders, createLivestream } from './fixtures/api.js';
import { expectPlayback } from './fixtures/playback.js';
import { broadcastInOwnContext } from './fixtures/studio.js';
import { countStalls, showRung, stalls } from './fixtures/rung-switching.js';
import { transcoderArgs } from './fixtures/top-rung.js';

/** The heights the player shows, in order: the copied top rung, an encoded one, the copied one again. */
const SWITCHES = [360, 144, 360];

test.describe('a passed-through top rung beside encoded rungs', () => {
  let publisher: FfmpegRtmpPublisher;
  let id: string;

  test.beforeAll(async ({ request }) => {
    const ls = await createLivestream(request, 'Top rung copied');
    id = ls.id;
    // OBS's advice: keyframes every 2 s, so the 360p top rung is the source's own H.264.
    publisher = new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}`, width: 640, height: 360, keyframeIntervalS: 2 });
    await expect
      .poll(async () => {
        const health = (await (await request.get(`/api/livestreams/${id}`, { headers: authHeaders })).json()).health as IngestHealth | undefined;
        return health?.topRung?.mode;
      }, { timeout: 30_000 })
      .toBe('copy');
  });
  test.afterAll(() => publisher.kill());

  test('hls.js switches between the copied and the encoded rungs without a stall of its own', async ({ page }) => {
    await page.goto(`/watch/${id}`);
    await expectPlayback(page, 'hls');
    await countStalls(page);
    for (const height of SWITCHES) await showRung(page, 'hls', height);
    expect(await stalls(page)).toEqual([]);
  });

  test('dash.js switches between the copied and the encoded rungs without a stall of its own', async ({ page }) => {
    await page.goto(`/watch/${id}?format=dash`);
    await expectPlayback(page, 'dash');
    await countStalls(page);
    for (const height of SWITCHES) await showRung(page, 'dash', height);
    expect(await stalls(page)).toEqual([]);
  });
});

const baseURL = () => test.info().project.use.baseURL;

const topRungState = async (request: APIRequestContext, id: string) =>
  ((await (await request.get(`/api/livestreams/${id}`, { headers: authHeaders })).json()).health as IngestHealth | undefined)?.topRung;

for (const codec of ['h264', 'vp8'] as const) {
  test(`a studio publishing ${codec} is encoded, and the health says why`, async ({ browser, playwright, request }) => {
    const { livestream, studioContext } = await broadcastInOwnContext(browser, playwright.request, baseURL(), `Studio ${codec} encoded`, codec);
    try {
      expect(await topRungState(request, livestream.id)).toEqual({
        mode: 'encode',
        reason: expect.stringMatching(/^a WebRTC source is always encoded: FFmpeg re-times its video at the first RTCP sender report/),
      });
      expect(transcoderArgs(livestream.id)?.join(' ')).not.toContain('-c:v:0 copy');
    } finally {
      await studioContext.close();
    }
  });
}
