import { expect, test, type Page } from '@playwright/test';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { createLivestream } from './fixtures/api.js';
import { expectPlayback } from './fixtures/playback.js';
import { broadcastInOwnContext } from './fixtures/studio.js';

/** hls.js's distance from the live edge (the newest part), in seconds. */
const hlsLatency = (page: Page) => page.evaluate(() => window.__axonPlayer?.hls?.latency ?? Infinity);

/** hls.js plays in low-latency mode, from parts, and settles close to the live edge. */
async function expectLowLatencyHls(page: Page): Promise<void> {
  await expectPlayback(page, 'hls');
  const mode = await page.evaluate(() => {
    const hls = window.__axonPlayer!.hls!;
    return { lowLatency: hls.config.lowLatencyMode, parts: hls.latestLevelDetails?.partList?.length ?? 0, canBlock: hls.latestLevelDetails?.canBlockReload };
  });
  expect(mode.lowLatency).toBe(true);
  expect(mode.parts).toBeGreaterThan(0);
  expect(mode.canBlock).toBe(true);
  await expect.poll(() => hlsLatency(page), { timeout: 30_000, intervals: [500] }).toBeLessThan(2.5);
}

test.describe.serial('low latency from the same CMAF chunks: an RTMP broadcast', () => {
  let publisher: FfmpegRtmpPublisher;
  let id: string;

  test.beforeAll(async ({ playwright }) => {
    const api = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
    const ls = await createLivestream(api, 'e2e low latency rtmp');
    await api.dispose();
    id = ls.id;
    publisher = new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}`, width: 640, height: 360 });
  });

  test.afterAll(async () => {
    await publisher?.kill();
  });

  test('hls.js plays it in low-latency mode less than 2.5 s behind the live edge', async ({ page }) => {
    await page.goto(`/watch/${id}`);
    await expectLowLatencyHls(page);
    // The quality menu still lists the ladder.
    expect(await page.evaluate(() => window.__axonPlayer!.hls!.levels.length)).toBeGreaterThan(1);
  });

  test('dash.js plays it as low-latency DASH, reading the segment being written', async ({ page }) => {
    await page.goto(`/watch/${id}?format=dash`);
    await expectPlayback(page, 'dash');
    expect(await page.evaluate(() => window.__axonPlayer!.dash!.getLowLatencyModeEnabled())).toBe(true);
    await expect
      .poll(() => page.evaluate(() => window.__axonPlayer!.dash!.getCurrentLiveLatency()), { timeout: 30_000, intervals: [500] })
      .toBeLessThan(3);
  });
});

test('hls.js plays a studio broadcast in low-latency mode less than 2.5 s behind the live edge', async ({ browser, playwright, page }) => {
  const { livestream, studioContext } = await broadcastInOwnContext(browser, playwright.request, test.info().project.use.baseURL, 'e2e low latency studio');
  try {
    await page.goto(`/watch/${livestream.id}`);
    await expectLowLatencyHls(page);
  } finally {
    await studioContext.close();
  }
});
