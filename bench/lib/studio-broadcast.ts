import type { Page } from 'playwright-core';
// Declares window.__axonPlayer for the page functions below.
import type {} from '../../client/src/player/player-handle.js';
import type { Livestream } from '../../shared/livestream.js';
import { openStudio, type BrowserRun } from './browser.js';
import { PART_MARKER, waitUntilPlayable } from './hls.js';
import { sampleWindow } from './sample-window.js';
import { median } from './stats.js';

const GO_LIVE_TIMEOUT_MS = 30_000;
const PLAYBACK_START_TIMEOUT_MS = 30_000;
const LATENCY_SAMPLE_MS = 500;

/** Clicks "Go live" and returns the click's wall-clock time, read in the page as the click happens. */
async function clickGoLive(studio: Page): Promise<number> {
  const button = studio.getByRole('button', { name: 'Go live' });
  // Enabled once the (fake) camera previews.
  await studio.waitForFunction(
    () => [...document.querySelectorAll('button')].some((b) => b.textContent === 'Go live' && !b.disabled),
    undefined,
    { timeout: 15_000 },
  );
  await studio.evaluate(() => {
    document.addEventListener('click', () => ((globalThis as { benchClickAt?: number }).benchClickAt ??= Date.now()), {
      capture: true,
    });
  });
  await button.click();
  const clickedAt = await studio.evaluate(() => (globalThis as { benchClickAt?: number }).benchClickAt);
  if (clickedAt === undefined) throw new Error('the click on "Go live" did not reach the page');
  return clickedAt;
}

async function studioError(studio: Page): Promise<string | null> {
  const box = studio.getByTestId('studio-error');
  return (await box.isVisible()) ? await box.textContent() : null;
}

/**
 * Opens the studio of `livestream`, clicks "Go live" and waits until the stream is playable, polled from
 * this machine as players would: `firstPartS` from the click to the first part an LL-HLS player can load,
 * `goLiveS` to the first whole segment a standard HLS player needs.
 */
export async function goLiveFromStudio(run: BrowserRun, livestream: Livestream): Promise<{ studio: Page; goLiveS: number; firstPartS: number }> {
  const { server } = run;
  const studio = await openStudio(run, livestream);
  // The tables were measured from the fake camera's 640x480, which the studio no longer opens by default.
  await studio.locator('#camera-size').selectOption('480p');
  const masterUrl = `${server.baseUrl}/live/${livestream.id}/master.m3u8`;
  // Polling starts before the click: it cannot succeed earlier, and so it misses nothing after.
  const playable = Promise.all([PART_MARKER, '#EXTINF'].map((marker) => waitUntilPlayable(masterUrl, GO_LIVE_TIMEOUT_MS, { ca: server.ca, marker })));
  playable.catch(() => undefined);
  const clickedAt = await clickGoLive(studio);
  const [firstPartAt, firstSegmentAt] = await playable.catch(async (err: Error) => {
    throw new Error(`${err.message}; studio says: ${(await studioError(studio)) ?? 'nothing'}\n${server.logTail()}`);
  });
  return { studio, goLiveS: (firstSegmentAt! - clickedAt) / 1000, firstPartS: (firstPartAt! - clickedAt) / 1000 };
}

/** Opens the watch page of `livestreamId` in a context of its own and waits until hls.js plays it. */
export async function openHlsViewer(run: BrowserRun, livestreamId: string): Promise<Page> {
  const audience = await run.newContext();
  const viewer = await audience.newPage();
  await viewer.goto(`${run.server.baseUrl}/watch/${livestreamId}`);
  await viewer.waitForFunction(
    // Playing, not only placed: hls.js seeks to its start (currentTime > 0) before the first frame plays.
    () => {
      const player = window.__axonPlayer;
      return player?.engine === 'hls' && !!player.hls?.playingDate && !player.video.paused && player.video.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA;
    },
    undefined,
    { timeout: PLAYBACK_START_TIMEOUT_MS },
  );
  return viewer;
}

/** now − hls.playingDate, in the page: how far behind the broadcast's wall clock the frame on screen is. */
const readLatencyMs = (viewer: Page) =>
  viewer.evaluate(() => {
    const date = window.__axonPlayer?.hls?.playingDate;
    return date ? Date.now() - date.getTime() : null;
  });

const playbackPosition = (viewer: Page) => viewer.evaluate(() => window.__axonPlayer?.video.currentTime ?? 0);

/**
 * The HLS viewer's latency over `measureS` seconds, the median of samples every 500 ms. Fails when the
 * player stalled (a stalled player drifts away from live and its latency would mean nothing).
 */
export async function sampleHlsLatency(viewer: Page, measureS: number): Promise<number> {
  const startPosition = await playbackPosition(viewer);
  // Samples without a playingDate have no latency to read and are left out.
  const latenciesMs = await sampleWindow(LATENCY_SAMPLE_MS, measureS, () => readLatencyMs(viewer));
  const played = (await playbackPosition(viewer)) - startPosition;
  if (played < measureS * 0.8) throw new Error(`the viewer played only ${played.toFixed(1)} s of a ${measureS} s window`);
  if (latenciesMs.length < (measureS * 1000) / LATENCY_SAMPLE_MS / 2) throw new Error('hls.js gave too few playingDate samples');
  return median(latenciesMs) / 1000;
}
