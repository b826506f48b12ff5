import { expect, test, type Page } from '@playwright/test';
import type { IngestHealth } from '../shared/ingest-health.js';
import { authHeaders, createLivestream } from './fixtures/api.js';
import { goLive, studioUrl } from './fixtures/studio.js';

/** The size of the picture the studio previews, as the <video> decodes it. */
const previewSize = (studio: Page) =>
  studio.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('video.preview-video')!;
    return `${video.videoWidth}x${video.videoHeight}`;
  });

test('the studio opens the camera in HD unless told otherwise', async ({ page, request }) => {
  const livestream = await createLivestream(request, 'e2e studio camera default');
  await page.goto(studioUrl(livestream));
  await expect(page.locator('#camera-size')).toHaveValue('720p');
  await expect(page.getByTestId('camera-gives')).toHaveText('The camera gives 1280×720', { timeout: 15_000 });
  await expect.poll(() => previewSize(page)).toBe('1280x720');
});

test('480p chosen before going live is what the server receives, and the choice survives a reload', async ({ page, request }) => {
  const livestream = await createLivestream(request, 'e2e studio camera 480p');
  await page.goto(studioUrl(livestream));
  await expect(page.getByTestId('camera-gives')).toHaveText('The camera gives 1280×720', { timeout: 15_000 });
  await page.locator('#camera-size').selectOption('480p');
  await expect(page.getByTestId('camera-gives')).toHaveText('The camera gives 640×480');
  await expect.poll(() => previewSize(page)).toBe('640x480');
  // Switching the camera (here to the same one: the fake device is alone) reopens it at the chosen size.
  const camera = page.locator('#camera');
  await camera.selectOption(await camera.inputValue());
  await expect.poll(() => previewSize(page)).toBe('640x480');

  await goLive(page);
  // The server plans the ladder from the size at go-live: no other size while live.
  await expect(page.locator('#camera-size')).toBeDisabled();
  await expect(page.getByTestId('publish-health')).toContainText('640×480');
  const serverSize = async () => {
    const health = (await (await request.get(`/api/livestreams/${livestream.id}`, { headers: authHeaders })).json()).health as IngestHealth | undefined;
    return health?.width ? `${health.width}×${health.height}` : null;
  };
  await expect.poll(serverSize, { timeout: 15_000 }).toBe('640×480');
  await page.getByRole('button', { name: 'End stream' }).click();
  await expect(page.getByTestId('live-indicator')).toHaveText('Offline');
  await expect(page.locator('#camera-size')).toBeEnabled();

  await page.goto(studioUrl(livestream));
  await expect(page.locator('#camera-size')).toHaveValue('480p');
  await expect(page.getByTestId('camera-gives')).toHaveText('The camera gives 640×480', { timeout: 15_000 });
});
