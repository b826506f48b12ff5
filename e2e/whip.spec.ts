import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { Livestream } from '../shared/livestream.js';
import { createLivestream, livestreamStatus, metricValue, rungHeights } from './fixtures/api.js';
import { expectPlayback } from './fixtures/playback.js';
import { goLive, studioUrl } from './fixtures/studio.js';
import { expectRealtimePlayback, recordPeerConnections, sentCodecs } from './fixtures/webrtc.js';

/** Opens the studio with WHIP chosen as its protocol (and a codec). */
async function openWhipStudio(studio: Page, ls: Pick<Livestream, 'id' | 'streamKey'>, codec: 'vp8' | 'h264'): Promise<void> {
  await studio.addInitScript(recordPeerConnections);
  await studio.goto(studioUrl(ls));
  await studio.locator('#protocol').selectOption('whip');
  await studio.locator('#codec').selectOption(codec);
}

test.describe.serial('WHIP: the studio publishes H.264 and Opus with one HTTP request', () => {
  let livestream: Livestream;
  let publisherContext: BrowserContext;
  let studio: Page;

  test.beforeAll(async ({ browser, playwright }) => {
    const baseURL = test.info().project.use.baseURL;
    const api = await playwright.request.newContext({ baseURL });
    livestream = await createLivestream(api, 'e2e whip');
    await api.dispose();
    publisherContext = await browser.newContext({ baseURL, permissions: ['camera', 'microphone'] });
    studio = await publisherContext.newPage();
  });

  test.afterAll(async () => {
    await publisherContext?.close();
  });

  test('the studio goes live over WHIP with H.264 and Opus, and the ladder appears', async ({ request }) => {
    await openWhipStudio(studio, livestream, 'h264');
    await goLive(studio);
    expect(await sentCodecs(studio)).toEqual(['video/H264', 'audio/opus']);
    // The server read the 640x480 camera's size from the H.264 SPS: no rung above it.
    const heights = rungHeights(await (await request.get(`/live/${livestream.id}/master.m3u8`)).text());
    expect(heights.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...heights)).toBe(480);
  });

  test('an HLS viewer plays it', async ({ page }) => {
    await page.goto(`/watch/${livestream.id}`);
    await expectPlayback(page, 'hls');
  });

  test('a real-time viewer decodes it over WHEP', async ({ page }) => {
    await page.goto(`/watch/${livestream.id}?format=webrtc`);
    await expectRealtimePlayback(page, 'video/H264');
  });

  test('"End stream" deletes the WHIP session: the broadcast ends and nothing is left', async ({ request }) => {
    await studio.getByRole('button', { name: 'End stream' }).click();
    await expect(studio.getByTestId('live-indicator')).toHaveText('Offline');
    await expect.poll(() => livestreamStatus(request, livestream.id), { timeout: 15_000 }).toBe('offline');
    await expect.poll(() => metricValue(request, 'axon_ffmpeg_processes'), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => metricValue(request, 'axon_mediasoup_transports'), { timeout: 15_000 }).toBe(0);
    expect((await request.get('/healthz')).status()).toBe(200);
  });
});

test('a wrong stream key is refused over WHIP and the studio stays offline', async ({ page, request }) => {
  const livestream = await createLivestream(request, 'e2e whip wrong key');
  await openWhipStudio(page, { id: livestream.id, streamKey: 'not-the-key' }, 'vp8');
  const goLiveButton = page.getByRole('button', { name: 'Go live' });
  await expect(goLiveButton).toBeEnabled({ timeout: 15_000 });
  await goLiveButton.click();
  await expect(page.getByTestId('studio-error')).toHaveAttribute('data-code', 'wrong_key');
  await expect(page.getByTestId('live-indicator')).toHaveText('Offline');
  expect(await livestreamStatus(request, livestream.id)).toBe('offline');
});
