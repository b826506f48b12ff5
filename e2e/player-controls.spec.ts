import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import type { Livestream } from '../shared/livestream.js';
import { HIDE_AFTER_MS } from '../client/src/player/controls-autohide.js';
import type { EngineKind } from '../client/src/player/playback-engine.js';
import { expectPlayback } from './fixtures/playback.js';
import { broadcastInOwnContext } from './fixtures/studio.js';
import { expectRealtimePlayback } from './fixtures/webrtc.js';

/** What the controls act on: the <video>, and the document's fullscreen and picture-in-picture elements. */
function videoState(page: Page) {
  return page.evaluate(() => {
    const video = window.__axonPlayer!.video;
    return {
      paused: video.paused,
      muted: video.muted,
      volume: Math.round(video.volume * 100) / 100,
      currentTime: video.currentTime,
      fullscreen: document.fullscreenElement?.classList.contains('player') ?? false,
      pictureInPicture: document.pictureInPictureElement === video,
    };
  });
}

type VideoState = Awaited<ReturnType<typeof videoState>>;

/** Waits until one property of the video state reads as expected. */
async function expectVideo<K extends keyof VideoState>(page: Page, key: K, expected: VideoState[K]): Promise<void> {
  await expect.poll(async () => (await videoState(page))[key], { timeout: 10_000 }).toBe(expected);
}

const player = (page: Page) => page.getByRole('region', { name: 'Video player' });

/** A control in the bar; the pointer first wakes the controls, as a viewer's would. */
async function control(page: Page, name: string): Promise<Locator> {
  await player(page).hover({ position: { x: 20, y: 20 } });
  return page.getByTestId('player-controls').getByRole('button', { name, exact: true });
}

/** The seek bar's span (the DVR window), in seconds. */
const seekSpan = (page: Page) => page.getByTestId('seek').evaluate((range: HTMLInputElement) => Number(range.max) - Number(range.min));

/** One thing the viewer does, and what the video then reads. */
type Step = [act: (page: Page) => Promise<void>, key: keyof VideoState, expected: VideoState[keyof VideoState]];

const byMouse = (name: string) => async (page: Page) => (await control(page, name)).click();
const byKey = (key: string) => async (page: Page) => {
  await player(page).focus();
  await page.keyboard.press(key);
};

async function run(page: Page, steps: Step[]): Promise<void> {
  for (const [act, key, expected] of steps) {
    await act(page);
    await expectVideo(page, key, expected);
  }
}

const playSteps: Step[] = [
  [byMouse('Pause'), 'paused', true],
  [byMouse('Play'), 'paused', false],
  [byKey('Space'), 'paused', true],
  [byKey('k'), 'paused', false],
];

// Autoplay starts muted: the first thing offered is to unmute.
const soundSteps: Step[] = [
  [byMouse('Unmute'), 'muted', false],
  [byMouse('Mute'), 'muted', true],
  [byKey('m'), 'muted', false],
  [byKey('ArrowDown'), 'volume', 0.9],
  [byKey('ArrowUp'), 'volume', 1],
];

const fullscreenSteps: Step[] = [
  [byMouse('Full screen'), 'fullscreen', true],
  [byMouse('Full screen'), 'fullscreen', false],
  [byKey('f'), 'fullscreen', true],
  [byKey('f'), 'fullscreen', false],
];

/** The volume slider: a click a quarter along it, then its own arrow keys. */
async function volumeSlider(page: Page): Promise<void> {
  const volume = page.getByRole('slider', { name: 'Volume' });
  await player(page).hover({ position: { x: 20, y: 20 } });
  const box = (await volume.boundingBox())!;
  await volume.click({ position: { x: box.width / 4, y: box.height / 2 } });
  await expect.poll(async () => (await videoState(page)).volume).toBeLessThan(0.5);
  const clicked = (await videoState(page)).volume;
  await volume.press('ArrowRight');
  await expectVideo(page, 'volume', Math.round((clicked + 0.05) * 100) / 100);
}

/** Picture-in-picture by mouse, and by keyboard on its button (it has no shortcut); hidden where the browser has none. */
async function pictureInPicture(page: Page): Promise<void> {
  const pip = page.getByRole('button', { name: 'Picture in picture', exact: true });
  if (!(await page.evaluate(() => document.pictureInPictureEnabled))) {
    await expect(pip).toBeHidden();
    return;
  }
  await run(page, [[byMouse('Picture in picture'), 'pictureInPicture', true]]);
  await expect(pip).toHaveAttribute('aria-pressed', 'true');
  await run(page, [[() => pip.press('Enter'), 'pictureInPicture', false]]);
}

