import { expect, test, type BrowserContext } from '@playwright/test';
import type { Livestream } from '../shared/livestream.js';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { createLivestream, metricValue } from './fixtures/api.js';
import { expectPlayback } from './fixtures/playback.js';
import { broadcastInOwnContext } from './fixtures/studio.js';
import { expectRealtimePlayback } from './fixtures/webrtc.js';

test.describe.serial('WHEP: real-time playback of a studio broadcast', () => {
  let livestream: Livestream;
  let publisherContext: BrowserContext;

  test.beforeAll(async ({ browser, playwright }) => {
    ({ livestream, studioContext: publisherContext } = await broadcastInOwnContext(browser, playwright.request, test.info().project.use.baseURL, 'e2e whep'));
  });

  test.afterAll(async () => {
    await publisherContext?.close();
  });

  test('a viewer picks "Real-time" on the watch page and its decoder keeps producing frames', async ({ page }) => {
    await page.goto(`/watch/${livestream.id}`);
    await expectPlayback(page, 'hls');
    await page.getByTestId('format').selectOption({ label: 'Real-time' });
    await expect(page).toHaveURL(/\?format=webrtc$/);
    await expectRealtimePlayback(page, 'video/VP8');
    await expect(page.getByTestId('player-note')).toBeHidden();
  });

  test('a viewer who leaves takes its transport with it', async ({ browser, request }) => {
    const broadcastOnly = await metricValue(request, 'axon_mediasoup_transports');
    const viewer = await browser.newPage();
    await viewer.goto(`/watch/${livestream.id}?format=webrtc`);
    await expectRealtimePlayback(viewer, 'video/VP8');
    expect(await metricValue(request, 'axon_mediasoup_transports')).toBeGreaterThan(broadcastOnly!);
    await viewer.close();
    await expect.poll(() => metricValue(request, 'axon_mediasoup_transports'), { timeout: 15_000 }).toBe(broadcastOnly);
  });
});

test('an RTMP broadcast has no real-time playback: the watch page says so and plays HLS', async ({ page, request }) => {
  const ls = await createLivestream(request, 'e2e whep rtmp');
  const publisher = new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}`, width: 640, height: 360 });
  try {
    await page.goto(`/watch/${ls.id}?format=webrtc`);
    await expect(page.getByTestId('player-note')).toContainText('Real-time playback is not available', { timeout: 45_000 });
    await expect(page.getByTestId('player-note')).toContainText('RTMP');
    await expectPlayback(page, 'hls');
  } finally {
    await publisher.kill();
  }
});
