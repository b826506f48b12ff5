import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { Livestream } from '../shared/livestream.js';
import { createLivestream, livestreamStatus, metricValue, rungHeights } from './fixtures/api.js';
import { E2E_BASE_URL } from './fixtures/env.js';
import { expectPlayback } from './fixtures/playback.js';
import { broadcastFromStudio, studioUrl } from './fixtures/studio.js';

test.describe.serial('spine: studio → mediasoup → FFmpeg ladder → HLS and DASH players', () => {
  let livestream: Livestream;
  let publisherContext: BrowserContext;
  let studio: Page;

  test.beforeAll(async ({ browser, playwright }) => {
    const api = await playwright.request.newContext({ baseURL: E2E_BASE_URL });
    livestream = await createLivestream(api, 'e2e spine');
    await api.dispose();
    publisherContext = await browser.newContext({ baseURL: E2E_BASE_URL, permissions: ['camera', 'microphone'] });
    studio = await publisherContext.newPage();
  });

  test.afterAll(async () => {
    await publisherContext?.close();
  });

  test('the studio goes live with the key from the link and drops the key from the address bar', async () => {
    await broadcastFromStudio(studio, livestream);
    expect(new URL(studio.url()).hash).toBe('');
    await expect(studio.getByTestId('publish-health')).toContainText('640×480');
  });

  test('the ladder for a 640x480 camera has at least two rungs and none above 480 lines', async ({ request }) => {
    const response = await request.get(`/live/${livestream.id}/master.m3u8`);
    expect(response.ok()).toBe(true);
    const heights = rungHeights(await response.text());
    expect(heights.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...heights)).toBeLessThanOrEqual(480);
  });

  test('a viewer plays it over HLS and can pick a rung', async ({ page, request }) => {
    await page.goto(`/watch/${livestream.id}`);
    await expectPlayback(page, 'hls');
    await expect(page.getByTestId('latency')).toContainText('behind live');

    const master = await (await request.get(`/live/${livestream.id}/master.m3u8`)).text();
    const labels = rungHeights(master)
      .sort((a, b) => b - a)
      .map((height) => `${height}p`);
    const quality = page.getByTestId('quality');
    await expect(quality.locator('option')).toHaveText(['Auto', ...labels]);
    const lowest = labels.at(-1)!;
    await quality.selectOption({ label: lowest });
    await expect(page.getByTestId('quality-current')).toHaveText(lowest, { timeout: 15_000 });
  });

  test('a viewer plays it over DASH', async ({ page }) => {
    await page.goto(`/watch/${livestream.id}?format=dash`);
    await expectPlayback(page, 'dash');
  });

  test('a second studio for the same livestream is refused while it is live', async ({ page }) => {
    await page.goto(studioUrl(livestream));
    const goLive = page.getByRole('button', { name: 'Go live' });
    await expect(goLive).toBeEnabled({ timeout: 15_000 });
    await goLive.click();
    await expect(page.getByTestId('studio-error')).toHaveAttribute('data-code', 'already_live');
    await expect(page.getByTestId('live-indicator')).toHaveText('Offline');
    await expect(studio.getByTestId('live-indicator')).toHaveText('LIVE');
  });

  test('closing the publisher abruptly leaves the server healthy and releases FFmpeg and transports', async ({ request }) => {
    await publisherContext.close();
    expect((await request.get('/healthz')).status()).toBe(200);
    await expect.poll(() => metricValue(request, 'axon_ffmpeg_processes'), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => metricValue(request, 'axon_mediasoup_transports'), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => livestreamStatus(request, livestream.id), { timeout: 10_000 }).toBe('offline');
  });
});

test('a wrong stream key shows an error and the studio stays offline', async ({ page, request }) => {
  const livestream = await createLivestream(request, 'e2e wrong key');
  await page.goto(studioUrl({ id: livestream.id, streamKey: 'not-the-key' }));
  const goLive = page.getByRole('button', { name: 'Go live' });
  await expect(goLive).toBeEnabled({ timeout: 15_000 });
  await goLive.click();
  await expect(page.getByTestId('studio-error')).toBeVisible();
  await expect(page.getByTestId('studio-error')).toHaveAttribute('data-code', 'wrong_key');
  await expect(page.getByTestId('live-indicator')).toHaveText('Offline');
});

test('a denied camera permission is explained and nothing can go live', async ({ page, request }) => {
  const livestream = await createLivestream(request, 'e2e denied camera');
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await page.goto(studioUrl(livestream));
  await expect(page.getByTestId('studio-error')).toContainText('access was denied');
  await expect(page.getByRole('button', { name: 'Go live' })).toBeDisabled();
});