/** Seeking in the DVR window: the bar by mouse and "Go live"; the arrow keys on the player. */
async function dvr(page: Page): Promise<void> {
  const readout = page.getByTestId('seek-readout');
  const goLive = page.getByRole('button', { name: 'Go live' });
  await expect.poll(() => seekSpan(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(24);
  await expect(readout).toHaveText('LIVE');

  const atLive = (await videoState(page)).currentTime;
  await player(page).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(goLive).toBeVisible();
  await expect(readout).toHaveText(/^-0:\d\d$/);
  expect((await videoState(page)).currentTime).toBeLessThan(atLive - 5);
  await page.keyboard.press('ArrowRight');
  await expect(readout).toHaveText('LIVE');
  await expect(goLive).toBeHidden();

  await player(page).hover({ position: { x: 20, y: 20 } });
  const seek = page.getByTestId('seek');
  const box = (await seek.boundingBox())!;
  await seek.click({ position: { x: box.width / 4, y: box.height / 2 } });
  await expect(goLive).toBeVisible();
  expect((await videoState(page)).currentTime).toBeLessThan(atLive - 5);
  await (await control(page, 'Go live')).click();
  await expect(readout).toHaveText('LIVE');
}

/** The quality menu from the keyboard (Chromium's open menu is no page element a test could click). */
async function quality(page: Page): Promise<void> {
  const menu = page.getByRole('combobox', { name: 'Quality' });
  const lowest = await menu.locator('option').last().textContent();
  await menu.focus();
  await page.keyboard.press('End');
  await expect(page.getByTestId('quality-current')).toHaveText(lowest!, { timeout: 20_000 });
  await menu.selectOption({ label: 'Auto' });
}

/** The controls leave a playing video alone after a while, and come back on pointer and keyboard activity. */
async function hiding(page: Page): Promise<void> {
  const root = player(page);
  await root.focus();
  await page.mouse.move(1, 1);
  await expect(root).toHaveAttribute('data-controls', 'hidden', { timeout: 10_000 });
  await root.hover();
  await expect(root).toHaveAttribute('data-controls', 'shown');
  await page.mouse.move(1, 1);
  await expect(root).toHaveAttribute('data-controls', 'hidden', { timeout: 10_000 });
  await page.keyboard.press('Shift');
  await expect(root).toHaveAttribute('data-controls', 'shown');
  // Tab reaches the controls, with a visible focus ring, and they stay while a control has the focus.
  await page.keyboard.press('Tab');
  const focused = page.getByRole('button', { name: 'Pause', exact: true });
  await expect(focused).toBeFocused();
  expect(await focused.evaluate((el) => el.matches(':focus-visible') && getComputedStyle(el).outlineStyle !== 'none')).toBe(true);
  await page.mouse.move(1, 1);
  await page.waitForTimeout(HIDE_AFTER_MS + 1000);
  await expect(root).toHaveAttribute('data-controls', 'shown');
  // Nor do they leave a paused video.
  await run(page, [[byKey('k'), 'paused', true]]);
  await page.mouse.move(1, 1);
  await page.waitForTimeout(HIDE_AFTER_MS + 1000);
  await expect(root).toHaveAttribute('data-controls', 'shown');
  await run(page, [[byKey('k'), 'paused', false]]);
}

const modes: ReadonlyArray<{ engine: EngineKind; query: string }> = [
  { engine: 'hls', query: '' },
  { engine: 'dash', query: '?format=dash' },
  { engine: 'whep', query: '?format=webrtc' },
];

test.describe.serial('player controls', () => {
  let livestream: Livestream;
  let publisherContext: BrowserContext;

  // A studio broadcast offers all three: HLS and DASH from the ladder, WHEP from the SFU.
  test.beforeAll(async ({ browser, playwright }) => {
    const baseURL = test.info().project.use.baseURL;
    ({ livestream, studioContext: publisherContext } = await broadcastInOwnContext(browser, playwright.request, baseURL, 'e2e player controls'));
  });

  test.afterAll(async () => {
    await publisherContext?.close();
  });

  for (const { engine, query } of modes) {
    test(`${engine}: every control works by mouse and by keyboard`, async ({ page }) => {
      await page.goto(`/watch/${livestream.id}${query}`);
      if (engine === 'whep') await expectRealtimePlayback(page, 'video/VP8');
      else await expectPlayback(page, engine);
      await run(page, playSteps);
      await expectVideo(page, 'muted', true);
      await run(page, soundSteps);
      await volumeSlider(page);
      await run(page, fullscreenSteps);
      await pictureInPicture(page);
      if (engine === 'whep') {
        // Real time has no window to seek in and no rung to pick.
        await expect(page.getByTestId('seek')).toBeHidden();
        await expect(page.getByRole('combobox', { name: 'Quality' })).toBeDisabled();
      } else {
        await dvr(page);
        await quality(page);
      }
      await hiding(page);
    });
  }

  test('a phone-sized page keeps the controls usable', async ({ browser }) => {
    const baseURL = test.info().project.use.baseURL;
    const phone = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const page = await phone.newPage();
      await page.goto(`/watch/${livestream.id}`);
      await expectPlayback(page, 'hls');
      await player(page).tap({ position: { x: 20, y: 20 } });
      await expect.poll(() => seekSpan(page), { timeout: 30_000 }).toBeGreaterThan(0);
      const bar = (await player(page).boundingBox())!;
      const controls = page.getByTestId('player-controls').locator('button:visible, input:visible, select:visible');
      expect(await controls.count()).toBeGreaterThanOrEqual(5);
      for (const box of await Promise.all((await controls.all()).map((c) => c.boundingBox()))) {
        expect(box!.width).toBeGreaterThanOrEqual(40);
        expect(box!.height).toBeGreaterThanOrEqual(40);
        expect(box!.x).toBeGreaterThanOrEqual(bar.x);
        expect(box!.x + box!.width).toBeLessThanOrEqual(bar.x + bar.width + 0.5);
        expect(box!.y).toBeGreaterThanOrEqual(bar.y);
        expect(box!.y + box!.height).toBeLessThanOrEqual(bar.y + bar.height + 0.5);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const byTap = (name: string) => () => page.getByTestId('player-controls').getByRole('button', { name, exact: true }).tap();
      await run(page, [
        [byTap('Pause'), 'paused', true],
        [byTap('Play'), 'paused', false],
        [byTap('Unmute'), 'muted', false],
      ]);
    } finally {
      await phone.close();
    }
  });
});
