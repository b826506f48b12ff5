import { expect, test, type Locator, type Page } from '@playwright/test';
import type { PublicLivestream } from '../shared/livestream.js';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { createLivestream, livestreamStatus } from './fixtures/api.js';
import { E2E_API_TOKEN } from './fixtures/env.js';

/** The width of the picture an <img> or a <video>'s poster shows, once the browser has decoded it. */
async function decodedWidth(page: Page, url: string): Promise<number> {
  return page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    return img.naturalWidth;
  }, url);
}

const thumbnailUrl = async (page: Page, id: string) =>
  ((await (await page.request.get(`/api/livestreams/${id}`)).json()) as PublicLivestream).thumbnailUrl;

const loadedWidth = (image: Locator) => image.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0));

test('an RTMP broadcast shows its picture on its dashboard card, then as the poster and link preview of its offline watch page', async ({ page, request }) => {
  const ls = await createLivestream(request, `e2e thumbnails ${Date.now()}`);
  await page.goto('/');
  await page.getByLabel('API token').fill(E2E_API_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const card = page.locator(`[data-testid="livestream"][data-id="${ls.id}"]`);
  await expect(card.getByTestId('livestream-thumbnail')).toBeHidden();

  const publisher = new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}`, width: 1280, height: 720 });
  try {
    await expect(card.getByTestId('livestream-status')).toHaveText('live', { timeout: 30_000 });
    const image = card.getByTestId('livestream-thumbnail');
    await expect(image).toBeVisible({ timeout: 30_000 });
    await expect(image).toHaveAttribute('alt', `Latest picture of ${ls.name}`);
    // A 640-wide JPEG of the 1280x720 top rung, decoded by the browser.
    await expect.poll(() => loadedWidth(image), { timeout: 15_000 }).toBe(640);
  } finally {
    await publisher.kill();
  }
  await expect.poll(() => livestreamStatus(request, ls.id), { timeout: 30_000 }).toBe('offline');
  const last = await thumbnailUrl(page, ls.id);
  expect(last).not.toBeNull();

  await page.goto(`/watch/${ls.id}`);
  await expect(page.getByTestId('player-state')).toHaveText('Offline — waiting for the stream');
  const video = page.locator('video');
  await expect(video).toHaveAttribute('poster', last!);
  expect(await decodedWidth(page, last!)).toBe(640);

  // What a chat app or social site reads from the shared link, before any script runs.
  for (const pagePath of [`/watch/${ls.id}`, `/embed/${ls.id}`]) {
    const html = await (await request.get(pagePath)).text();
    expect(html).toContain(`<meta property="og:title" content="${ls.name}">`);
    expect(html).toContain('<meta property="og:type" content="video.other">');
    expect(html).toContain(`<meta property="og:url" content="${ls.playerUrl}">`);
    expect(html).toContain(`<meta property="og:image" content="${last}">`);
    expect(html).toContain('<meta name="twitter:card" content="summary_large_image">');
  }
});

test('a livestream never live has no poster and a link preview without a picture', async ({ page, request }) => {
  const ls = await createLivestream(request, `e2e no picture ${Date.now()}`);
  await page.goto(`/watch/${ls.id}`);
  await expect(page.getByTestId('player-state')).toHaveText('Offline — waiting for the stream');
  await expect(page.locator('video')).not.toHaveAttribute('poster');
  const html = await (await request.get(`/watch/${ls.id}`)).text();
  expect(html).toContain('<meta name="twitter:card" content="summary">');
  expect(html).not.toContain('og:image');
});
